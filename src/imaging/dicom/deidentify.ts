// De-identifies a DICOM instance per PS3.15 Annex E, driven by Table E.1-1:
// every action, at every depth of every sequence; private attributes removed
// (or, with Retain Safe Private, kept where Table E.3.10-1 lists them);
// UIDs replaced by keyed hashes (the same original UID always maps to the same
// new one within a workspace, and nobody can reverse it without the secret);
// the de-identification itself recorded in the header. Pixel data is never
// touched.
import { createHmac } from 'node:crypto';
import type { DicomDataset, DicomDict, DicomElement } from './dcmjs.js';
import { extractFacts } from './extract.js';
import { BASIC_PROFILE, ConfidentialityProfile, PROFILE_OPTIONS, type Action, type ProfileOption } from './profile.js';
import { SafePrivateAttributes } from './safe-private.js';
import { text } from './values.js';

export interface DeidentifyOptions {
  /** The workspace secret: keys UID replacement and the per-patient date shift. */
  secret: Uint8Array;
  options?: Partial<Record<ProfileOption, boolean>>;
}

export interface DeidentifyReport {
  removed: number;
  emptied: number;
  replaced: number;
  cleaned: number;
  kept: number;
  uidsReplaced: number;
  datesShifted: number;
  privateRemoved: number;
  /** Days every date moved, when dates were kept modified. */
  dateShiftDays: number | undefined;
  options: ProfileOption[];
  burnedInSuspected: boolean;
  warnings: string[];
}

const PIXEL_DATA = '7FE00010';
const TEXT_VRS = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'PN']);
const NUMERIC_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV']);

