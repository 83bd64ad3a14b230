// The channel policy that applies to one channel: the channel's own settings
// where an admin set them, else the workspace default. Pure.

export type AcceptedKind = 'photo' | 'dicom';

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
  /** Workspace-wide: a clinician without a grant may open an image by stating a reason. Off until an admin turns it on. */
  breakGlass: boolean;
  legalHold: boolean;
}

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
  breakGlass: false,
  legalHold: false,
};

/** The channel's row wins over the workspace default; either may be absent. */
export function effectivePolicy(workspaceDefault: Partial<ChannelPolicy> | undefined, channel: Partial<ChannelPolicy> | undefined): ChannelPolicy {
  return { ...DEFAULT_POLICY, ...workspaceDefault, ...channel };
}

/** The first patient identifier in `text` by the policy's pattern; an invalid pattern finds nothing. */
export function identifierIn(policy: ChannelPolicy, text: string): string | undefined {
  if (!policy.identifierPattern || !text) return undefined;
  let re: RegExp;
  try {
    re = new RegExp(policy.identifierPattern, 'u');
  } catch {
    return undefined;
  }
  const m = re.exec(text);
  return m ? (m[1] ?? m[0]) : undefined;
}
