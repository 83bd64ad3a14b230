import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { auditFilterParams, parseAuditFilter, type AuditFilterKey } from '../core/audit/filter.js';
import type { AdminOptions } from './admin-commands.js';
import { CliExit, runAdmin, type CliIo } from './context.js';

export function registerAudit(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('check and export the audit trail');

  audit
    .command('verify')
    .description('seal committed events, walk the hash chain and its signed checkpoints; exit 1 naming the first bad event, or an event left unsealed past the allowed lag')
    .action(() => runAdmin(io, 'audit verify'));

  audit
    .command('export')
    .description('write the audit trail, oldest first, as FHIR R4 AuditEvent resources one JSON per line (NDJSON), or as CSV')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('--since <iso-date>', 'only events recorded at or after this time')
    .option('--until <iso-date>', 'only events recorded before this time')
    .option('--actor <id>', 'only events by this actor (a chat user id, signed-in subject or component name)')
    .option('--action <action>', 'only events of this action, e.g. asset.viewed')
    .option('--outcome <outcome>', 'only events with this outcome: success, failure or denied')
    .option('--patient <uuid>', "only events about this patient (Loupe's patient id)")
    .option('--asset <uuid>', "only events about this asset (Loupe's asset id)")
    .option('--workspace <uuid>', "only events in this workspace (Loupe's workspace id)")
    .addOption(new Option('--format <format>', 'ndjson (FHIR R4 AuditEvent) or csv').choices(['ndjson', 'csv']).default('ndjson'))
    .action(async (options: Partial<Record<AuditFilterKey, string>> & { output?: string; format: 'ndjson' | 'csv' }) => {
      const { output, format, ...given } = options;
      const parsed = parseAuditFilter(given);
      if (!parsed.ok) {
        // Each problem starts with the key it is about: here, the flag.
        io.err(`--${parsed.problem}`);
        throw new CliExit(2);
      }
      const adminOptions: AdminOptions = { ...auditFilterParams(parsed.filter), format: format === 'csv' ? 'csv' : 'fhir-ndjson' };
      // The file is written here, by the command's user, even when a running server reads the events.
      const file = output ? createWriteStream(output, { mode: 0o600 }) : undefined;
      if (file) await once(file, 'open');
      try {
        await runAdmin(io, 'audit export', adminOptions, async (line) => {
          if (!file) return io.out(line);
          if (!file.write(line + '\n')) await once(file, 'drain');
        });
      } catch (error) {
        // A partial export would pass for a complete one.
        if (output) await rm(output, { force: true });
        throw error;
      } finally {
        if (file) {
          file.end();
          await once(file, 'close');
        }
      }
    });

  audit
    .command('checkpoint')
    .description('sign the current head of the chain now')
    .action(() => runAdmin(io, 'audit checkpoint'));
}
