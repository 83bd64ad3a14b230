// Which audit events a reader asked for, parsed once from plain strings (a
// query string, CLI flags) so the console and `loupe audit export` filter
// alike. Problems name the key they are about and never echo the value: it may
// be a patient id typed in the wrong field.
import { isLoupeId } from '../ids.js';
import { AuditAction, type AuditOutcome } from './event.js';

export interface AuditFilter {
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
  actorId?: string;
  /** A known AuditAction value. */
  action?: string;
  outcome?: AuditOutcome;
  patientId?: string;
  assetId?: string;
  workspaceId?: string;
}

/** Which workspaces' events a reader may see: a workspace admin only theirs (never events with no workspace); a privacy officer all. */
export type AuditScope = { workspaceIds: readonly string[] } | 'all';

export type AuditFilterResult = { ok: true; filter: AuditFilter } | { ok: false; problem: string };

/** The plain-string keys, as a query string or the CLI's flags (--since, --actor, ...) name them. */
export const AUDIT_FILTER_KEYS = ['since', 'until', 'actor', 'action', 'outcome', 'patient', 'asset', 'workspace'] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];

const ACTIONS: ReadonlySet<string> = new Set(Object.values(AuditAction));
const OUTCOMES: ReadonlySet<string> = new Set<AuditOutcome>(['success', 'failure', 'denied']);
// Date only, or date and time with a zone: a time without one would mean the reader's local time, which a server cannot know.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const MAX_ACTOR = 128;
// Chat user ids, subjects and component names: printable, no control characters.
const ACTOR = /^[\x21-\x7e]+$/;

/** Midnight UTC for a date alone; undefined for anything that is not an existing ISO 8601 instant. */
function isoInstant(value: string): Date | undefined {
  if (!ISO_DATE.test(value) && !ISO_DATE_TIME.test(value)) return undefined;
  const at = new Date(value);
  // Date rolls 2026-02-30 over to March: the calendar date must survive a round trip.
  const day = value.slice(0, 10);
  const valid = !Number.isNaN(at.getTime()) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
  return valid ? at : undefined;
}

const DATE_PROBLEM = 'expects an ISO 8601 date, e.g. 2026-01-31 or 2026-01-31T08:00:00Z';

function text(input: Record<string, unknown>, key: AuditFilterKey): string | undefined | null {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  // A repeated query parameter arrives as an array: refused rather than one of them picked.
  return typeof value === 'string' ? value.trim() || undefined : null;
}

export function parseAuditFilter(input: Record<string, unknown>): AuditFilterResult {
  const filter: AuditFilter = {};
  const fail = (key: AuditFilterKey, expects: string): AuditFilterResult => ({ ok: false, problem: `${key} ${expects}` });

  for (const key of ['since', 'until'] as const) {
    const value = text(input, key);
    if (value === null) return fail(key, DATE_PROBLEM);
    if (value === undefined) continue;
    const at = isoInstant(value);
    if (!at) return fail(key, DATE_PROBLEM);
    filter[key] = at;
  }
  if (filter.since && filter.until && filter.until <= filter.since) return fail('until', 'must be later than since');

  const actor = text(input, 'actor');
  if (actor === null || (actor !== undefined && (actor.length > MAX_ACTOR || !ACTOR.test(actor)))) {
    return fail('actor', `expects an actor id: up to ${MAX_ACTOR} printable characters, no spaces`);
  }
  if (actor !== undefined) filter.actorId = actor;

  const action = text(input, 'action');
  if (action === null || (action !== undefined && !ACTIONS.has(action))) return fail('action', 'expects a known audit action, e.g. asset.viewed');
  if (action !== undefined) filter.action = action;

  const outcome = text(input, 'outcome');
  if (outcome === null || (outcome !== undefined && !OUTCOMES.has(outcome))) return fail('outcome', 'expects success, failure or denied');
  if (outcome !== undefined) filter.outcome = outcome as AuditOutcome;

  for (const [key, field] of [['patient', 'patientId'], ['asset', 'assetId'], ['workspace', 'workspaceId']] as const) {
    const id = text(input, key);
    if (id === null || (id !== undefined && !isLoupeId(id))) return fail(key, "expects Loupe's id (a UUID)");
    // Ids are stored lower case (Prisma's uuid()).
    if (id !== undefined) filter[field] = id.toLowerCase();
  }
  return { ok: true, filter };
}

/** The inverse of parseAuditFilter, for links and forms; empty fields are left out. */
export function auditFilterParams(filter: AuditFilter): Record<string, string> {
  const params: Partial<Record<AuditFilterKey, string>> = {};
  if (filter.since) params.since = filter.since.toISOString();
  if (filter.until) params.until = filter.until.toISOString();
  if (filter.actorId) params.actor = filter.actorId;
  if (filter.action) params.action = filter.action;
  if (filter.outcome) params.outcome = filter.outcome;
  if (filter.patientId) params.patient = filter.patientId;
  if (filter.assetId) params.asset = filter.assetId;
  if (filter.workspaceId) params.workspace = filter.workspaceId;
  return params as Record<string, string>;
}
