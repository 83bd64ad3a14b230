// The console's policy form: its fields (strings, as a browser posts them)
// parsed into a policy change and the settings to inherit, or the problems,
// one per part of the form, in general words that never repeat what was
// typed. Pure; the bounds are policy-command.ts's.
import { DEFAULT_POLICY, type AcceptedKind, type ChannelPolicy, type PolicySetting, type SettingSource } from './channel-policy.js';
import { POLICY_BOUNDS, validIdentifierPattern, validLifetimeSeconds, validRetentionDays, type PolicyChangeInput } from './policy-command.js';

/** The form's parts: each is one fieldset, set at this level or inherited as a whole. */
export const POLICY_FORM_PARTS = {
  interception: ['interception'],
  kinds: ['acceptedKinds'],
  lifetime: ['cardLifetimeSeconds'],
  mfa: ['requireMfa'],
  viewers: ['membersMayView', 'consentRule'],
  identifier: ['identifierPattern', 'identifierIssuer'],
  retention: ['retentionDays'],
  preview: ['previewMode'],
  pacs: ['pacsExport'],
} as const satisfies Record<string, readonly PolicySetting[]>;

export type PolicyFormPart = keyof typeof POLICY_FORM_PARTS;
export const PART_NAMES = Object.keys(POLICY_FORM_PARTS) as PolicyFormPart[];

/** The channel page inherits from the workspace default; the workspace page from Loupe's default, and has break-glass. */
export type PolicyLevel = 'channel' | 'workspace';

/** What the form's fields hold: as posted, or as drawn from the current policy. */
export type PolicyFormValues = Record<string, string | string[] | undefined>;

export interface PolicyFormProblem {
  part: PolicyFormPart | 'breakGlass';
  message: string;
}

export type PolicyFormResult = { ok: true; change: PolicyChangeInput; inherit: PolicySetting[] } | { ok: false; problems: PolicyFormProblem[] };

export const fromField = (part: PolicyFormPart) => `from_${part}`;

const one = (v: string | string[] | undefined): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '').trim();
const many = (v: string | string[] | undefined): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
const onOff = (v: string): boolean | undefined => (v === 'on' ? true : v === 'off' ? false : undefined);
const wholeNumber = (v: string): number | undefined => (/^\d{1,7}$/.test(v) ? Number(v) : undefined);

const DAY = 86400;
const HOUR = 3600;
const MAX_LIFETIME_DAYS = POLICY_BOUNDS.maxLifetimeSeconds / DAY;
const MIN_LIFETIME_MINUTES = POLICY_BOUNDS.minLifetimeSeconds / 60;

export const LIFETIME_UNITS = { minutes: 60, hours: HOUR, days: DAY } as const;
export type LifetimeUnit = keyof typeof LIFETIME_UNITS;

export const PROBLEMS = {
  from: 'Choose whether to use the default or set a value here.',
  interception: 'Choose whether Loupe takes images out of this channel.',
  kinds: 'Choose at least one kind of image: photos, DICOM, or both.',
  lifetime: `Enter a card lifetime in whole minutes, hours or days, from ${MIN_LIFETIME_MINUTES} minutes to ${MAX_LIFETIME_DAYS} days.`,
  mfa: 'Choose whether viewing needs a multi-factor sign-in.',
  viewers: 'Choose whether channel members may view, and which consent rule applies.',
  pattern: `The identifier pattern is not a valid regular expression, is over ${POLICY_BOUNDS.patternMaxLength} characters, or repeats a repetition (like (\\d+)+), which could stall Loupe. Check its brackets and escapes.`,
  issuer: `Enter who issues the identifiers (for example LOCAL), at most ${POLICY_BOUNDS.issuerMaxLength} characters.`,
  retention: `Enter how many days to keep images, a whole number from 1 to ${POLICY_BOUNDS.maxRetentionDays}, or choose to keep them until someone sets a retention.`,
  breakGlass: 'Choose whether break-glass is allowed in this workspace.',
  preview: 'Choose whether cards carry no image or a de-identified preview.',
  pacs: 'Choose whether images go to the PACS when someone asks, or all of them automatically.',
} as const;

/** The bounds, as the form's hints say them. */
export const POLICY_BOUNDS_TEXT = {
  lifetime: `From ${MIN_LIFETIME_MINUTES} minutes to ${MAX_LIFETIME_DAYS} days.`,
  retention: `From 1 day to ${POLICY_BOUNDS.maxRetentionDays} days (30 years).`,
} as const;

type PartParse = { change: PolicyChangeInput } | { problem: string };

