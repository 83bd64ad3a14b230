// The environment is read here, once, at start-up. A wrong value stops Loupe
// with a message that names the variable and what it expects.
import { resolve } from 'node:path';
import { z } from 'zod';
import type { AlertThresholds } from './core/alerts/rules.js';
import { ErrorCode, LoupeError } from './core/errors.js';
import type { PacsAuth } from './export/stow-rs.js';
import { isUidRoot } from './imaging/dicom/new-uid.js';
import { MAX_S3_BLOB_BYTES } from './storage/blob-store.js';
import type { S3StoreConfig } from './storage/s3-blob-store.js';

const int = (min: number, max: number) => {
  const error = `expected an integer from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const HOST_LIST = /^\.?[A-Za-z0-9.-]+(:\d+)?(,\.?[A-Za-z0-9.-]+(:\d+)?)*$/;

const schema = z.object({
  // 0 asks the system for a free port.
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  // Unset: derived from PORT and HOST (defaultPublicUrl).
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL users reach Loupe at' }).optional(),
  LOUPE_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgresql:// URL, or unset for the embedded database')
    .optional(),
  LOUPE_BLOB_DIR: z.string().min(1).optional(),
  LOUPE_BLOB_STORE: z.enum(['folder', 's3'], { error: 'expected folder or s3' }).default('folder'),
  LOUPE_S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the S3-compatible store, or unset for AWS' }).optional(),
  LOUPE_S3_REGION: z.string().regex(/^[a-z0-9-]{2,32}$/, 'expected a region name (us-east-1)').optional(),
  LOUPE_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)').optional(),
  LOUPE_S3_PREFIX: z.string().regex(/^([A-Za-z0-9_.-]+\/)+$/, 'expected a key prefix of letters, digits, _ . - ending in / (loupe/blobs/)').optional(),
  LOUPE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  LOUPE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  LOUPE_S3_FORCE_PATH_STYLE: z.enum(['true', 'false'], { error: 'expected true or false' }).default('false'),
  LOUPE_KEY_FILE: z.string().min(1).optional(),
  LOUPE_KEYS: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOUPE_WORKER_CONCURRENCY: int(0, 64).default(2),
  LOUPE_WORKER_CHAT_CONCURRENCY: int(1, 256).default(8),
  LOUPE_JOB_LEASE_SECONDS: int(5, 3600).default(60),
  LOUPE_JOB_POLL_MS: int(10, 60000).default(500),
  LOUPE_AUDIT_CHECKPOINT_INTERVAL: int(1, 1_000_000).default(1000),
  LOUPE_AUDIT_CHECKPOINT_MINUTES: int(1, 1440).default(10),
  LOUPE_SHUTDOWN_TIMEOUT_SECONDS: int(0, 600).default(20),
  LOUPE_MAX_BLOB_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(4 * 1024 ** 3),
  SLACK_SIGNING_SECRET: z.string().min(16, 'expected the signing secret from the Slack app settings').optional(),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'expected a bot token (xoxb-...)').optional(),
  SLACK_ADMIN_USER_TOKEN: z.string().regex(/^xoxp-/, "expected a workspace admin's user token (xoxp-...)").optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the Slack Web API, ending in /api/' }).optional(),
  SLACK_SOCKET_MODE: z.enum(['true', 'false'], { error: 'expected true or false' }).default('false'),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'expected an app-level token (xapp-...)').optional(),
  SLACK_ADMIN_USERS: z.string().regex(/^[A-Z0-9]+(,[A-Z0-9]+)*$/, 'expected Slack user ids separated by commas').optional(),
  LOUPE_TEAMS_APP_ID: z.guid({ error: "expected the bot's app id (the Entra app registration's client id, a GUID)" }).optional(),
  LOUPE_TEAMS_TENANT_ID: z.guid({ error: "expected the hospital's Entra tenant id (a GUID)" }).optional(),
  LOUPE_TEAMS_CLIENT_SECRET: z.string().min(8, "expected the app registration's client secret").optional(),
  LOUPE_TEAMS_CERTIFICATE_FILE: z.string().min(1, 'expected the path of a PEM file holding the certificate and its private key').optional(),
  LOUPE_TEAMS_LOGIN_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the Entra ID authority (https://login.microsoftonline.com)' }).optional(),
  LOUPE_TEAMS_OPENID_METADATA_URL: z.url({ protocol: /^https?$/, error: "expected the http(s) URL of the Bot Framework's OpenID metadata" }).optional(),
  LOUPE_TEAMS_TOKEN_ISSUER: z.string().min(1).optional(),
  LOUPE_TEAMS_BOT_SCOPE: z.string().regex(/\/\.default$/, 'expected an OAuth scope ending in /.default').optional(),
  LOUPE_TEAMS_GRAPH_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of Microsoft Graph, ending in /v1.0' }).optional(),
  LOUPE_TEAMS_SERVICE_URL_HOSTS: z.string().regex(HOST_LIST, 'expected host names (host or host:port) separated by commas').optional(),
  LOUPE_TEAMS_FILE_HOSTS: z.string().regex(HOST_LIST, 'expected host names (host, host:port, or .suffix) separated by commas').optional(),
  LOUPE_TEAMS_ADMINS: z.string().regex(/^[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36})*$/, 'expected Entra object ids separated by commas').optional(),
  LOUPE_TEAMS_REMOVAL: z.enum(['policy_violation', 'ask'], { error: 'expected policy_violation or ask' }).default('policy_violation'),
  LOUPE_MAX_UPLOAD_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(1024 ** 3),
  LOUPE_CARD_SWEEP_SECONDS: int(1, 3600).default(60),
  LOUPE_DEBRIS_SWEEP_MINUTES: int(1, 1440).default(60),
  LOUPE_RETENTION_SWEEP_MINUTES: int(1, 1440).default(60),
  LOUPE_ALERT_SWEEP_SECONDS: int(10, 3600).default(60),
  LOUPE_ALERT_WINDOW_MINUTES: int(1, 1440).default(60),
  LOUPE_ALERT_DISTINCT_PATIENTS: int(2, 10_000).default(20),
  LOUPE_ALERT_REFUSED_VIEWS: int(2, 10_000).default(5),
  LOUPE_ALERT_FAILED_SIGN_INS: int(2, 100_000).default(10),
  LOUPE_PACS_URL: z.url({ protocol: /^https?$/, error: "expected the http(s) URL of the PACS's DICOMweb service root (https://pacs.hospital.example/dicom-web)" }).optional(),
  LOUPE_PACS_USER: z.string().regex(/^[^:]+$/, 'expected a user name without a colon').optional(),
  LOUPE_PACS_PASSWORD: z.string().min(1).optional(),
  LOUPE_PACS_TOKEN: z.string().regex(/^[A-Za-z0-9._~+/-]+=*$/, 'expected a bearer token').optional(),
  LOUPE_PACS_COPY: z.enum(['identified', 'deidentified'], { error: 'expected identified or deidentified' }).default('identified'),
  LOUPE_PACS_UID_ROOT: z.string().regex(/^[0-9]+(\.[0-9]+)*$/, "expected the organisation's DICOM UID root (1.2.826.0.1.3680043.10.1234)").optional(),
  LOUPE_PACS_TIMEOUT_SECONDS: int(5, 3600).default(120),
  LOUPE_DEMO: z.enum(['auto', 'off'], { error: 'expected auto or off' }).default('auto'),
  OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "expected the identity provider's issuer URL" }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_IDENTITY_CLAIM: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected a claim name').default('email'),
  OIDC_MFA_ACR: z.string().min(1).default('urn:loupe:acr:mfa'),
  LOUPE_SESSION_IDLE_SECONDS: int(5, 4 * 3600).default(15 * 60),
  LOUPE_SESSION_MAX_HOURS: int(1, 24).default(8),
  LOUPE_BREAK_GLASS_MINUTES: int(5, 240).default(60),
  LOUPE_TEACHING_SHARE_DAYS: int(1, 365).default(30),
  OIDC_GROUPS_CLAIM: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected a claim name').default('groups'),
  LOUPE_PRIVACY_OFFICER_GROUPS: z.string().regex(/^[^,\s]+(,[^,\s]+)*$/, 'expected group or role names separated by commas').optional(),
  LOUPE_CONSOLE_MFA: z.enum(['required', 'off'], { error: 'expected required or off' }).default('required'),
});

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  redirectUri: URL;
  postLogoutRedirectUri: URL;
  /** 'email' matches the provider's verified email with the chat profile's; another claim is matched as given. */
  identityClaim: string;
  /** The acr value that means multi-factor sign-in, asked for when a policy requires it. */
  mfaAcr: string;
  /** The claim (in the ID token or at UserInfo) listing the person's groups or roles. */
  groupsClaim: string;
}

/** The admin console (/admin). */
export interface ConsoleConfig {
  /** Groups or roles (in OIDC_GROUPS_CLAIM) that make a privacy officer; none: nobody is one. */
  privacyOfficerGroups: string[];
  /** The console needs a multi-factor sign-in (the default). */
  requireMfa: boolean;
}

const DEFAULT_SLACK_API = 'https://slack.com/api/';

export interface SlackConfig {
  signingSecret: string;
  botToken: string;
  /** A workspace admin's token, used only to remove uploads. */
  adminUserToken: string | undefined;
  apiUrl: URL;
  /** Hosts Loupe downloads files from: Slack's file host, or the host of a configured API URL. */
  fileHosts: string[];
  socketMode: { appToken: string } | undefined;
  /** Slack user ids that administer Loupe, besides Slack's own admins and owners. */
  adminUsers: string[];
}

export interface TeamsConfig {
  appId: string;
  tenantId: string;
  /** How Loupe proves it is the app: a client secret, or a certificate (its private key and SHA-1 thumbprint). */
  credential: { kind: 'secret'; secret: string } | { kind: 'certificate'; file: string };
  /** Entra ID's authority: tokens come from `{loginUrl}/{tenantId}/oauth2/v2.0/token`. */
  loginUrl: URL;
  /** Inbound tokens: the Bot Framework's OpenID metadata and issuer. */
  openIdMetadataUrl: URL;
  tokenIssuer: string;
  /** The Bot Connector token's scope. */
  botScope: string;
  /** Microsoft Graph, ending in /v1.0; its token's scope is `{origin}/.default`. */
  graphUrl: URL;
  /** Hosts an activity's service URL may name: the Bot Connector token goes only there. */
  serviceUrlHosts: string[];
  /** Hosts files are downloaded from (a leading dot: any host under that domain). */
  fileHosts: string[];
  /** Entra object ids that administer Loupe, besides each team's owners. */
  adminObjectIds: string[];
  /** How originals are taken out of a conversation: Graph policyViolation (DLP licence), or asking the sender. */
  removal: 'policy_violation' | 'ask';
}

/** The hospital's PACS, reached by DICOMweb STOW-RS: where a card's Send to PACS goes. */
export interface PacsConfig {
  url: URL;
  auth: PacsAuth;
  /** identified: the original DICOM, photos with the patient's demographics; deidentified: the de-identified copy, photos under Loupe's pseudonym. */
  copy: 'identified' | 'deidentified';
  /** The organisation's UID root for photos' new UIDs; unset: 2.25 UUID-derived UIDs. */
  uidRoot: string | undefined;
  timeoutMs: number;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: URL;
  dataDir: string;
  /** Unset: the embedded database under the data folder. */
  databaseUrl: string | undefined;
  /** Where blob bodies (ciphertext only) are kept: a folder, or an S3-compatible store several instances share. */
  blobStore: { kind: 'folder'; dir: string } | S3StoreConfig;
  keys: { source: 'env'; json: string } | { source: 'file'; path: string };
  logLevel: Env['LOG_LEVEL'];
  /** `concurrency`: imaging jobs (and imaging sandbox children), 0 for no worker at all; `chatConcurrency`: every other job. */
  worker: { concurrency: number; chatConcurrency: number; leaseSeconds: number; pollMs: number };
  auditCheckpointInterval: number;
  auditCheckpointMinutes: number;
  shutdownTimeoutMs: number;
  maxBlobBytes: number;
  /** The largest upload Loupe downloads from a chat. */
  maxUploadBytes: number;
  /** How often expired cards are looked for. */
  cardSweepMs: number;
  /** How often the blob store is swept of crash debris (also once at start). */
  debrisSweepMs: number;
  /** How often assets past their retention are looked for and crypto-shredded. */
  retentionSweepMs: number;
  embedded: boolean;
  /** Unset: no Slack credentials (the demo runs instead). */
  slack: SlackConfig | undefined;
  /** Unset: no Teams credentials. */
  teams: TeamsConfig | undefined;
  /** `loupe serve` starts the demo (a local Slack stand-in) when no chat platform is configured, on the embedded database only. */
  demo: boolean;
  /** Unset: nobody can sign in to the viewer (the demo brings its own provider). */
  oidc: OidcConfig | undefined;
  session: { idleSeconds: number; maxSeconds: number };
  breakGlassMinutes: number;
  /** How long a teaching share's link lasts. */
  teachingShareDays: number;
  /** Unset: no PACS, no Send to PACS on cards. */
  pacs: PacsConfig | undefined;
  console: ConsoleConfig;
  /** Breach monitoring: how often the rules read the trail, and their thresholds. */
  alerts: { sweepMs: number; thresholds: AlertThresholds };
}

function oidcConfig(e: Env, publicUrl: URL): OidcConfig | undefined {
  const given = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET];
  if (given.every((v) => v === undefined)) return undefined;
  if (given.some((v) => v === undefined)) {
    throw new LoupeError(ErrorCode.ConfigInvalid, 'invalid configuration:\n  OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: required together');
  }
  return {
    issuer: new URL(e.OIDC_ISSUER!),
    clientId: e.OIDC_CLIENT_ID!,
    clientSecret: e.OIDC_CLIENT_SECRET!,
    redirectUri: new URL('/auth/callback', publicUrl),
    postLogoutRedirectUri: new URL('/auth/signed-out', publicUrl),
    identityClaim: e.OIDC_IDENTITY_CLAIM,
    mfaAcr: e.OIDC_MFA_ACR,
    groupsClaim: e.OIDC_GROUPS_CLAIM,
  };
}

type Env = z.infer<typeof schema>;

/** Every variable Loupe reads: what the docs and deployment examples may name. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function pacsConfig(e: Env): PacsConfig | undefined {
  const credentials = [e.LOUPE_PACS_USER, e.LOUPE_PACS_PASSWORD, e.LOUPE_PACS_TOKEN];
  if (!e.LOUPE_PACS_URL) {
    if (credentials.some((v) => v !== undefined)) throw new LoupeError(ErrorCode.ConfigInvalid, 'invalid configuration:\n  LOUPE_PACS_URL: required with any other PACS setting');
    return undefined;
  }
  const url = new URL(e.LOUPE_PACS_URL);
  const problems = [
    ...(Boolean(e.LOUPE_PACS_USER) !== Boolean(e.LOUPE_PACS_PASSWORD) ? ['LOUPE_PACS_USER and LOUPE_PACS_PASSWORD: give both, or neither'] : []),
    ...(e.LOUPE_PACS_TOKEN && e.LOUPE_PACS_USER ? ['LOUPE_PACS_TOKEN: give a user and password or a token, not both'] : []),
    ...(url.username || url.password ? ['LOUPE_PACS_URL: credentials go in LOUPE_PACS_USER and LOUPE_PACS_PASSWORD, not in the URL'] : []),
    // Identified images and the credentials must not cross a network in the clear.
    ...(url.protocol === 'http:' && !LOOPBACK.has(url.hostname) ? ['LOUPE_PACS_URL: expected https (http only on this machine: localhost, 127.0.0.1, [::1])'] : []),
    ...(e.LOUPE_PACS_UID_ROOT && !isUidRoot(e.LOUPE_PACS_UID_ROOT) ? ['LOUPE_PACS_UID_ROOT: expected a valid UID (no leading zeros) of at most 43 characters, leaving room for the random part'] : []),
  ];
  if (problems.length) throw new LoupeError(ErrorCode.ConfigInvalid, `invalid configuration:\n  ${problems.join('\n  ')}`);
  const auth: PacsAuth = e.LOUPE_PACS_USER
    ? { kind: 'basic', user: e.LOUPE_PACS_USER, password: e.LOUPE_PACS_PASSWORD! }
    : e.LOUPE_PACS_TOKEN
      ? { kind: 'bearer', token: e.LOUPE_PACS_TOKEN }
      : { kind: 'none' };
  return { url, auth, copy: e.LOUPE_PACS_COPY, uidRoot: e.LOUPE_PACS_UID_ROOT, timeoutMs: e.LOUPE_PACS_TIMEOUT_SECONDS * 1000 };
}

function blobStoreConfig(e: Env, dataDir: string): Config['blobStore'] {
  if (e.LOUPE_BLOB_STORE === 'folder') return { kind: 'folder', dir: resolve(e.LOUPE_BLOB_DIR ?? `${dataDir}/blobs`) };
  const missing = [
    ...(e.LOUPE_S3_BUCKET ? [] : ['LOUPE_S3_BUCKET: required when LOUPE_BLOB_STORE is s3']),
    ...(e.LOUPE_S3_REGION ? [] : ['LOUPE_S3_REGION: required when LOUPE_BLOB_STORE is s3']),
    ...(Boolean(e.LOUPE_S3_ACCESS_KEY_ID) === Boolean(e.LOUPE_S3_SECRET_ACCESS_KEY)
      ? []
      : ['LOUPE_S3_ACCESS_KEY_ID and LOUPE_S3_SECRET_ACCESS_KEY: give both, or neither for the default credential chain']),
    ...(e.LOUPE_BLOB_DIR ? ['LOUPE_BLOB_DIR: a folder store setting; unset it when LOUPE_BLOB_STORE is s3'] : []),
    // S3 takes at most 10,000 parts of a multipart upload.
    ...(e.LOUPE_MAX_BLOB_BYTES > MAX_S3_BLOB_BYTES ? [`LOUPE_MAX_BLOB_BYTES: at most ${MAX_S3_BLOB_BYTES} with the S3 store`] : []),
  ];
  if (missing.length) throw new LoupeError(ErrorCode.ConfigInvalid, `invalid configuration:\n  ${missing.join('\n  ')}`);
  return {
    kind: 's3',
    endpoint: e.LOUPE_S3_ENDPOINT,
    region: e.LOUPE_S3_REGION!,
    bucket: e.LOUPE_S3_BUCKET!,
    prefix: e.LOUPE_S3_PREFIX ?? '',
    credentials: e.LOUPE_S3_ACCESS_KEY_ID ? { accessKeyId: e.LOUPE_S3_ACCESS_KEY_ID, secretAccessKey: e.LOUPE_S3_SECRET_ACCESS_KEY! } : undefined,
    forcePathStyle: e.LOUPE_S3_FORCE_PATH_STYLE === 'true',
  };
}

function slackConfig(e: Env): SlackConfig | undefined {
  const given = [e.SLACK_SIGNING_SECRET, e.SLACK_BOT_TOKEN, e.SLACK_ADMIN_USER_TOKEN, e.SLACK_APP_TOKEN].some((v) => v !== undefined);
  if (!given) return undefined;
  const missing = [
    ...(e.SLACK_BOT_TOKEN ? [] : ['SLACK_BOT_TOKEN: required with any other Slack setting']),
    ...(e.SLACK_SIGNING_SECRET ? [] : ['SLACK_SIGNING_SECRET: required with any other Slack setting']),
    ...(e.SLACK_SOCKET_MODE === 'true' && !e.SLACK_APP_TOKEN ? ['SLACK_APP_TOKEN: required when SLACK_SOCKET_MODE is true'] : []),
  ];
  if (missing.length) throw new LoupeError(ErrorCode.ConfigInvalid, `invalid configuration:\n  ${missing.join('\n  ')}`);
  const apiUrl = new URL(e.SLACK_API_URL ?? DEFAULT_SLACK_API);
  // Slack serves files from files.slack.com; a configured API (GovSlack, a local stand-in) from its own host or files.<host>.
  const fileHosts = e.SLACK_API_URL ? [apiUrl.host, `files.${apiUrl.host}`] : ['files.slack.com'];
  return {
    signingSecret: e.SLACK_SIGNING_SECRET!,
    botToken: e.SLACK_BOT_TOKEN!,
    adminUserToken: e.SLACK_ADMIN_USER_TOKEN,
    apiUrl,
    fileHosts,
    socketMode: e.SLACK_SOCKET_MODE === 'true' ? { appToken: e.SLACK_APP_TOKEN! } : undefined,
    adminUsers: e.SLACK_ADMIN_USERS?.split(',') ?? [],
  };
}

const hostList = (v: string | undefined) => v?.split(',').map((h) => h.toLowerCase());

function teamsConfig(e: Env): TeamsConfig | undefined {
  const credentials = [e.LOUPE_TEAMS_APP_ID, e.LOUPE_TEAMS_TENANT_ID, e.LOUPE_TEAMS_CLIENT_SECRET, e.LOUPE_TEAMS_CERTIFICATE_FILE];
  if (credentials.every((v) => v === undefined)) return undefined;
  const missing = [
    ...(e.LOUPE_TEAMS_APP_ID ? [] : ['LOUPE_TEAMS_APP_ID: required with any other Teams setting']),
    ...(e.LOUPE_TEAMS_TENANT_ID ? [] : ['LOUPE_TEAMS_TENANT_ID: required with any other Teams setting']),
    ...(e.LOUPE_TEAMS_CLIENT_SECRET || e.LOUPE_TEAMS_CERTIFICATE_FILE ? [] : ['LOUPE_TEAMS_CLIENT_SECRET: required, unless LOUPE_TEAMS_CERTIFICATE_FILE is given']),
    ...(e.LOUPE_TEAMS_CLIENT_SECRET && e.LOUPE_TEAMS_CERTIFICATE_FILE ? ['LOUPE_TEAMS_CERTIFICATE_FILE: give a client secret or a certificate, not both'] : []),
  ];
  if (missing.length) throw new LoupeError(ErrorCode.ConfigInvalid, `invalid configuration:\n  ${missing.join('\n  ')}`);
  const graphUrl = new URL(e.LOUPE_TEAMS_GRAPH_URL ?? 'https://graph.microsoft.com/v1.0');
  return {
    appId: e.LOUPE_TEAMS_APP_ID!.toLowerCase(),
    tenantId: e.LOUPE_TEAMS_TENANT_ID!.toLowerCase(),
    credential: e.LOUPE_TEAMS_CERTIFICATE_FILE ? { kind: 'certificate', file: resolve(e.LOUPE_TEAMS_CERTIFICATE_FILE) } : { kind: 'secret', secret: e.LOUPE_TEAMS_CLIENT_SECRET! },
    loginUrl: new URL(e.LOUPE_TEAMS_LOGIN_URL ?? 'https://login.microsoftonline.com'),
    openIdMetadataUrl: new URL(e.LOUPE_TEAMS_OPENID_METADATA_URL ?? 'https://login.botframework.com/v1/.well-known/openidconfiguration'),
    tokenIssuer: e.LOUPE_TEAMS_TOKEN_ISSUER ?? 'https://api.botframework.com',
    botScope: e.LOUPE_TEAMS_BOT_SCOPE ?? 'https://api.botframework.com/.default',
    graphUrl,
    // Teams' public cloud: the Bot Connector at smba.trafficmanager.net, files in the tenant's SharePoint.
    serviceUrlHosts: hostList(e.LOUPE_TEAMS_SERVICE_URL_HOSTS) ?? ['smba.trafficmanager.net'],
    fileHosts: hostList(e.LOUPE_TEAMS_FILE_HOSTS) ?? ['.sharepoint.com'],
    adminObjectIds: e.LOUPE_TEAMS_ADMINS?.split(',').map((id) => id.toLowerCase()) ?? [],
    removal: e.LOUPE_TEAMS_REMOVAL,
  };
}

/**
 * Where users reach Loupe when PUBLIC_URL is unset: the port it listens on,
 * at the address it listens on when that is one host (all interfaces or
 * loopback: localhost). Port 0 is only known once listening: 3000 stands in.
 */
function defaultPublicUrl(port: number, host: string): string {
  const anyOrLoopback = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host);
  const name = anyOrLoopback ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port || 3000}`;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      // Never echo the value: it may be a secret.
      return `${name}: ${issue.message}`;
    });
    throw new LoupeError(ErrorCode.ConfigInvalid, `invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.LOUPE_DATA_DIR);
  const slack = slackConfig(e);
  const teams = teamsConfig(e);
  const publicUrl = new URL(e.PUBLIC_URL ?? defaultPublicUrl(e.PORT, e.HOST));
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    blobStore: blobStoreConfig(e, dataDir),
    keys: e.LOUPE_KEYS
      ? { source: 'env', json: e.LOUPE_KEYS }
      : { source: 'file', path: resolve(e.LOUPE_KEY_FILE ?? `${dataDir}/keys.json`) },
    logLevel: e.LOG_LEVEL,
    worker: {
      concurrency: e.LOUPE_WORKER_CONCURRENCY,
      chatConcurrency: e.LOUPE_WORKER_CONCURRENCY === 0 ? 0 : e.LOUPE_WORKER_CHAT_CONCURRENCY,
      leaseSeconds: e.LOUPE_JOB_LEASE_SECONDS,
      pollMs: e.LOUPE_JOB_POLL_MS,
    },
    auditCheckpointInterval: e.LOUPE_AUDIT_CHECKPOINT_INTERVAL,
    auditCheckpointMinutes: e.LOUPE_AUDIT_CHECKPOINT_MINUTES,
    shutdownTimeoutMs: e.LOUPE_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    maxBlobBytes: e.LOUPE_MAX_BLOB_BYTES,
    maxUploadBytes: e.LOUPE_MAX_UPLOAD_BYTES,
    cardSweepMs: e.LOUPE_CARD_SWEEP_SECONDS * 1000,
    debrisSweepMs: e.LOUPE_DEBRIS_SWEEP_MINUTES * 60_000,
    retentionSweepMs: e.LOUPE_RETENTION_SWEEP_MINUTES * 60_000,
    embedded: e.DATABASE_URL === undefined,
    slack,
    teams,
    // Never on a production database: missing chat secrets there must not turn into a demo.
    demo: e.LOUPE_DEMO === 'auto' && !slack && !teams && e.DATABASE_URL === undefined,
    oidc: oidcConfig(e, publicUrl),
    session: { idleSeconds: e.LOUPE_SESSION_IDLE_SECONDS, maxSeconds: e.LOUPE_SESSION_MAX_HOURS * 3600 },
    breakGlassMinutes: e.LOUPE_BREAK_GLASS_MINUTES,
    teachingShareDays: e.LOUPE_TEACHING_SHARE_DAYS,
    pacs: pacsConfig(e),
    console: { privacyOfficerGroups: e.LOUPE_PRIVACY_OFFICER_GROUPS?.split(',') ?? [], requireMfa: e.LOUPE_CONSOLE_MFA === 'required' },
    alerts: {
      sweepMs: e.LOUPE_ALERT_SWEEP_SECONDS * 1000,
      thresholds: {
        windowMs: e.LOUPE_ALERT_WINDOW_MINUTES * 60_000,
        distinctPatients: e.LOUPE_ALERT_DISTINCT_PATIENTS,
        refusedViews: e.LOUPE_ALERT_REFUSED_VIEWS,
        failedSignIns: e.LOUPE_ALERT_FAILED_SIGN_INS,
      },
    },
  };
}
