// One audit record as one CSV row (RFC 4180), for a privacy officer's
// spreadsheet. Every field of the record is kept, but a cell a spreadsheet
// would run as a formula gets a leading apostrophe (below), so the hash chain
// is re-checked from the NDJSON export, not from this file.
import type { AuditRecord } from './event.js';

const COLUMNS = [
  'seq', 'id', 'at', 'workspaceId', 'actorType', 'actorId', 'action', 'outcome', 'reason',
  'patientId', 'assetId', 'consultId', 'sourceIp', 'requestId', 'details', 'prevHash', 'hash', 'chainSeq',
] as const satisfies readonly (keyof AuditRecord)[];

export const AUDIT_CSV_HEADER = COLUMNS.join(',');

// A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before
// one) as a formula: an actor id or reason someone typed into a chat could
// then fetch URLs or run commands on the reader's machine (CSV injection,
// OWASP). A leading apostrophe makes it text.
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function text(record: AuditRecord, column: (typeof COLUMNS)[number]): string {
  const value = record[column];
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (column === 'details') return JSON.stringify(value) ?? '';
  return String(value);
}

/** The row for `record`, without a line break: the writer ends every line alike (the CLI with \n, as for NDJSON). */
export function auditCsvRow(record: AuditRecord): string {
  return COLUMNS.map((column) => cell(text(record, column))).join(',');
}
