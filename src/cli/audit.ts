import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { AuditAction } from '../core/audit/event.js';
import { toFhirAuditEvent } from '../core/audit/fhir.js';
import { CliExit, withServices, type CliIo } from './context.js';

export function registerAudit(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('check and export the audit trail');

  audit
    .command('verify')
    .description('walk the hash chain and its signed checkpoints; exit 1 naming the first bad event')
    .action(() =>
      withServices(io, async (services) => {
        const report = await services.storage.audit.verify();
        if (report.fault) {
          const f = report.fault;
          io.err(
            `audit chain BROKEN at event seq ${f.seq}${f.id ? ` (id ${f.id})` : ''}: ${f.problem}: ${f.detail}` +
              ` (${report.events} events before it verified)`,
          );
          throw new CliExit(1);
        }
        io.out(
          `audit chain intact: ${report.events} events, ${report.checkpoints} signed checkpoints` +
            (report.head ? `, head seq ${report.head.seq} hash ${report.head.hash}` : ''),
        );
      }),
    );

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
      await withServices(io, async (services) => {
        const file = options.output ? createWriteStream(options.output, { mode: 0o600 }) : undefined;
        const observer = services.config.publicUrl.host;
        let count = 0;
        for await (const record of services.storage.audit.events()) {
          if (since && record.at < since) continue;
          const line = JSON.stringify(toFhirAuditEvent(record, { observer })) + '\n';
          if (file) {
            if (!file.write(line)) await once(file, 'drain');
          } else {
            io.out(line.trimEnd());
          }
          count++;
        }
        if (file) {
          file.end();
          await once(file, 'finish');
        }
        await services.storage.audit.record({
          actor: { type: 'admin', id: 'cli' },
          action: AuditAction.AuditExported,
          outcome: 'success',
          details: { count, since: since?.toISOString() ?? null, format: 'fhir-r4-ndjson' },
        });
        io.err(`exported ${count} audit events`);
      });
    });

  audit
    .command('checkpoint')
    .description('sign the current head of the chain now')
    .action(() =>
      withServices(io, async (services) => {
        const cp = await services.storage.audit.checkpoint();
        io.out(cp ? `signed checkpoint at seq ${cp.seq} (key ${cp.keyId})` : 'the audit trail is empty');
      }),
    );
}
