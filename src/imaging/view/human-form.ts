// DICOM values as a person reads them in the viewer's Study details: names
// given name first, dates with the month in words, coded values in words,
// measures with their unit. Pure and total: whatever the header holds, the
// answer is a string; a value that does not parse is shown as given (never
// a guessed date or name), and a missing one as NOT_RECORDED.
import type { ViewFacts } from './view-facts.js';

export const NOT_RECORDED = '—';

// Fixed English abbreviations, not the server's locale: the same page reads the same everywhere.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const present = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * A DA value (YYYYMMDD, the older YYYY.MM.DD, or a partial YYYYMM or YYYY)
 * as "19 Jan 2004", "Jan 2004" or "2004". Day first with the month in words
 * cannot be misread as 01/02 either way round.
 */
export function dicomDate(da: string | undefined): string {
  const value = present(da);
  if (value === undefined) return NOT_RECORDED;
  const m = /^(\d{4})(?:\.?(\d{2})(?:\.?(\d{2}))?)?$/.exec(value);
  if (!m || (m[0].includes('.') && !/^\d{4}\.\d{2}\.\d{2}$/.test(value))) return value;
  const year = Number(m[1]);
  if (year < 1) return value;
  if (m[2] === undefined) return m[1]!;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return value;
  if (m[3] === undefined) return `${MONTHS[month - 1]} ${m[1]}`;
  const day = Number(m[3]);
  if (day < 1 || day > daysIn(year, month)) return value;
  return `${day} ${MONTHS[month - 1]} ${m[1]}`;
}

/** A TM value (HHMMSS.FFFFFF, partial to the minute, or the older HH:MM:SS) as 24-hour "07:27"; the hour alone is shown as given. */
export function dicomTime(tm: string | undefined): string {
  const value = present(tm);
  if (value === undefined) return NOT_RECORDED;
  const m = /^(\d{2}):?(\d{2})(?::?(\d{2})(?:\.\d{1,6})?)?$/.exec(value);
  if (!m) return value;
  const [hours, minutes, seconds] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 60) return value;
  return `${m[1]}:${m[2]}`;
}

/** A study's date with its time when the header gives one: "19 Jan 2004, 07:27". */
export function dicomDateTime(da: string | undefined, tm: string | undefined): string {
  const date = dicomDate(da);
  if (date === NOT_RECORDED || present(tm) === undefined) return date;
  return `${date}, ${dicomTime(tm)}`;
}

