// The admin commands that read or change the database. Each runs on the
// Services it is given: the command's own (PostgreSQL, or an embedded data
// folder nobody serves), or a running `loupe serve`'s, reached over its admin
// socket, so the embedded database is never opened by two processes.
import { exportAudit, type AuditExportFormat } from '../app/export-audit.js';
import { exportConsents } from '../app/consent/export-consents.js';
import { AuditAction } from '../core/audit/event.js';
import { parseAuditFilter, type AuditFilterKey } from '../core/audit/filter.js';
import { producePatientReport, reportHead } from '../app/patient-report.js';
import { disclosureJson } from '../core/audit/disclosure.js';
import { reportDocument } from '../web/patient-report-html.js';
import { runRetention, type RetentionItem, type RetentionOutcome } from '../app/retention-sweep.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { KeyRing } from '../crypto/keyring.js';
import { readKeyFile, withKeyFileLock, writeKeyFile } from '../crypto/keyring-source.js';
import type { Config } from '../config.js';
import type { Services } from '../main.js';
import { syncKeyVersions } from '../storage/key-versions.js';
import { revokeTeachingShare } from '../app/teaching/revoke-teaching-share.js';
import { isLoupeId } from '../core/ids.js';

export interface AdminIo {
  /** Resolves when the line may be followed by more (backpressure for a long export). */
  out(line: string): void | Promise<void>;
  err(line: string): void;
  /** How far a long command is (`retention run`), for a progress bar; absent when nobody draws one. */
  progress?(done: number, total: number): void;
}

/** audit export: the filter as parseAuditFilter's plain strings (checked by the caller, and again where it runs), and the format; retention run: dryRun. */
export type AdminOptions = { [key in AuditFilterKey]?: string | undefined } & {
  format?: AuditExportFormat | undefined;
  /** retention run: plan only, change nothing. */
  dryRun?: boolean;
  /** patient report: the patient, as typed (never logged), and the output. */
  identifier?: string | undefined;
  issuer?: string | undefined;
  reportFormat?: PatientReportFormat | undefined;
  /** teaching revoke: the share's id. */
  shareId?: string | undefined;
};

/** `pdf`: the server sends the head and the rows as NDJSON lines (the admin socket carries text), and the command draws the PDF. */
export const PATIENT_REPORT_FORMATS = ['html', 'ndjson', 'pdf'] as const;
export type PatientReportFormat = (typeof PATIENT_REPORT_FORMATS)[number];
export const isPatientReportFormat = (v: unknown): v is PatientReportFormat => (PATIENT_REPORT_FORMATS as readonly unknown[]).includes(v);

/** Returns the exit status: 0 done, 1 the check failed. */
type AdminCommand = (services: Services, io: AdminIo, options: AdminOptions) => Promise<number>;

const auditVerify: AdminCommand = async ({ storage }, io) => {
  const report = await storage.audit.verify();
  if (report.fault) {
    const f = report.fault;
    io.err(
      `audit chain BROKEN at event seq ${f.seq}${f.id ? ` (id ${f.id})` : ''}: ${f.problem}: ${f.detail}` +
        (f.position !== null ? ` at chain position ${f.position}` : '') +
        ` (${report.events} events before it verified)`,
    );
    return 1;
  }
  const u = report.unsealed;
  await io.out(
    `audit chain intact: ${report.events} events, ${report.checkpoints} signed checkpoints` +
      (report.head ? `, head seq ${report.head.seq} hash ${report.head.hash}` : '') +
      // Committed while the check ran: no hash covers them yet (see src/storage/audit-sealer.ts).
      (u.count ? `; ${u.count} events not yet sealed, the oldest for ${u.oldestAgeSeconds.toFixed(1)} s` : ''),
  );
  return 0;
};

