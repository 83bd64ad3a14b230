// The stand-in's public shapes. Names follow Slack's own where Slack has one,
// so tests read like Slack's documentation.

export interface StandInUser {
  id: string;
  name: string;
  realName: string;
  email: string;
  /** IANA zone, e.g. 'Europe/London'; users.info derives tz_label and tz_offset from it. */
  tz: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  /** A Slack Connect user from another organisation: nobody here can remove what they post. */
  external?: boolean;
}

export interface StandInChannel {
  id: string;
  name: string;
  /**
   * User ids (the bot's included) in the channel. Defaults to every user and
   * the bot; list them to model a shared channel or one the bot was not invited to.
   */
  members?: string[];
}

export interface SlackStandInOptions {
  signingSecret: string;
  /** 'xoxb-…': accepted for bot calls. */
  botToken: string;
  /** Default 'U0LOUPEBOT'. */
  botUserId?: string;
  /** 'xoxp-…': the token of the first admin (or owner) user; only this may delete other people's files and messages. */
  adminUserToken?: string;
  /** 'xapp-…': an app-level token. Given, Loupe connects over Socket Mode and everything Slack sends goes over its WebSocket. */
  appToken?: string;
  /** Socket Mode: how long an envelope waits for its acknowledgement before the delivery answers 504. Default 3000, Slack's. */
  ackTimeoutMs?: number;
  /** Default 'T0LOUPE'. */
  teamId?: string;
  /** Loupe's /slack/events URL; may be set later with setEventsUrl. */
  eventsUrl?: string;
  /** Demo clinicians, one admin and one external (Slack Connect) user if omitted. */
  users?: StandInUser[];
  channels?: StandInChannel[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Milliseconds; drives message timestamps, trigger expiry and request signatures. */
  now?: () => number;
}

export interface RecordedCall {
  /** Web API method, or 'files.download' / 'response_url' for those endpoints. */
  method: string;
  url: string;
  token: string | undefined;
  contentType: string;
  rawBody: string;
  params: Record<string, unknown>;
  at: number;
}

export interface StandInMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  /** Another app's bot, for a message another integration posted. */
  botId?: string;
  text: string;
  blocks?: unknown[];
  /** File ids shared with the message. */
  files: string[];
  /** Set for an ephemeral message: the only user who sees it. */
  ephemeralTo?: string;
  deleted: boolean;
  edits: number;
}

export interface StandInFile {
  id: string;
  name: string;
  deleted: boolean;
  bytes: Buffer;
  /** Who uploaded it (the bot user for Loupe's own files). */
  user: string;
  mimetype: string;
}