/** A UID under the 2.25 root (a UUID-derived UID), from an HMAC of the original. */
export function replacementUid(secret: Uint8Array, uid: string): string {
  const digest = createHmac('sha256', secret).update(`loupe-uid/1\0${uid}`).digest();
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString()}`;
}

/** Between 1 and 3650 days back, fixed per patient and workspace. */
export function dateShiftDays(secret: Uint8Array, patientKey: string): number {
  const digest = createHmac('sha256', secret).update(`loupe-date-shift/1\0${patientKey}`).digest();
  return -(1 + (digest.readUInt32BE(0) % 3650));
}

function shiftDate(da: string, days: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(da);
  if (!m) return '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(d.getTime())) return '';
  d.setUTCDate(d.getUTCDate() + days);
  return `${d.getUTCFullYear().toString().padStart(4, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function dummy(vr: string, original: DicomElement, secret: Uint8Array): DicomElement {
  switch (vr) {
    case 'PN':
      return { vr, Value: [{ Alphabetic: 'ANONYMIZED' }] };
    case 'DA':
      return { vr, Value: ['19000101'] };
    case 'TM':
      return { vr, Value: ['000000'] };
    case 'DT':
      return { vr, Value: ['19000101000000'] };
    case 'AS':
      return { vr, Value: ['000Y'] };
    case 'DS':
    case 'IS':
      return { vr, Value: [0] };
    case 'UI':
      return { vr, Value: (original.Value ?? []).map((u) => replacementUid(secret, String(u))) };
    case 'CS':
      return { vr, Value: ['ANONYMIZED'] };
    case 'AE':
    case 'LO':
    case 'SH':
    case 'ST':
    case 'LT':
    case 'UT':
    case 'UC':
      return { vr, Value: ['ANONYMIZED'] };
    default:
      // Binary, numeric and URL values have no meaningful dummy: emptied instead.
      return NUMERIC_VRS.has(vr) ? { vr, Value: [0] } : { vr, Value: [] };
  }
}

export class Deidentifier {
  private readonly profile = new ConfidentialityProfile();
  private readonly safePrivate = new SafePrivateAttributes();

  /** Modifies `dicom` in place and reports what was done (counts only, no values). */
  deidentify(dicom: DicomDict, o: DeidentifyOptions): DeidentifyReport {
    const enabled = (Object.keys(PROFILE_OPTIONS) as ProfileOption[]).filter((k) => o.options?.[k]);
    const facts = extractFacts(dicom);
    const patientKey = `${facts.patient.issuer ?? ''}\0${facts.patient.identifier ?? facts.studyInstanceUid ?? ''}`;
    const shift = enabled.includes('retainLongitudinalModifiedDates') ? dateShiftDays(o.secret, patientKey) : undefined;
    // Words that identify the patient, for cleaning free text that is kept.
    const phiWords = [facts.patient.name, facts.patient.identifier, facts.patient.birthDate]
      .flatMap((v) => (v ?? '').split(/[\^=\s]+/))
      .filter((w) => w.length >= 3);
    const report: DeidentifyReport = {
      removed: 0,
      emptied: 0,
      replaced: 0,
      cleaned: 0,
      kept: 0,
      uidsReplaced: 0,
      datesShifted: 0,
      privateRemoved: 0,
      dateShiftDays: shift,
      options: enabled,
      burnedInSuspected: facts.burnedInSuspected,
      warnings: facts.burnedInSuspected ? ['burned-in text is present or likely: preview withheld'] : [],
    };

    const clean = (el: DicomElement): DicomElement => {
      if (shift !== undefined && (el.vr === 'DA' || el.vr === 'DT')) {
        report.datesShifted++;
        return {
          vr: el.vr,
          Value: (el.Value ?? []).map((v) => {
            const s = String(v);
            return el.vr === 'DA' ? shiftDate(s, shift) : shiftDate(s, shift) + s.slice(8);
          }),
        };
      }
      if (TEXT_VRS.has(el.vr)) {
        const scrub = (s: string) =>
          phiWords.reduce((acc, w) => acc.replace(new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), ''), s);
        return {
          vr: el.vr,
          Value: (el.Value ?? []).map((v) =>
            el.vr === 'PN' && typeof v === 'object' ? { Alphabetic: scrub(String((v as { Alphabetic?: unknown }).Alphabetic ?? '')) } : scrub(String(v)),
          ),
        };
      }
      // Cleaning a value it cannot read safely (times, codes, binary) means removing it.
      return { vr: el.vr, Value: [] };
    };

    // Sequences are walked whatever their own action keeps of them.
    const walkItems = (el: DicomElement) => {
      for (const item of (el.Value ?? []) as DicomDataset[]) walk(item);
    };
    // Private attributes go, unless the standard lists them as safe and the option keeps those.
    const privateAttribute = (ds: DicomDataset, tag: string, keep: Set<string>) => {
      const el = ds[tag]!;
      if (!keep.has(tag)) {
        delete ds[tag];
        report.privateRemoved++;
        return;
      }
      report.kept++;
      if (el.vr === 'SQ') walkItems(el);
      else if (el.vr === 'UI' && !enabled.includes('retainUids')) {
        ds[tag] = { vr: 'UI', Value: (el.Value ?? []).map((u) => replacementUid(o.secret, String(u))) };
        report.uidsReplaced++;
      }
    };
    const walk = (ds: DicomDataset): void => {
      const safePrivate = enabled.includes('retainSafePrivate') ? this.safePrivateTags(ds) : new Set<string>();
      for (const tag of Object.keys(ds)) {
        const el = ds[tag]!;
        if (tag.toUpperCase() === PIXEL_DATA) continue;
        if (parseInt(tag.slice(0, 4), 16) % 2 === 1) {
          privateAttribute(ds, tag, safePrivate);
          continue;
        }
        const rule = this.profile.ruleFor(tag);
        let action: Action | undefined = rule?.basic;
        if (rule) for (const option of enabled) action = rule.options[option] ?? action;
        switch (action) {
          case undefined:
          case 'K':
            if (action === 'K') report.kept++;
            if (el.vr === 'SQ') walkItems(el);
            break;
          case 'X':
            delete ds[tag];
            report.removed++;
            break;
          case 'Z':
            ds[tag] = { vr: el.vr, Value: [] };
            report.emptied++;
            break;
          case 'D':
            if (el.vr === 'SQ') {
              walkItems(el);
            } else {
              ds[tag] = dummy(el.vr, el, o.secret);
              if (el.vr === 'UI') report.uidsReplaced++;
            }
            report.replaced++;
            break;
          case 'U':
            if (el.vr === 'SQ') {
              walkItems(el);
            } else if (el.vr === 'UI') {
              ds[tag] = { vr: 'UI', Value: (el.Value ?? []).map((u) => replacementUid(o.secret, String(u))) };
              report.uidsReplaced++;
            } else {
              ds[tag] = { vr: el.vr, Value: [] };
              report.emptied++;
            }
            break;
          case 'C':
            if (el.vr === 'SQ') walkItems(el);
            else ds[tag] = clean(el);
            report.cleaned++;
            break;
        }
      }
    };

    walk(dicom.dict);
    this.record(dicom, enabled, shift);
    return report;
  }

  /** The private tags of one dataset that Table E.3.10-1 lists as safe, with the creators of their blocks. */
  private safePrivateTags(ds: DicomDataset): Set<string> {
    const keep = new Set<string>();
    for (const tag of Object.keys(ds)) {
      const group = parseInt(tag.slice(0, 4), 16);
      const element = parseInt(tag.slice(4), 16);
      if (group % 2 === 0 || element < 0x1000) continue;
      const creatorTag = `${tag.slice(0, 4)}00${tag.slice(4, 6)}`.toUpperCase();
      const creator = text(ds, creatorTag);
      if (creator && this.safePrivate.has(creator, group, element & 0xff)) keep.add(tag).add(creatorTag);
    }
    return keep;
  }

  /** Patient Identity Removed, the method and its codes, and what happened to dates. */
  private record(dicom: DicomDict, enabled: ProfileOption[], shift: number | undefined): void {
    const ds = dicom.dict;
    const codes = [BASIC_PROFILE, ...enabled.map((k) => PROFILE_OPTIONS[k])];
    ds['00120062'] = { vr: 'CS', Value: ['YES'] };
    ds['00120063'] = { vr: 'LO', Value: ['Loupe: PS3.15 E.1 Basic Profile' + (enabled.length ? ` + ${enabled.length} option(s)` : '')] };
    ds['00120064'] = {
      vr: 'SQ',
      Value: codes.map((c) => ({
        '00080100': { vr: 'SH', Value: [c.code] },
        '00080102': { vr: 'SH', Value: ['DCM'] },
        '00080104': { vr: 'LO', Value: [c.meaning] },
      })),
    };
    ds['00280303'] = { vr: 'CS', Value: [shift !== undefined ? 'MODIFIED' : 'REMOVED'] };
    // The file meta names the instance too; it must follow the new UID.
    const sop = text(ds, '00080018');
    if (sop) dicom.meta['00020003'] = { vr: 'UI', Value: [sop] };
  }
}