const auditExport: AdminCommand = async ({ storage, config }, io, options) => {
  const { format, ...given } = options;
  const parsed = parseAuditFilter(given);
  if (!parsed.ok) throw new LoupeError(ErrorCode.InvalidInput, `audit export: ${parsed.problem}`);
  const count = await exportAudit({
    audit: storage.audit,
    observer: config.publicUrl.host,
    filter: parsed.filter,
    // The command line's user holds the keys and the database: they see every workspace.
    scope: 'all',
    format: format ?? 'fhir-ndjson',
    actor: { type: 'admin', id: 'cli' },
    out: (line) => io.out(line),
  });
  io.err(`exported ${count} audit events`);
  return 0;
};

const auditCheckpoint: AdminCommand = async ({ storage }, io) => {
  const cp = await storage.audit.checkpoint();
  await io.out(cp ? `signed checkpoint at seq ${cp.seq} (key ${cp.keyId})` : 'the audit trail is empty');
  return 0;
};

/** The key file a rotation writes; keys given in LOUPE_KEYS cannot be rotated by Loupe. */
export function rotatableKeyFile(config: Config): string {
  if (config.keys.source !== 'file') {
    throw new LoupeError(
      ErrorCode.KeysReadOnly,
      'keys come from LOUPE_KEYS: add a new KEK there (activeVersion pointing at it), restart, then run `loupe keys rewrap`',
    );
  }
  return config.keys.path;
}

const keysRotate: AdminCommand = async ({ config, storage, keyRing, clock }, io) => {
  const path = rotatableKeyFile(config);
  return withKeyFileLock(path, async () => {
    // The file is written first: a crash during re-wrapping leaves keys
    // under both versions, all still readable, and `keys rewrap` resumes.
    const file = KeyRing.withNewKek(await readKeyFile(path), clock.now());
    keyRing.checkExtendedBy(file);
    await writeKeyFile(path, file);
    // The ring in use takes the new KEK too: in a running server, every part holding it wraps with it from now on.
    keyRing.adopt(file);
    await syncKeyVersions(storage.db, keyRing);
    await storage.audit.record({
      actor: { type: 'admin', id: 'cli' },
      action: AuditAction.KeysRotated,
      outcome: 'success',
      details: { kekVersion: keyRing.activeVersion },
    });
    const count = await storage.dataKeys.rewrapAll(storage.db, storage.audit, () => clock.now());
    await io.out(`key-encryption key version ${keyRing.activeVersion} is active; re-wrapped ${count} data keys`);
    return 0;
  });
};

const keysRewrap: AdminCommand = async ({ storage, clock, keyRing }, io) => {
  const count = await storage.dataKeys.rewrapAll(storage.db, storage.audit, () => clock.now());
  await io.out(`re-wrapped ${count} data keys under version ${keyRing.activeVersion}`);
  return 0;
};

const auditPublicKey: AdminCommand = async ({ keyRing }, io) => {
  await io.out(keyRing.auditPublicKeyPem().trimEnd());
  return 0;
};

/** consent export: only --patient and --since apply; other filter keys are refused rather than ignored. */
const consentExport: AdminCommand = async ({ storage }, io, options) => {
  const { patient, since, ...rest } = options;
  const parsed = parseAuditFilter({ patient, since });
  if (!parsed.ok) throw new LoupeError(ErrorCode.InvalidInput, `consent export: ${parsed.problem}`);
  if (Object.entries(rest).some(([key, value]) => value !== undefined && key !== 'format' && key !== 'dryRun')) {
    throw new LoupeError(ErrorCode.InvalidInput, 'consent export takes only patient and since');
  }
  const count = await exportConsents({
    consents: storage.consents,
    audit: storage.audit,
    // The command line's user holds the keys and the database: they see every workspace.
    actor: { type: 'admin', id: 'cli' },
    patientId: parsed.filter.patientId,
    since: parsed.filter.since,
    out: (line) => io.out(line),
  });
  io.err(`exported ${count} consent versions`);
  return 0;
};

const RETENTION_WORDS: Partial<Record<RetentionOutcome, string>> = { would_shred: 'would shred', shredded: 'shredded', held: 'held', failed: 'failed' };

/** One line per asset that goes, would go or is held: ids, kind and dates only. */
const retentionLine = (item: RetentionItem, words: string) =>
  `${words} asset ${item.assetId} kind ${item.kind ?? 'unknown'} channel ${item.channelId ?? '-'} received ${item.receivedAt.toISOString().slice(0, 10)} retention ${item.retentionDays ?? '-'} days`;

