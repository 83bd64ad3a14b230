// The text of `/loupe policy ...`: what an admin types, parsed into a policy
// change or what was wrong. Pure; the platforms share it and word the
// answers themselves.
import type { AcceptedKind, ChannelPolicy } from './channel-policy.js';

export type PolicyChangeInput = Partial<Pick<ChannelPolicy, 'interception' | 'acceptedKinds' | 'cardLifetimeSeconds' | 'identifierPattern' | 'identifierIssuer' | 'membersMayView' | 'requireMfa' | 'breakGlass'>>;

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
  return seconds >= 300 && seconds <= 30 * 86400 ? seconds : undefined;
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
    case 'pattern': {
      if (value === 'none') return { kind: 'set', scope, change: { identifierPattern: null } };
      try {
        new RegExp(value, 'u');
      } catch {
        return bad('that pattern is not a valid regular expression.');
      }
      return { kind: 'set', scope, change: { identifierPattern: value } };
    }
    case 'issuer':
      return value.length <= 64 ? { kind: 'set', scope, change: { identifierIssuer: value } } : bad('the issuer is at most 64 characters.');
    default:
      return bad(`there is no setting called ${key.slice(0, 20)}.`);
  }
}
