// The channel policy that applies to one channel: the channel's own settings
// where an admin set them, else the workspace default, else Loupe's own
// default; and, for the console, where each value came from. Pure.
import { validIdentifierPattern } from './identifier-pattern.js';

export type AcceptedKind = 'photo' | 'dicom';

export type PreviewMode = 'none' | 'deidentified';

/** on_request: an image goes to the PACS when someone presses Send to PACS; automatic: every image does once its card is active. */
export type PacsExportMode = 'on_request' | 'automatic';

export interface ChannelPolicy {
  interception: boolean;
  acceptedKinds: AcceptedKind[];
  cardLifetimeSeconds: number;
  /** A regular expression an identifier in message text matches (the first group, or the whole match). */
  identifierPattern: string | null;
  /** The issuer recorded with an identifier found in message text. */
  identifierIssuer: string;
  membersMayView: boolean;
  /** Viewing needs a multi-factor sign-in. */
  requireMfa: boolean;
  /** care_implied: the care team needs no recorded consent unless refused; always_required: every view needs one. */
  consentRule: 'care_implied' | 'always_required';
  /** Days an image is kept after Loupe received it, then crypto-shredded; null keeps it until someone sets a retention. */
  retentionDays: number | null;
  /** none: cards carry no pixels; deidentified: a card may carry a small preview (see card-preview.ts). Off until an admin turns it on. */
  previewMode: PreviewMode;
  /** automatic: every image whose card becomes active is sent to the configured PACS, by the channel's policy (see src/app/pacs). Off until an admin turns it on. */
  pacsExport: PacsExportMode;
  /** Workspace-wide: a clinician without a grant may open an image by stating a reason. Off until an admin turns it on. */
  breakGlass: boolean;
  /** Not a setting: a legal hold on the channel (or the whole workspace) is in force. */
  legalHold: boolean;
}

/** The settings a channel policy row may set; break-glass is the workspace's, and holds are set apart. */
export const POLICY_SETTINGS = [
  'interception',
  'acceptedKinds',
  'cardLifetimeSeconds',
  'identifierPattern',
  'identifierIssuer',
  'membersMayView',
  'requireMfa',
  'consentRule',
  'retentionDays',
  'previewMode',
  'pacsExport',
] as const satisfies readonly (keyof ChannelPolicy)[];

export type PolicySetting = (typeof POLICY_SETTINGS)[number];

/** Where a value comes from: the channel's own row, the workspace default, or Loupe's default. */
export type SettingSource = 'channel' | 'workspace' | 'loupe';

/** Loupe's default retention for a new workspace (docs/privacy.md: "Retention and legal hold"). */
export const DEFAULT_RETENTION_DAYS = 365;

/** The longest retention the console and commands accept: 30 years. */
export const MAX_RETENTION_DAYS = 30 * 366;

/** What Loupe does with no setting at all: nothing is intercepted until an admin turns it on. */
export const DEFAULT_POLICY: ChannelPolicy = {
  interception: false,
  acceptedKinds: ['photo', 'dicom'],
  cardLifetimeSeconds: 48 * 3600,
  identifierPattern: null,
  identifierIssuer: 'LOCAL',
  membersMayView: false,
  requireMfa: false,
  consentRule: 'care_implied',
  retentionDays: DEFAULT_RETENTION_DAYS,
  previewMode: 'none',
  pacsExport: 'on_request',
  breakGlass: false,
  legalHold: false,
};

/** The channel's row wins over the workspace default; either may be absent. */
export function effectivePolicy(workspaceDefault: Partial<ChannelPolicy> | undefined, channel: Partial<ChannelPolicy> | undefined): ChannelPolicy {
  return resolvePolicy(workspaceDefault, channel).policy;
}

/** The effective policy and, for each setting, which level gave its value. */
export function resolvePolicy(
  workspaceDefault: Partial<ChannelPolicy> | undefined,
  channel: Partial<ChannelPolicy> | undefined,
): { policy: ChannelPolicy; source: Record<PolicySetting, SettingSource> } {
  const policy = { ...DEFAULT_POLICY, ...workspaceDefault, ...channel };
  const source = Object.fromEntries(
    POLICY_SETTINGS.map((k) => [k, channel && k in channel ? 'channel' : workspaceDefault && k in workspaceDefault ? 'workspace' : 'loupe']),
  ) as Record<PolicySetting, SettingSource>;
  return { policy, source };
}

/** How much of a message is searched for an identifier: it comes first in a consult message, and a bounded input bounds the time. */
export const IDENTIFIER_SEARCH_CHARS = 2000;

/** The first patient identifier in `text` by the policy's pattern; an invalid or unsafe pattern (stored before the checks) finds nothing. */
export function identifierIn(policy: ChannelPolicy, text: string): string | undefined {
  if (!policy.identifierPattern || !text || !validIdentifierPattern(policy.identifierPattern)) return undefined;
  const re = new RegExp(policy.identifierPattern, 'u');
  const m = re.exec(text.slice(0, IDENTIFIER_SEARCH_CHARS));
  return m ? (m[1] ?? m[0]) : undefined;
}
