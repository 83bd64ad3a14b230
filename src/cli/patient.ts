// `loupe patient report IDENTIFIER --issuer X`: the accounting of disclosures
// for one patient, to standard output. An identifier on the command line is
// visible to others in the process list: `-` reads it from standard input.
import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import { parseAuditFilter } from '../core/audit/filter.js';
import { PATIENT_REPORT_FORMATS, type PatientReportFormat } from './admin-commands.js';
import type { DisclosureJson, ReportHead } from '../core/audit/disclosure.js';
import { writeReportPdf } from '../web/patient-report-pdf.js';
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
    .addOption(new Option('--format <format>', 'html or pdf (a document to hand over), or ndjson (one access per line)').choices([...PATIENT_REPORT_FORMATS]).default('html'))
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
      const report = { identifier, issuer: options.issuer, since: options.since, until: options.until, reportFormat: options.format };
      if (options.format !== 'pdf') return runAdmin(io, 'patient report', report);
      if (!io.stdout) {
        io.err('--format pdf writes bytes, and this standard output takes only lines');
        throw new CliExit(2);
      }
      // The server sends the head and the rows as lines; the PDF is drawn here, on this side of the admin socket.
      const lines: string[] = [];
      await runAdmin(io, 'patient report', report, (line) => void lines.push(line));
      await writeReportPdf(io.stdout, ...pdfParts(lines), new Date());
    });
}

/** The head line and the row lines the server sent for `--format pdf`. */
function pdfParts(lines: readonly string[]): [ReportHead, AsyncIterable<DisclosureJson>] {
  const [first = '{}', ...rest] = lines;
  const head = (JSON.parse(first) as { head: Omit<ReportHead, 'since' | 'until'> & { since: string; until: string } }).head;
  const rows = async function* () {
    for (const line of rest) yield JSON.parse(line) as DisclosureJson;
  };
  return [{ ...head, since: new Date(head.since), until: new Date(head.until) }, rows()];
}
