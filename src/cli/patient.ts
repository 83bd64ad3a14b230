// `loupe patient report IDENTIFIER --issuer X`: the accounting of disclosures
// for one patient, to standard output. An identifier on the command line is
// visible to others in the process list: `-` reads it from standard input.
import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import { parseAuditFilter } from '../core/audit/filter.js';
import { PATIENT_REPORT_FORMATS, type PatientReportFormat } from './admin-commands.js';
import { CliExit, runAdmin, type CliIo } from './context.js';

/** The first line of standard input, trimmed; empty when there is none. */
async function firstLine(stdin: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stdin) return '';
  for await (const line of createInterface({ input: stdin, crlfDelay: Infinity })) return line.trim();
  return '';
}

export function registerPatient(program: Command, io: CliIo): void {
  const patient = program.command('patient').description("a patient's rights: the accounting of disclosures");

  patient
    .command('report')
    .description(
      "every access to one patient's images in a period (default: the six years before now), oldest first: date, who (name, chat user id, role), what, purpose, outcome. " +
        'Give IDENTIFIER as - to read it from standard input: an identifier on the command line is visible to other users in the process list. ' +
        'Producing the report is recorded in the audit trail (with the patient id, never the identifier).',
    )
    .argument('<identifier>', "the patient's identifier (e.g. the MRN), or - to read it from standard input")
    .requiredOption('--issuer <issuer>', "the identifier's issuer (e.g. the hospital's MRN system)")
    .option('--since <iso-date>', 'only accesses at or after this time (default: six years before --until)')
    .option('--until <iso-date>', 'only accesses before this time (default: now)')
    .addOption(new Option('--format <format>', 'html (a document to hand over) or ndjson (one access per line)').choices([...PATIENT_REPORT_FORMATS]).default('html'))
    .action(async (given: string, options: { issuer: string; since?: string; until?: string; format: PatientReportFormat }) => {
      const parsed = parseAuditFilter({ since: options.since, until: options.until });
      if (!parsed.ok) {
        io.err(`--${parsed.problem}`);
        throw new CliExit(2);
      }
      const identifier = given === '-' ? await firstLine(io.stdin) : given;
      if (!identifier) {
        io.err('give the patient identifier, or - and the identifier on standard input');
        throw new CliExit(2);
      }
      await runAdmin(io, 'patient report', { identifier, issuer: options.issuer, since: options.since, until: options.until, reportFormat: options.format });
    });
}
