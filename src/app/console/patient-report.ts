// A privacy officer's accounting of disclosures from the console: refused
// (and audited) for anyone else; the patient is looked for in every
// workspace the officer may report on, and the report is produced (and
// recorded) by the shared use case.
import { parseAuditFilter } from '../../core/audit/filter.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { producePatientReport, type PatientReport } from '../patient-report.js';
import { requireConsoleActionAnywhere, type ConsoleCaller } from './console-caller.js';

export interface ConsoleReportInput {
  /** As typed; never logged, stored or put in a URL. */
  identifier: string;
  issuer: string;
  /** ISO dates as the form gives them; empty for the default period. */
  since: string;
  until: string;
}

/** May this person open the report's form at all (a refusal is audited). */
export function requireReportAccess(c: ConsoleCaller): Promise<void> {
  return requireConsoleActionAnywhere(c, 'report_disclosures');
}

export async function consolePatientReport(c: ConsoleCaller, input: ConsoleReportInput): Promise<PatientReport> {
  await requireReportAccess(c);
  const period = parseAuditFilter({ since: input.since, until: input.until });
  if (!period.ok) throw new LoupeError(ErrorCode.InvalidInput, `the period: ${period.problem}`);
  const all = (await c.storage.workspaces.list()).map((w) => w.id);
  return producePatientReport({
    db: c.storage.db,
    audit: c.storage.audit,
    patients: c.storage.patients,
    clock: c.clock,
    workspaceIds: c.access.workspacesFor('report_disclosures', all),
    identifier: input.identifier,
    issuer: input.issuer,
    since: period.filter.since,
    until: period.filter.until,
    actor: c.actor,
    requestId: c.requestId,
    via: 'console',
  });
}