function parsePart(part: PolicyFormPart, f: PolicyFormValues): PartParse {
  switch (part) {
    case 'interception': {
      const v = onOff(one(f.interception));
      return v === undefined ? { problem: PROBLEMS.interception } : { change: { interception: v } };
    }
    case 'kinds': {
      const kinds = [...new Set(many(f.kinds))];
      if (!kinds.length || kinds.some((k) => k !== 'photo' && k !== 'dicom')) return { problem: PROBLEMS.kinds };
      return { change: { acceptedKinds: (['photo', 'dicom'] as AcceptedKind[]).filter((k) => kinds.includes(k)) } };
    }
    case 'lifetime': {
      const n = wholeNumber(one(f.lifetime));
      const unit = one(f.lifetimeUnit);
      const per = Object.hasOwn(LIFETIME_UNITS, unit) ? LIFETIME_UNITS[unit as LifetimeUnit] : undefined;
      const seconds = n !== undefined && per !== undefined ? n * per : undefined;
      return seconds !== undefined && validLifetimeSeconds(seconds) ? { change: { cardLifetimeSeconds: seconds } } : { problem: PROBLEMS.lifetime };
    }
    case 'mfa': {
      const v = onOff(one(f.mfa));
      return v === undefined ? { problem: PROBLEMS.mfa } : { change: { requireMfa: v } };
    }
    case 'viewers': {
      const members = onOff(one(f.members));
      const consent = one(f.consent);
      if (members === undefined || (consent !== 'care_implied' && consent !== 'always_required')) return { problem: PROBLEMS.viewers };
      return { change: { membersMayView: members, consentRule: consent } };
    }
    case 'identifier': {
      const pattern = one(f.pattern);
      const issuer = one(f.issuer);
      if (pattern && !validIdentifierPattern(pattern)) return { problem: PROBLEMS.pattern };
      if (!issuer || issuer.length > POLICY_BOUNDS.issuerMaxLength) return { problem: PROBLEMS.issuer };
      return { change: { identifierPattern: pattern || null, identifierIssuer: issuer } };
    }
    case 'retention': {
      if (one(f.retentionMode) === 'keep') return { change: { retentionDays: null } };
      const days = wholeNumber(one(f.retentionDays));
      return one(f.retentionMode) === 'days' && days !== undefined && validRetentionDays(days) ? { change: { retentionDays: days } } : { problem: PROBLEMS.retention };
    }
    case 'preview': {
      const mode = one(f.preview);
      return mode === 'none' || mode === 'deidentified' ? { change: { previewMode: mode } } : { problem: PROBLEMS.preview };
    }
    case 'pacs': {
      const mode = one(f.pacs);
      return mode === 'on_request' || mode === 'automatic' ? { change: { pacsExport: mode } } : { problem: PROBLEMS.pacs };
    }
  }
}

export function parsePolicyForm(f: PolicyFormValues, level: PolicyLevel): PolicyFormResult {
  const change: PolicyChangeInput = {};
  const inherit: PolicySetting[] = [];
  const problems: PolicyFormProblem[] = [];
  for (const part of PART_NAMES) {
    const from = one(f[fromField(part)]);
    if (from === 'inherit') {
      inherit.push(...POLICY_FORM_PARTS[part]);
      continue;
    }
    if (from !== 'set') {
      problems.push({ part, message: PROBLEMS.from });
      continue;
    }
    const parsed = parsePart(part, f);
    if ('problem' in parsed) problems.push({ part, message: parsed.problem });
    else Object.assign(change, parsed.change);
  }
  if (level === 'workspace') {
    const v = onOff(one(f.breakGlass));
    if (v === undefined) problems.push({ part: 'breakGlass', message: PROBLEMS.breakGlass });
    else change.breakGlass = v;
  }
  return problems.length ? { ok: false, problems } : { ok: true, change, inherit };
}

/** The form's fields for a policy as it is: a part is "set" where this level gives its value. */
export function policyFormValues(policy: ChannelPolicy, source: Record<PolicySetting, SettingSource>, level: PolicyLevel): PolicyFormValues {
  const own = (part: PolicyFormPart) => POLICY_FORM_PARTS[part].some((s) => source[s] === level);
  const s = policy.cardLifetimeSeconds;
  const unit: LifetimeUnit = s % DAY === 0 ? 'days' : s % HOUR === 0 ? 'hours' : 'minutes';
  return {
    ...Object.fromEntries(PART_NAMES.map((p) => [fromField(p), own(p) ? 'set' : 'inherit'])),
    interception: policy.interception ? 'on' : 'off',
    kinds: [...policy.acceptedKinds],
    lifetime: String(Math.round(s / LIFETIME_UNITS[unit])),
    lifetimeUnit: unit,
    mfa: policy.requireMfa ? 'on' : 'off',
    members: policy.membersMayView ? 'on' : 'off',
    consent: policy.consentRule,
    pattern: policy.identifierPattern ?? '',
    issuer: policy.identifierIssuer,
    retentionMode: policy.retentionDays === null ? 'keep' : 'days',
    retentionDays: String(policy.retentionDays ?? DEFAULT_POLICY.retentionDays),
    preview: policy.previewMode,
    pacs: policy.pacsExport,
    breakGlass: policy.breakGlass ? 'on' : 'off',
  };
}
