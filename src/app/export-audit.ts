// Exports the audit events a filter and the reader's scope select, as FHIR R4
// AuditEvent NDJSON or CSV: the one export behind both `loupe audit export`
// and the admin console, so the two give the same bytes for the same filter.
// The export is itself audited, after the last line, so it never lists itself.
import { auditedExport } from './audited-export.js';
import { AUDIT_CSV_HEADER, auditCsvRow } from '../core/audit/csv.js';
import { AuditAction, type AuditActor, type AuditRecord } from '../core/audit/event.js';
import { toFhirAuditEvent } from '../core/audit/fhir.js';
import type { AuditFilter, AuditScope } from '../core/audit/filter.js';
import type { AuditLog } from '../storage/audit-log.js';

export const AUDIT_EXPORT_FORMATS = ['fhir-ndjson', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export function isAuditExportFormat(value: unknown): value is AuditExportFormat {
  return typeof value === 'string' && (AUDIT_EXPORT_FORMATS as readonly string[]).includes(value);
}

export interface ExportAuditOptions {
  audit: AuditLog;
  /** Names this Loupe in each FHIR AuditEvent's source. */
  observer: string;
  filter: AuditFilter;
  scope: AuditScope;
  format: AuditExportFormat;
  actor: AuditActor;
  /** Takes one line without its line break; resolves when more may follow (backpressure). */
  out: (line: string) => void | Promise<void>;
}

// The name exports were recorded under before CSV existed: kept, so rules keyed on it still match.
const RECORDED_FORMAT: Record<AuditExportFormat, string> = { 'fhir-ndjson': 'fhir-r4-ndjson', csv: 'csv' };

/** What the export covered, by ids and dates only. */
function exportDetails(o: ExportAuditOptions, count: number): Record<string, unknown> {
  const f = o.filter;
  return {
    count,
    format: RECORDED_FORMAT[o.format],
    since: f.since?.toISOString() ?? null,
    until: f.until?.toISOString() ?? null,
    actorId: f.actorId ?? null,
    action: f.action ?? null,
    outcome: f.outcome ?? null,
    patientId: f.patientId ?? null,
    assetId: f.assetId ?? null,
    workspaceId: f.workspaceId ?? null,
    scope: o.scope === 'all' ? 'all' : [...o.scope.workspaceIds],
  };
}

/** Writes every matching event, oldest first, then records the export; returns how many events were written. */
export async function exportAudit(o: ExportAuditOptions): Promise<number> {
  const line = o.format === 'csv' ? auditCsvRow : (record: AuditRecord) => JSON.stringify(toFhirAuditEvent(record, { observer: o.observer }));
  let count = 0;
  const recorded = (outcome: 'success' | 'failure') =>
    o.audit.record({
      actor: o.actor,
      action: AuditAction.AuditExported,
      outcome,
      workspaceId: o.filter.workspaceId ?? null,
      patientId: o.filter.patientId ?? null,
      assetId: o.filter.assetId ?? null,
      details: exportDetails(o, count),
    });
  // Sealed first, so the exported events carry their chain fields (only those committed meanwhile lack them).
  await o.audit.seal();
  await auditedExport(async () => {
    if (o.format === 'csv') await o.out(AUDIT_CSV_HEADER);
    for await (const record of o.audit.matching(o.filter, o.scope)) {
      await o.out(line(record));
      count++;
    }
  }, recorded);
  return count;
}
