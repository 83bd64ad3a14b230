import type { DicomDataset } from './dcmjs.js';

/** The first value of an element as text (person names by their alphabetic form). */
export function text(ds: DicomDataset, tag: string): string | undefined {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'Alphabetic' in (v as object)) return String((v as { Alphabetic?: unknown }).Alphabetic ?? '') || undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

export function integer(ds: DicomDataset, tag: string): number | undefined {
  const t = text(ds, tag);
  const n = t === undefined ? NaN : Number(t);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

export function items(ds: DicomDataset, tag: string): DicomDataset[] {
  const el = ds[tag];
  return el?.vr === 'SQ' ? ((el.Value ?? []) as DicomDataset[]) : [];
}
