// The text of `/loupe policy ...`: what an admin types, parsed into a policy
// change or what was wrong. Pure; the platforms share it and word the
// answers themselves.
import { PATTERN_MAX_LENGTH, validIdentifierPattern } from './identifier-pattern.js';
import { MAX_RETENTION_DAYS, type AcceptedKind, type ChannelPolicy, type PolicySetting } from './channel-policy.js';

export type PolicyChangeInput = Partial<Pick<ChannelPolicy, PolicySetting | 'breakGlass'>>;

/** Bounds every way of changing a policy keeps (command, console). */
export const POLICY_BOUNDS = { minLifetimeSeconds: 300, maxLifetimeSeconds: 30 * 86400, issuerMaxLength: 64, patternMaxLength: PATTERN_MAX_LENGTH, maxRetentionDays: MAX_RETENTION_DAYS } as const;

/** A retention in whole days within bounds, or null to keep images until someone sets one. */
export function validRetentionDays(v: number | null): boolean {
  return v === null || (Number.isInteger(v) && v >= 1 && v <= POLICY_BOUNDS.maxRetentionDays);
}

/** A card lifetime within bounds. */
export function validLifetimeSeconds(v: number): boolean {
  return Number.isInteger(v) && v >= POLICY_BOUNDS.minLifetimeSeconds && v <= POLICY_BOUNDS.maxLifetimeSeconds;
}

export { validIdentifierPattern };

export type PolicyCommand =
  | { kind: 'show'; scope: 'channel' | 'workspace' }
  | { kind: 'set'; scope: 'channel' | 'workspace'; change: PolicyChangeInput }
  /** `problem` says what was wrong, when the command was understood that far; each platform adds its usage text. */
  | { kind: 'error'; problem: string | undefined };

const onOff = (v: string) => (v === 'on' ? true : v === 'off' ? false : undefined);

function lifetime(v: string): number | undefined {
  const m = /^(\d+)([mhd])$/.exec(v);
  if (!m) return undefined;
  const seconds = Number(m[1]) * { m: 60, h: 3600, d: 86400 }[m[2] as 'm' | 'h' | 'd'];
  return validLifetimeSeconds(seconds) ? seconds : undefined;
}

/** `90d`, `2y` (365 days a year) or `keep`. */
function retention(v: string): number | null | undefined {
  if (v === 'keep') return null;
  const m = /^(\d+)([dy])$/.exec(v);
  if (!m) return undefined;
  const days = Number(m[1]) * (m[2] === 'y' ? 365 : 1);
  return validRetentionDays(days) ? days : undefined;
}

export function parsePolicyCommand(text: string): PolicyCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const scope = words[0] === 'workspace' ? 'workspace' : 'channel';
  if (scope === 'workspace') words.shift();
  if (!words.length) return { kind: 'show', scope };
  if (words[0] !== 'set' || words.length < 3) return { kind: 'error', problem: undefined };
  const key = words[1]!;
  const value = words.slice(2).join(' ');
  const bad = (what: string): PolicyCommand => ({ kind: 'error', problem: what });
  switch (key) {
    case 'interception': {
      const v = onOff(value);
      return v === undefined ? bad('interception is on or off.') : { kind: 'set', scope, change: { interception: v } };
    }
    case 'members': {
      const v = onOff(value);
      return v === undefined ? bad('members is on or off.') : { kind: 'set', scope, change: { membersMayView: v } };
    }
    case 'mfa': {
      const v = onOff(value);
      return v === undefined ? bad('mfa is on or off.') : { kind: 'set', scope, change: { requireMfa: v } };
    }
    case 'breakglass': {
      const v = onOff(value);
      return v === undefined ? bad('breakglass is on or off.') : { kind: 'set', scope, change: { breakGlass: v } };
    }
    case 'kinds': {
      const kinds = value.split(',').map((k) => k.trim());
      if (!kinds.length || kinds.some((k) => k !== 'photo' && k !== 'dicom')) return bad('kinds are photo, dicom or both.');
      return { kind: 'set', scope, change: { acceptedKinds: [...new Set(kinds)] as AcceptedKind[] } };
    }
    case 'lifetime': {
      const v = lifetime(value);
      return v === undefined ? bad('lifetime is like 90m, 48h or 7d, from 5 minutes to 30 days.') : { kind: 'set', scope, change: { cardLifetimeSeconds: v } };
    }
    case 'retention': {
      const v = retention(value);
      return v === undefined ? bad('retention is like 90d or 2y (up to 30 years), or keep.') : { kind: 'set', scope, change: { retentionDays: v } };
    }
    case 'pattern': {
      if (value === 'none') return { kind: 'set', scope, change: { identifierPattern: null } };
      if (!validIdentifierPattern(value)) return bad('that pattern is not a valid regular expression, is over 200 characters, or repeats a repetition (like (\\d+)+), which could stall Loupe.');
      return { kind: 'set', scope, change: { identifierPattern: value } };
    }
    case 'preview':
      return value === 'none' || value === 'deidentified' ? { kind: 'set', scope, change: { previewMode: value } } : bad('preview is none or deidentified.');
    case 'pacs':
      return value === 'on_request' || value === 'automatic' ? { kind: 'set', scope, change: { pacsExport: value } } : bad('pacs is on_request or automatic.');
    case 'issuer':
      return value.length <= POLICY_BOUNDS.issuerMaxLength ? { kind: 'set', scope, change: { identifierIssuer: value } } : bad('the issuer is at most 64 characters.');
    default:
      return bad(`there is no setting called ${key.slice(0, 20)}.`);
  }
}
