// `loupe consent export [--patient ID] [--since DATE]`: every consent version
// as FHIR R4 NDJSON on standard output, each Consent followed by its
// Provenance. Runs inside a running `loupe serve` when it holds the database.
import type { Command } from 'commander';
import { auditFilterParams, parseAuditFilter } from '../core/audit/filter.js';
import { CliExit, runAdmin, type CliIo } from './context.js';

export function registerConsent(program: Command, io: CliIo): void {
  const consent = program.command('consent').description("patients' recorded consents");

  consent
    .command('export')
    .description('write every consent version, oldest first, as a FHIR R4 Consent followed by its Provenance, one JSON per line (NDJSON)')
    .option('--patient <uuid>', "only this patient's versions (Loupe's patient id)")
    .option('--since <iso-date>', 'only versions recorded or superseded at or after this time')
    .action(async (options: { patient?: string; since?: string }) => {
      const parsed = parseAuditFilter({ patient: options.patient, since: options.since });
      if (!parsed.ok) {
        // Each problem starts with the key it is about: here, the flag.
        io.err(`--${parsed.problem}`);
        throw new CliExit(2);
      }
      await runAdmin(io, 'consent export', auditFilterParams(parsed.filter));
    });
}
