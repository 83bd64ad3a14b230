// Slash commands and interactivity payloads as Slack posts them. Both carry a
// trigger id (good for one modal within 3 seconds) and, where Slack gives one,
// a response_url the stand-in itself serves.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { VERIFICATION_TOKEN } from './defaults.js';
import type { StandInState } from './state.js';

export interface SlashCommand {
  user: string;
  channel: string;
  command: string;
  text: string;
}

/** The form body, fields in Slack's order (the signature covers the exact bytes). */
export function slashCommandBody(state: StandInState, c: SlashCommand): string {
  const user = state.users.get(c.user);
  const channel = state.channels.get(c.channel);
  if (!user || !channel) throw new LoupeError(ErrorCode.InvalidInput, 'the Slack stand-in knows no such user or channel');
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: state.teamId,
    team_domain: 'loupe-demo',
    channel_id: channel.id,
    channel_name: channel.name,
    user_id: user.id,
    user_name: user.name,
    command: c.command,
    text: c.text,
    api_app_id: state.appId,
    is_enterprise_install: 'false',
    response_url: state.issueResponseUrl({ channel: channel.id, user: user.id, messageTs: undefined, threadTs: undefined }, 'commands'),
    trigger_id: state.issueTrigger(),
  }).toString();
}

/** Fills in what Slack always sends; fields given in the payload win. */
export function interactionBody(state: StandInState, payload: Record<string, unknown>): string {
  const full: Record<string, unknown> = {
    token: VERIFICATION_TOKEN,
    team: { id: state.teamId, domain: 'loupe-demo' },
    api_app_id: state.appId,
    is_enterprise_install: false,
    enterprise: null,
    ...payload,
  };
  // Whatever trigger id goes out is one Slack issued, so views.open accepts it.
  full['trigger_id'] = state.issueTrigger(typeof full['trigger_id'] === 'string' ? full['trigger_id'] : undefined);
  if (full['response_url'] === undefined) {
    const url = messageResponseUrl(state, full);
    if (url) full['response_url'] = url;
  }
  return new URLSearchParams({ payload: JSON.stringify(full) }).toString();
}

// Slack gives a response_url only to interactions on a message.
function messageResponseUrl(state: StandInState, p: Record<string, unknown>): string | undefined {
  if (p['type'] !== 'block_actions' && p['type'] !== 'message_action') return undefined;
  const channel = idOf(p['channel']);
  const user = idOf(p['user']);
  const message = record(p['message']);
  const container = record(p['container']);
  const messageTs = stringField(message, 'ts') ?? stringField(container, 'message_ts');
  if (!channel || !user || !messageTs) return undefined;
  return state.issueResponseUrl({ channel, user, messageTs, threadTs: stringField(message, 'thread_ts') }, 'actions');
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

function stringField(r: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = r?.[key];
  return typeof v === 'string' ? v : undefined;
}

function idOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : stringField(record(v), 'id');
}