const retentionRun: AdminCommand = async ({ storage, queue, clock }, io, options) => {
  const dryRun = options.dryRun === true;
  let total = 0;
  let done = 0;
  const counts = await runRetention(
    { ...storage, queue, clock },
    {
      dryRun,
      onPlanned: (n) => {
        total = n;
        io.progress?.(0, n);
      },
      onAsset: async (item, outcome) => {
        const words = RETENTION_WORDS[outcome];
        if (words) await io.out(retentionLine(item, words));
        io.progress?.(++done, total);
      },
    },
  );
  await io.out(
    dryRun
      ? `dry run: ${counts.due} would be shredded, ${counts.held} held past retention; nothing changed`
      : `retention: ${counts.shredded} shredded, ${counts.held} held, ${counts.alreadyShredded} already shredded, ${counts.failed} failed`,
  );
  return counts.failed > 0 ? 1 : 0;
};

/** The accounting of disclosures for one patient, in every workspace; exit 1 when no workspace knows the patient. */
const patientReport: AdminCommand = async ({ storage, clock }, io, options) => {
  const parsed = parseAuditFilter({ since: options.since, until: options.until });
  if (!parsed.ok) throw new LoupeError(ErrorCode.InvalidInput, `patient report: ${parsed.problem}`);
  const report = await producePatientReport({
    db: storage.db,
    audit: storage.audit,
    patients: storage.patients,
    clock,
    workspaceIds: (await storage.workspaces.list()).map((w) => w.id),
    identifier: options.identifier ?? '',
    issuer: options.issuer ?? '',
    since: parsed.filter.since,
    until: parsed.filter.until,
    actor: { type: 'admin', id: 'cli' },
    via: 'cli',
  });
  if (options.reportFormat === 'pdf') {
    const head = reportHead(report);
    await io.out(JSON.stringify({ head: { ...head, since: head.since.toISOString(), until: head.until.toISOString() } }));
  }
  if (options.reportFormat === 'ndjson' || options.reportFormat === 'pdf') {
    for await (const row of report.rows()) await io.out(JSON.stringify(disclosureJson(row)));
  } else {
    for await (const part of reportDocument(report, clock.now())) await io.out(part);
  }
  const c = report.counts;
  io.err(report.patients.length ? `reported ${c.total} accesses (${c.allowed} allowed, ${c.refused} refused)` : 'no patient with that identifier and issuer');
  return report.patients.length ? 0 : 1;
};

/** Ends a teaching share's link; the operator acts as an admin of its workspace. */
const teachingRevoke: AdminCommand = async ({ storage, clock }, io, { shareId }) => {
  const share = shareId && isLoupeId(shareId) ? await storage.db.prisma.teachingShare.findUnique({ where: { id: shareId }, select: { workspaceId: true } }) : null;
  if (!shareId || !share) throw new LoupeError(ErrorCode.NotFound, 'no such teaching share');
  const result = await revokeTeachingShare({ db: storage.db, audit: storage.audit, clock }, { shareId, who: { workspaceId: share.workspaceId, userId: 'cli', isAdmin: true } });
  await io.out(result.outcome === 'revoked' ? `revoked teaching share ${shareId}` : `teaching share ${shareId} was already revoked`);
  return 0;
};

export const ADMIN_COMMANDS = {
  'audit verify': auditVerify,
  'audit export': auditExport,
  'audit checkpoint': auditCheckpoint,
  'keys rotate': keysRotate,
  'keys rewrap': keysRewrap,
  'keys audit-public-key': auditPublicKey,
  'retention run': retentionRun,
  'patient report': patientReport,
  'consent export': consentExport,
  'teaching revoke': teachingRevoke,
} satisfies Record<string, AdminCommand>;

export type AdminCommandName = keyof typeof ADMIN_COMMANDS;

export function isAdminCommand(name: unknown): name is AdminCommandName {
  return typeof name === 'string' && Object.hasOwn(ADMIN_COMMANDS, name);
}