const isShouted = (text: string): boolean => text !== text.toLowerCase() && text === text.toUpperCase();
const titleCase = (text: string): string => text.toLowerCase().replace(/(^|[\s'’-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
const words = (text: string): string => text.trim().replace(/\s+/g, ' ');

/** One component group (family^given^middle^prefix^suffix), undefined when it is empty. */
function alphabetic(group: string[]): string | undefined {
  const parts = group.map(words);
  const filled = parts.filter((p) => p !== '');
  if (filled.length === 0) return undefined;
  // One word alone may be a code or a placeholder as much as a name: it stays as it is.
  if (filled.length === 1) return filled[0];
  // All capitals is how many systems store every name; a name typed in mixed case keeps its case.
  const shouted = isShouted(parts.join(''));
  const cased = (p: string) => (shouted ? titleCase(p) : p);
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = parts;
  // A suffix is often letters that stay capitals (III, MD, PhD); only Jr and Sr read better in title case.
  const end = shouted ? suffix.replace(/\b(JR|SR)\b/g, (s) => titleCase(s)) : suffix;
  const name = [prefix, given, middle, family].filter((p) => p !== '').map(cased).join(' ');
  return end === '' ? name : name === '' ? end : `${name}, ${end}`;
}

/** Ideographic and phonetic groups keep the family name first, as those scripts write it. */
function familyFirst(group: string[]): string | undefined {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = group.map(words);
  const name = [prefix, family, given, middle, suffix].filter((p) => p !== '').join(' ');
  return name === '' ? undefined : name;
}

/**
 * A PN value as a person reads it: `DOE^JOHN^A^DR^JR` is "Dr John A Doe, Jr".
 * Ideographic and phonetic groups (after `=`) follow in brackets. A value
 * that is not a person name's shape is shown as given.
 */
export function personName(pn: string | undefined): string {
  const value = present(pn);
  if (value === undefined) return NOT_RECORDED;
  if (!value.includes('^') && !value.includes('=')) return value;
  const groups = value.split('=').map((g) => g.split('^'));
  if (groups.length > 3 || groups.some((g) => g.length > 5)) return value;
  const [first = [], ...others] = groups;
  const shown = [alphabetic(first), ...others.map(familyFirst)].filter((n): n is string => n !== undefined);
  const [main, ...rest] = shown;
  if (main === undefined) return NOT_RECORDED;
  return rest.length === 0 ? main : `${main} (${rest.join('; ')})`;
}

const NUMBER = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 4, useGrouping: false });

/** A length in millimetres: "5 mm". */
export function millimetres(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? NOT_RECORDED : `${NUMBER.format(value)} mm`;
}

/**
 * Pixel Spacing's pair (between rows, between columns) in the order the size
 * is given, across by down: "0.6615 × 0.6615 mm", saying which is which when
 * they differ.
 */
export function pixelSpacing(spacing: readonly [number, number] | undefined): string {
  if (spacing === undefined || !spacing.every(Number.isFinite)) return NOT_RECORDED;
  const [down, across] = spacing;
  const pair = `${NUMBER.format(across)} × ${NUMBER.format(down)} mm`;
  return across === down ? pair : `${pair} (across × down)`;
}

/** An image's size in pixels, across by down: "512 × 512 px". */
export function imageSize(columns: number | undefined, rows: number | undefined): string {
  if (columns === undefined && rows === undefined) return NOT_RECORDED;
  return `${columns ?? '?'} × ${rows ?? '?'} px`;
}

// Codes in words; a code not in the table is shown as given.
const coded = (table: Record<string, string>) => (cs: string | undefined): string => {
  const value = present(cs);
  if (value === undefined) return NOT_RECORDED;
  const key = value.toUpperCase();
  return Object.hasOwn(table, key) ? table[key]! : value;
};

/** Patient's Sex (0010,0040): M, F or O in words. */
export const patientSex = coded({ M: 'Male', F: 'Female', O: 'Other' });

// RT Dose module (PS3.3 C.8.8.3): what a dose grid's values are and what they add up.
const DOSE_UNITS: Record<string, string> = { GY: 'Gy', RELATIVE: 'relative (to a reference dose)' };
const DOSE_TYPES: Record<string, string> = {
  PHYSICAL: 'Physical',
  EFFECTIVE: 'Effective (physical dose corrected for biological effect)',
  ERROR: 'Error (difference between desired and planned dose)',
};
const DOSE_SUMMATIONS: Record<string, string> = {
  PLAN: 'Whole plan (all fraction groups)',
  MULTI_PLAN: 'Several plans',
  PLAN_OVERVIEW: 'Plan overview',
  FRACTION: 'One fraction group',
  BEAM: 'One or more beams',
  BRACHY: 'One or more brachytherapy application setups',
  FRACTION_SESSION: 'One session of one fraction group',
  BEAM_SESSION: 'One session of one or more beams',
  BRACHY_SESSION: 'One session of one or more brachytherapy application setups',
  CONTROL_POINT: 'Control points of one beam, for one fraction',
  RECORD: 'A treatment record',
};

/** Dose Units (3004,0002). */
export const doseUnits = coded(DOSE_UNITS);
/** Dose Type (3004,0004). */
export const doseType = coded(DOSE_TYPES);
/** Dose Summation Type (3004,000A). */
export const doseSummation = coded(DOSE_SUMMATIONS);

/** The study's rows of Study details, in order; the measures and a dose grid's rows only where the header has them. */
export function studyFields(facts: Partial<ViewFacts>): [string, string][] {
  const fields: [string, string][] = [
    ['Modality', facts.modality ?? NOT_RECORDED],
    ['Body part', facts.bodyPart ?? NOT_RECORDED],
    ['Study', facts.studyDescription ?? NOT_RECORDED],
    ['Series', facts.seriesDescription ?? NOT_RECORDED],
    ['Study date', dicomDateTime(facts.studyDate, facts.studyTime)],
    ['Frames', facts.frames === undefined ? NOT_RECORDED : String(facts.frames)],
    ['Size', imageSize(facts.columns, facts.rows)],
  ];
  // A projection image may give its spacing only at the detector, which is not the patient's scale: said so.
  if (facts.pixelSpacing === undefined && facts.imagerPixelSpacing !== undefined) fields.push(['Pixel spacing (at the detector)', pixelSpacing(facts.imagerPixelSpacing)]);
  else fields.push(['Pixel spacing', pixelSpacing(facts.pixelSpacing)]);
  if (facts.sliceThickness !== undefined) fields.push(['Slice thickness', millimetres(facts.sliceThickness)]);
  if (facts.modality === 'RTDOSE' || facts.doseUnits !== undefined) {
    fields.push(['Dose units', doseUnits(facts.doseUnits)], ['Dose type', doseType(facts.doseType)], ['Dose summation', doseSummation(facts.doseSummation)]);
  }
  return fields;
}
