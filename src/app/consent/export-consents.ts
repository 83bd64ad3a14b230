// Writes consent versions as FHIR R4 NDJSON, oldest first: each version's
// Consent followed by the Provenance of how it came to be, in one stream (see
// docs/privacy.md, "Consent"). Then records the export (see auditedExport).
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import { auditedExport } from '../audited-export.js';
import { toFhirConsent, toFhirProvenance } from '../../core/consent/fhir.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { Consents } from '../../storage/consents.js';

export interface ExportConsentsOptions {
  consents: Consents;
  audit: AuditLog;
  actor: AuditActor;
  /** Only this patient's versions (Loupe's patient id). */
  patientId?: string | undefined;
  /** Only versions recorded or superseded at or after this time. */
  since?: Date | undefined;
  out: (line: string) => void | Promise<void>;
}

/** Returns how many versions were written (each as a Consent and a Provenance line). */
export async function exportConsents(o: ExportConsentsOptions): Promise<number> {
  let count = 0;
  const recorded = (outcome: 'success' | 'failure') =>
    o.audit.record({
      actor: o.actor,
      action: AuditAction.ConsentExported,
      outcome,
      patientId: o.patientId ?? null,
      details: { versions: count, format: 'fhir-ndjson', ...(o.since ? { since: o.since.toISOString() } : {}) },
    });
  await auditedExport(async () => {
    for await (const page of o.consents.forExport({ patientId: o.patientId, since: o.since })) {
      const predecessors = await o.consents.predecessors(page);
      for (const v of page) {
        await o.out(JSON.stringify(toFhirConsent(v, v.patient.workspaceId)));
        await o.out(JSON.stringify(toFhirProvenance(v, predecessors.get(v.id) ?? null)));
        count++;
      }
    }
  }, recorded);
  return count;
}
