// The body-weight SUV (SUVbw) of a PET image as one factor, SUV = modality
// value (Bq/ml) × factor, or the reason there is none. Pure: the header's
// values come in as text and numbers; only the factor or the reason leaves
// the imaging sandbox (never the weight, dose or times).
//
// The rules are QIBA's vendor-neutral SUV pseudo-code (QIBA wiki,
// "Standardized Uptake Value (SUV)", for the FDG-PET/CT profile) on the
// DICOM PET Series and PET Isotope modules (PS3.3 C.8.9.1, C.8.9.2; Decay
// Correction's terms in C.8.9.1.1.5): Units BQML; Corrected Image with ATTN
// and DECY; Decay Correction START (decay the dose from injection to Series
// Date/Time, which must not be after the acquisition) or ADMIN (already
// corrected to injection: no decay), never NONE; the first item of the
// Radiopharmaceutical Information Sequence for dose (Bq) and half-life (s);
// factor = weight (g) / decayed dose (Bq). Vendors' private scan times and
// scale factors (GE, Philips) are not used: no number rather than a guess.
// Enhanced PET is refused: its dose is in MBq (C.8.22.4) and its
// corrections are per frame.

export type Suv = { factor: number } | { unavailable: string };

/** PET Image Storage: the classic IOD, whose Radionuclide Total Dose is in Bq (Enhanced PET's is in MBq, in other places). */
export const PET_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.128';

/** What SUVbw needs from the header, as given (DA, TM and DT as their text). */
export interface SuvInputs {
  sopClass: string | undefined;
  /** Units (0054,1001). */
  units: string | undefined;
  /** Corrected Image (0028,0051), every value. */
  corrected: string[];
  /** Decay Correction (0054,1102). */
  decayCorrection: string | undefined;
  /** Patient's Weight (0010,1030) in kg. */
  weightKg: number | undefined;
  seriesDate: string | undefined;
  seriesTime: string | undefined;
  acquisitionDate: string | undefined;
  acquisitionTime: string | undefined;
  /** Timezone Offset From UTC (0008,0201), "+HHMM" or "-HHMM". */
  timezoneOffset: string | undefined;
  /** From the first item of the Radiopharmaceutical Information Sequence (0054,0016). */
  startDateTime: string | undefined;
  startTime: string | undefined;
  totalDoseBq: number | undefined;
  halfLifeS: number | undefined;
}

const DAY_S = 24 * 60 * 60;

const no = (why: string): Suv => ({ unavailable: `SUV: ${why}` });

/** "+HHMM" or "-HHMM" in seconds east of UTC; undefined when absent or malformed. */
function offsetOf(text: string | undefined): number | undefined {
  const m = /^([+-])(\d\d)(\d\d)$/.exec(text?.trim() ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : undefined;
}

/** A DA (YYYYMMDD) and a TM (HHMMSS.FFFFFF, or the old HH:MM:SS) as seconds on the clock they were written in; undefined when either is missing or malformed. */
function clockSeconds(date: string | undefined, time: string | undefined): number | undefined {
  const d = /^(\d{4})(\d\d)(\d\d)$/.exec(date?.trim() ?? '');
  const t = /^(\d\d)(\d\d)?(\d\d)?(\.\d+)?$/.exec(time?.trim().replaceAll(':', '') ?? '');
  if (!d || !t) return undefined;
  const day = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) / 1000;
  const seconds = Number(t[1]) * 3600 + Number(t[2] ?? 0) * 60 + Number(t[3] ?? 0) + Number(t[4] ?? 0);
  return Number.isFinite(day) ? day + seconds : undefined;
}

/** A DT (YYYYMMDDHHMMSS.FFFFFF&ZZXX): seconds on its clock, and its own offset when it gives one. */
function dateTime(text: string | undefined): { at: number; offset: number | undefined } | undefined {
  const m = /^(\d{8})(\d{2,6}(?:\.\d+)?)?([+-]\d{4})?$/.exec(text?.trim() ?? '');
  const at = m ? clockSeconds(m[1], m[2] ?? '00') : undefined;
  return m && at !== undefined ? { at, offset: offsetOf(m[3]) } : undefined;
}

/** Seconds from the injection to the series' start, on UTC when the header says its offsets; undefined when the header cannot say. */
function decaySeconds(h: SuvInputs): number | undefined {
  const zone = offsetOf(h.timezoneOffset);
  const series = clockSeconds(h.seriesDate, h.seriesTime);
  if (series === undefined) return undefined;
  const start = dateTime(h.startDateTime);
  if (start) return series - (zone ?? start.offset ?? 0) - (start.at - (start.offset ?? zone ?? 0));
  // A start time alone is on the series' day; one later in the day than the series was the day before.
  const sameDay = clockSeconds(h.seriesDate, h.startTime);
  if (sameDay === undefined) return undefined;
  return sameDay > series ? series - sameDay + DAY_S : series - sameDay;
}

const positive = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n > 0;

export function suvFactor(h: SuvInputs): Suv {
  if (h.sopClass !== PET_IMAGE_STORAGE) return no('not a classic PET image');
  if (h.units?.toUpperCase() !== 'BQML') return no('units not Bq/ml');
  const corrected = new Set(h.corrected.map((c) => c.trim().toUpperCase()));
  if (!corrected.has('ATTN')) return no('not attenuation corrected');
  if (!corrected.has('DECY')) return no('not decay corrected');
  const decay = h.decayCorrection?.trim().toUpperCase();
  if (decay !== 'START' && decay !== 'ADMIN') return no('not decay corrected');
  if (!positive(h.weightKg)) return no('no weight in header');
  if (!positive(h.totalDoseBq)) return no('no injected dose');
  if (decay === 'ADMIN') return { factor: (h.weightKg * 1000) / h.totalDoseBq };
  if (!positive(h.halfLifeS)) return no('no half-life');
  const acquired = clockSeconds(h.acquisitionDate ?? h.seriesDate, h.acquisitionTime);
  const series = clockSeconds(h.seriesDate, h.seriesTime);
  // A series time after the acquisition: a series made later (post-processed); its start is not the scan's.
  if (acquired !== undefined && series !== undefined && series > acquired) return no('series time after acquisition');
  const elapsed = decaySeconds(h);
  if (elapsed === undefined) return no('no injection or series time');
  if (elapsed < 0) return no('injection after series start');
  const decayed = h.totalDoseBq * Math.pow(2, -elapsed / h.halfLifeS);
  return { factor: (h.weightKg * 1000) / decayed };
}
