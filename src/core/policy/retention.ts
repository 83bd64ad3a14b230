// When an asset's retention ends, and whether the retention sweep may
// crypto-shred it (issue 12): pure rules, deny by default. No retention set
// means kept; a legal hold on the asset, its patient or its channel keeps it
// whatever the date; an asset still being secured is never touched.

const DAY_MS = 24 * 3600 * 1000;

/** The end of an asset's retention, from when Loupe received it; undefined: kept until someone sets a retention. */
export function retentionEnd(receivedAt: Date, retentionDays: number | null | undefined): Date | undefined {
  if (retentionDays === null || retentionDays === undefined || !Number.isInteger(retentionDays) || retentionDays <= 0) return undefined;
  return new Date(receivedAt.getTime() + retentionDays * DAY_MS);
}

export interface RetentionFacts {
  status: 'received' | 'processing' | 'stored' | 'failed' | 'revoked' | 'shredded';
  receivedAt: Date;
  retentionDays: number | null | undefined;
  /** Holds on the asset itself, on its patient, and on its channel. */
  held: { asset: boolean; patient: boolean; channel: boolean };
}

export type ShredRefusal = 'held' | 'not_due' | 'no_retention' | 'already_shredded' | 'in_progress';

export function mayShredForRetention(f: RetentionFacts, now: Date): { allow: true } | { allow: false; reason: ShredRefusal } {
  if (f.status === 'shredded') return { allow: false, reason: 'already_shredded' };
  if (f.held.asset === true || f.held.patient === true || f.held.channel === true) return { allow: false, reason: 'held' };
  // Still being secured: its ingest owns it; the next sweep looks again.
  if (f.status === 'received' || f.status === 'processing') return { allow: false, reason: 'in_progress' };
  const end = retentionEnd(f.receivedAt, f.retentionDays);
  if (!end) return { allow: false, reason: 'no_retention' };
  return end.getTime() <= now.getTime() ? { allow: true } : { allow: false, reason: 'not_due' };
}
