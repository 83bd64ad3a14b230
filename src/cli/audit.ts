import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliExit, runAdmin, type CliIo } from './context.js';

export function registerAudit(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('check and export the audit trail');

  audit
    .command('verify')
    .description('walk the hash chain and its signed checkpoints; exit 1 naming the first bad event')
    .action(() => runAdmin(io, 'audit verify'));

  audit
    .command('export')
    .description('write the audit trail as FHIR R4 AuditEvent resources, one JSON per line (NDJSON)')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('--since <iso-date>', 'only events recorded at or after this time')
    .action(async (options: { output?: string; since?: string }) => {
      const since = options.since ? new Date(options.since) : undefined;
      if (since && Number.isNaN(since.getTime())) {
        io.err('--since expects an ISO 8601 date, e.g. 2026-01-31 or 2026-01-31T08:00:00Z');
        throw new CliExit(2);
      }
      // The file is written here, by the command's user, even when a running server reads the events.
      const file = options.output ? createWriteStream(options.output, { mode: 0o600 }) : undefined;
      if (file) await once(file, 'open');
      try {
        await runAdmin(io, 'audit export', { since: since?.toISOString() }, async (line) => {
          if (!file) return io.out(line);
          if (!file.write(line + '\n')) await once(file, 'drain');
        });
      } catch (error) {
        // A partial export would pass for a complete one.
        if (options.output) await rm(options.output, { force: true });
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
