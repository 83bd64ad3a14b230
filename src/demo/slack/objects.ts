// Slack's JSON objects (user, channel, file, message), built from the stored
// state with the fields Slack documents, so code written against the stand-in
// reads the same fields it will find on Slack.
import { EXTERNAL_TEAM_ID } from './defaults.js';
import type { StandInState, StoredChannel, StoredFile } from './state.js';
import type { StandInMessage, StandInUser } from './types.js';

export function userObject(s: StandInState, u: StandInUser): Record<string, unknown> {
  const teamId = u.external ? EXTERNAL_TEAM_ID : s.teamId;
  const at = s.now();
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    deleted: false,
    real_name: u.realName,
    tz: u.tz,
    tz_label: zoneName(u.tz, at, 'long'),
    tz_offset: offsetSeconds(u.tz, at),
    profile: {
      real_name: u.realName,
      real_name_normalized: u.realName,
      display_name: u.name,
      display_name_normalized: u.name,
      email: u.email,
      team: teamId,
    },
    is_admin: u.isAdmin === true,
    is_owner: u.isOwner === true,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: false,
    is_app_user: false,
    // Slack marks people from another organisation this way in users.info.
    ...(u.external ? { is_stranger: true } : {}),
    updated: Math.floor(at / 1000),
  };
}

export function botUserObject(s: StandInState): Record<string, unknown> {
  return {
    id: s.botUserId,
    team_id: s.teamId,
    name: 'loupe',
    deleted: false,
    real_name: 'Loupe',
    profile: { real_name: 'Loupe', display_name: 'Loupe', bot_id: s.botId, api_app_id: s.appId, team: s.teamId },
    is_admin: false,
    is_owner: false,
    is_bot: true,
    is_app_user: false,
    updated: Math.floor(s.now() / 1000),
  };
}

export function channelObject(s: StandInState, c: StoredChannel, callerId: string): Record<string, unknown> {
  const shared = s.isShared(c);
  return {
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: false,
    is_archived: false,
    is_general: false,
    is_shared: shared,
    is_ext_shared: shared,
    is_org_shared: false,
    is_pending_ext_shared: false,
    is_member: c.members.includes(callerId),
    context_team_id: s.teamId,
    shared_team_ids: shared ? [s.teamId, EXTERNAL_TEAM_ID] : [s.teamId],
    created: c.created,
  };
}

export function fileObject(s: StandInState, f: StoredFile): Record<string, unknown> {
  const name = encodeURIComponent(f.name);
  const base = `${s.origin}/files-pri/${s.teamId}-${f.id}`;
  const publicShares: Record<string, unknown[]> = {};
  for (const share of f.shares) {
    const list = publicShares[share.channel] ?? [];
    const channelName = s.channels.get(share.channel)?.name ?? '';
    list.push({ ts: share.ts, channel_name: channelName, team_id: s.teamId, ...(share.threadTs ? { thread_ts: share.threadTs } : {}) });
    publicShares[share.channel] = list;
  }
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.title,
    mimetype: f.mimetype,
    filetype: f.filetype,
    pretty_type: f.filetype.toUpperCase(),
    user: f.user,
    user_team: s.isExternal(f.user) ? EXTERNAL_TEAM_ID : s.teamId,
    editable: false,
    size: f.bytes.length,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: true,
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    // Both need the bot token; without it Slack answers with a login page.
    url_private: `${base}/${name}`,
    url_private_download: `${base}/download/${name}`,
    permalink: `${s.origin}/files/${f.user}/${f.id}/${name}`,
    channels: Object.keys(publicShares),
    groups: [],
    ims: [],
    shares: { public: publicShares },
    has_rich_preview: false,
    file_access: 'visible',
  };
}

export function messageObject(s: StandInState, m: StandInMessage): Record<string, unknown> {
  const fromBot = m.user === s.botUserId;
  return {
    type: 'message',
    ...(m.files.length > 0 ? { subtype: 'file_share' } : {}),
    ts: m.ts,
    user: m.user,
    text: m.text,
    team: s.teamId,
    ...(fromBot ? { bot_id: s.botId, app_id: s.appId } : m.botId ? { bot_id: m.botId } : {}),
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.files.length > 0 ? { files: m.files.map((id) => sharedFile(s, id)), upload: true } : {}),
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.edits > 0 ? { edited: { user: m.user, ts: m.ts } } : {}),
  };
}

// A deleted file stays in its message as a tombstone, as on Slack.
function sharedFile(s: StandInState, id: string): Record<string, unknown> {
  const f = s.files.get(id);
  return f && !f.deleted ? fileObject(s, f) : { id, mode: 'tombstone' };
}

export function permalink(s: StandInState, m: StandInMessage): string {
  const link = `${s.origin}/archives/${m.channel}/p${m.ts.replace('.', '')}`;
  return m.threadTs && m.threadTs !== m.ts ? `${link}?thread_ts=${m.threadTs}&cid=${m.channel}` : link;
}

function zoneName(tz: string, at: number, style: 'long' | 'longOffset'): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style }).formatToParts(at).find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

/** Slack's tz_offset: seconds east of UTC at the current instant (so it follows summer time). */
function offsetSeconds(tz: string, at: number): number {
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(zoneName(tz, at, 'longOffset'));
  if (!m) return 0; // 'GMT' alone: UTC itself
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}
