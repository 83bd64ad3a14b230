// The stand-in's public shapes. Field names follow Microsoft's where Microsoft
// has one, so tests read like the Bot Framework and Graph documentation.

export interface TeamsUser {
  /** Entra object id: what Graph calls the user's id. */
  aadObjectId: string;
  /** The Bot Framework id ('29:…'). */
  id: string;
  name: string;
  email: string;
}

export interface TeamsChannel {
  id: string;
  name: string;
}

export interface TeamsTeam {
  /** The team's general conversation id ('19:…@thread.tacv2'). */
  id: string;
  /** The Microsoft 365 group behind the team: Graph's team id. */
  aadGroupId: string;
  name: string;
  channels: TeamsChannel[];
  /** aadObjectIds of every member, owners included. */
  members: string[];
  owners: string[];
}

export interface TeamsGroupChat {
  id: string;
  topic: string;
  members: string[];
}

export interface TeamsDirectory {
  users: TeamsUser[];
  teams: TeamsTeam[];
  groupChats: TeamsGroupChat[];
}

export interface TeamsStandInOptions {
  /** The bot's app id (aud of inbound tokens; client_id at the token endpoint). */
  appId: string;
  tenantId: string;
  clientSecret: string;
  /** The channels the key signing activities is endorsed for (default ['msteams']): another list is a key Teams never uses. */
  endorsements?: string[];
  /** A PEM certificate registered for the app: a client assertion signed by its key is taken instead of the secret. */
  certificate?: string;
  /** The tenant is licensed for Communications DLP: Graph policyViolation PATCH works. Default true. */
  dlp?: boolean;
  /** Users, teams, group chats: defaults to the demo directory. */
  directory?: TeamsDirectory;
}

export type Host = 'login' | 'connector' | 'graph' | 'files' | 'delivery';
export type AuthKind = 'bot_connector' | 'graph' | 'none' | 'invalid';

export interface RecordedCall {
  host: Host;
  method: string;
  /** Path and query, as requested (the delivery URL's path for deliveries). */
  path: string;
  /** Which kind of token came; for deliveries, 'bot_connector' when the stand-in's own signature verifies. */
  auth: AuthKind;
  /** 0 until the answer is sent. */
  status: number;
  /** The request body as text, so a test can scan everything that left Loupe. */
  body: string;
}

export type ConversationType = 'personal' | 'groupChat' | 'channel';
export type Activity = Record<string, unknown>;
export type Attachment = Record<string, unknown>;

export interface TeamsMessage {
  id: string;
  /** As activities carry it: a channel message's ends in ';messageid={threadRootId}'. */
  conversationId: string;
  conversationType: ConversationType;
  threadRootId?: string;
  replyToId?: string;
  /** The user's '29:' id, or '28:<appId>' for the bot. */
  from: string;
  fromAadObjectId?: string;
  byBot: boolean;
  text: string;
  /** Adaptive Cards sent by the bot are here as Teams stores them: {contentType, content}. */
  attachments: Attachment[];
  entities?: unknown[];
  createdDateTime: string;
  lastModifiedDateTime: string | null;
  deletedDateTime: string | null;
  policyViolation: Record<string, unknown> | null;
  hiddenByPolicy: boolean;
}

export interface Delivery {
  status: number;
  /** Parsed JSON when the answer was JSON, else the text ('' when empty). */
  body: unknown;
}

export type Place = { team: string; channel: string; threadRoot?: string } | { groupChat: string } | { personal: true };

export interface PostFile {
  /** The poster's aadObjectId. */
  user: string;
  place: Place;
  name: string;
  bytes: Buffer;
  text?: string;
  /** Pasted into the compose box (an inline image) rather than attached as a file. */
  pasted?: boolean;
}

/** Several files attached to one message, as Teams posts them: one file attachment each. */
export interface PostFiles {
  /** The poster's aadObjectId. */
  user: string;
  place: Place;
  files: { name: string; bytes: Buffer }[];
  text?: string;
}

export interface PostText {
  user: string;
  place: Place;
  text: string;
  /** @mention the bot. Default: true in channels and group chats, false in personal chats. */
  mention?: boolean;
}

export interface Posted {
  conversationId: string;
  messageId: string;
  activity: Activity;
  delivery?: Delivery;
}

export interface Invoke {
  user: string;
  conversationId: string;
  replyToId?: string;
  name: 'adaptiveCard/action' | 'task/fetch' | 'task/submit';
  value: unknown;
}
