// Events API payloads: the event_callback envelope, and the two events Slack
// sends for one upload (a `message` with subtype file_share and a separate
// `file_shared`), which arrive independently and may be retried, so Loupe has
// to treat them as one upload.
import { EXTERNAL_TEAM_ID, VERIFICATION_TOKEN } from './defaults.js';
import { messageObject } from './objects.js';
import type { StandInState, StoredFile } from './state.js';
import type { StandInMessage } from './types.js';

type Json = Record<string, unknown>;

const ENVELOPE_TYPES = new Set(['event_callback', 'url_verification', 'app_rate_limited']);

export function isEnvelope(x: Json): boolean {
  return typeof x['type'] === 'string' && ENVELOPE_TYPES.has(x['type']);
}

export function envelope(state: StandInState, event: Json, eventId?: string): Json {
  const channelId = typeof event['channel'] === 'string' ? event['channel'] : typeof event['channel_id'] === 'string' ? event['channel_id'] : undefined;
  const channel = channelId === undefined ? undefined : state.channels.get(channelId);
  const id = eventId ?? state.ids.next('Ev');
  return {
    token: VERIFICATION_TOKEN,
    team_id: state.teamId,
    context_team_id: state.teamId,
    context_enterprise_id: null,
    api_app_id: state.appId,
    event: { event_ts: state.ts.next(), ...event },
    type: 'event_callback',
    event_id: id,
    event_time: Math.floor(state.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: state.teamId, user_id: state.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: channel ? state.isShared(channel) : false,
    event_context: `4-${id}`,
  };
}

export function fileShareMessageEvent(state: StandInState, message: StandInMessage): Json {
  const external = state.isExternal(message.user);
  return {
    ...messageObject(state, message),
    display_as_bot: false,
    channel: message.channel,
    channel_type: 'channel',
    event_ts: message.ts,
    // Slack Connect: the poster's home workspace travels with the event.
    ...(external ? { team: EXTERNAL_TEAM_ID, user_team: EXTERNAL_TEAM_ID, source_team: EXTERNAL_TEAM_ID } : {}),
  };
}

export function fileSharedEvent(state: StandInState, file: StoredFile, message: StandInMessage): Json {
  return {
    type: 'file_shared',
    channel_id: message.channel,
    file_id: file.id,
    user_id: file.user,
    file: { id: file.id },
    event_ts: state.ts.next(),
  };
}
