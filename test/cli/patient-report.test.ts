// `loupe patient report`: a real view and a refused one made through the
// viewer's use case in a running Loupe, then the command prints exactly
// those accesses as NDJSON or as an HTML document, reads the identifier from
// standard input with `-`, says when nobody has that identifier, refuses a bad
// date, and is itself audited (patient id and counts, never the identifier).
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { authorizeView, type ViewDecided } from '../../src/app/viewer/authorize-view.js';
import { ViewDecisions } from '../../src/app/viewer/view-decisions.js';
import { runCli } from '../../src/cli/program.js';
import { AuditAction } from '../../src/core/audit/event.js';
import { loadConfig } from '../../src/config.js';
import { issueLinkToken } from '../../src/intake/link-token.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe } from '../../src/main.js';
import type { Storage } from '../../src/storage/services.js';
import { transaction } from '../../src/storage/transaction.js';
import { ViewerSessions } from '../../src/storage/viewer-sessions.js';
import { cli } from '../support/cli.js';
import { testEngines } from '../support/engines.js';
import { createInstanceEnv } from '../support/instance.js';
import { asJson } from '../support/json.js';

const silent = createLogger('silent');
const MRN = 'MRN-CLI-4242';
const ISSUER = 'HOSP';
const AMARA = 'U0CLIN0001';
const LI = 'U0CLIN0002';

/** A stored DICOM image of a patient in a consult Amara asked, with a live link; a view by Amara (allowed) and by Li (refused). */
async function viewedImage(storage: Storage, clock: { now(): Date }): Promise<{ assetId: string; patientId: string }> {
  const ws = await storage.workspaces.ensure('slack', 'T0CLIREP', 'Ward', { type: 'system', id: 'test' });
  const patientId = await storage.patients.link(ws.id, { identifier: MRN, issuer: ISSUER }, { type: 'system', id: 'test' });
  const { prisma } = storage.db;
  const expiresAt = new Date(clock.now().getTime() + 48 * 3600_000);
  const consult = await prisma.consult.create({ data: { workspaceId: ws.id, channelId: 'C0RADIOL01', threadId: '1.0001', requesterId: AMARA, patientId } });
  await prisma.consultParticipant.create({ data: { consultId: consult.id, userId: AMARA, role: 'requester' } });
  await prisma.grant.create({ data: { consultId: consult.id, userId: AMARA, source: 'participant', hop: 0, expiresAt } });
  const asset = await prisma.asset.create({ data: { workspaceId: ws.id, consultId: consult.id, patientId, uploaderId: AMARA, kind: 'dicom_instance', metadata: { modality: 'CT' }, status: 'stored', sourceRef: 'F0001' } });
  const card = await prisma.card.create({ data: { workspaceId: ws.id, assetId: asset.id, consultId: consult.id, channelId: 'C0RADIOL01', threadId: '1.0001', state: 'active', expiresAt } });
  const token = await transaction(storage.db, (tx) => issueLinkToken(tx, card.id, expiresAt, clock.now()));
  const sessions = new ViewerSessions(storage.db, clock, { idleSeconds: 900, maxSeconds: 3600 });
  const ctx = { storage, sessions, directory: { isChannelMember: async () => false }, clock, mfaAcr: '', decisions: new ViewDecisions(clock) };
  for (const [chatUserId, displayName] of [[AMARA, 'Dr Amara Okafor'], [LI, 'Dr Li Wei']] as const) {
    const issuer = 'https://idp.example';
    const subject = `sub-${chatUserId}`;
    const identityLinkId = await storage.viewer.identityLinks.link({ workspaceId: ws.id, chatUserId, issuer, subject, method: 'email', verifiedAt: clock.now() });
    const session = await sessions.create({ issuer, subject, displayName, email: `${subject}@hospital.example`, acr: undefined, amr: ['pwd'], identityLinkId });
    await authorizeView({ ...ctx, sessionToken: session.token, token, request: 'page' });
  }
  return { assetId: asset.id, patientId };
}

describe.each(testEngines())('loupe patient report on %s, with `loupe serve` running', (engine) => {
  it('prints exactly the accesses made, as NDJSON or HTML, reads the identifier from standard input, and is audited', async () => {
    const inst = await createInstanceEnv(engine);
    const loupe = await createLoupe(loadConfig(inst.env), silent);
    try {
      await loupe.listen();
      const { storage, clock } = loupe.services;
      const { assetId, patientId } = await viewedImage(storage, clock);
      const withStdin = async (input: string, ...argv: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const status = await runCli(argv, { env: inst.env, out: (l) => out.push(l), err: (l) => err.push(l), stdin: Readable.from([input]) });
        return { status, out: out.join('\n'), err: err.join('\n') };
      };

      const ndjson = await withStdin(`${MRN}\n`, 'patient', 'report', '-', '--issuer', ISSUER, '--format', 'ndjson');
      expect(ndjson).toMatchObject({ status: 0, err: 'reported 2 accesses (1 allowed, 1 refused)' });
      const rows = ndjson.out.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(rows.map(({ who, what, purpose, outcome }) => ({ who, what, purpose, outcome }))).toEqual([
        { who: { id: AMARA, name: 'Dr Amara Okafor', role: 'requester' }, what: { asset: assetId, kind: 'dicom_instance', modality: 'CT' }, purpose: 'care', outcome: 'allowed' },
        { who: { id: LI, name: 'Dr Li Wei', role: 'none' }, what: { asset: assetId, kind: 'dicom_instance', modality: 'CT' }, purpose: 'care', outcome: 'refused' },
      ]);

      const page = await cli(inst.env, 'patient', 'report', MRN, '--issuer', ISSUER, '--since', '2020-01-01');
      expect(page.status).toBe(0);
      expect(page.out).toMatch(/^<!doctype html>/);
      expect(page.out).not.toContain('<script');
      expect(page.out).not.toContain(MRN);
      expect(page.out.match(/<tr><td><time/g)).toHaveLength(3);
      for (const text of ['Dr Amara Okafor', 'requester', 'Dr Li Wei', 'refused', 'DICOM · CT', assetId, patientId]) expect(page.out).toContain(text);
      // The NDJSON run before it is listed now, by the command line, as an admin's oversight.
      expect(page.out).toMatch(/<code>cli<\/code><\/td><td>admin<\/td><td>The list of the patient’s images<\/td><td>oversight<\/td>/);

      // The PDF to hand over, read back by poppler's pdftotext: the same accesses, the patient by Loupe's id only.
      const pdf: Buffer[] = [];
      const stdout = new PassThrough().on('data', (b: Buffer) => pdf.push(b));
      const pdfStatus = await runCli(['patient', 'report', '-', '--issuer', ISSUER, '--format', 'pdf'], { env: inst.env, out: () => {}, err: () => {}, stdin: Readable.from([`${MRN}\n`]), stdout });
      expect(pdfStatus).toBe(0);
      const bytes = Buffer.concat(pdf);
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const file = join(inst.dataDir, 'report.pdf');
      await writeFile(file, bytes);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      for (const words of ['Accounting of disclosures', 'Dr Amara Okafor', 'requester', 'Dr Li Wei', 'refused', 'DICOM · CT', assetId, patientId, '4 accesses']) expect(text).toContain(words);
      expect(text).not.toContain(MRN);

      expect(await withStdin('MRN-NOBODY\n', 'patient', 'report', '-', '--issuer', ISSUER)).toMatchObject({ status: 1, err: 'no patient with that identifier and issuer' });
      expect(await cli(inst.env, 'patient', 'report', MRN, '--issuer', ISSUER, '--since', 'yesterday')).toMatchObject({ status: 2, err: expect.stringContaining('--since expects an ISO 8601 date') });
      expect((await cli(inst.env, 'patient', 'report', MRN)).status).toBe(2);

      const events = await storage.db.prisma.auditEvent.findMany({ where: { action: AuditAction.PatientReportProduced }, orderBy: { seq: 'asc' } });
      expect(events.map((e) => [e.actorType, e.actorId, e.patientId, (e.details as { accesses: number }).accesses])).toEqual([
        ['admin', 'cli', patientId, 2],
        ['admin', 'cli', patientId, 3],
        ['admin', 'cli', patientId, 4],
        ['admin', 'cli', null, 0],
      ]);
      const trail = asJson(await storage.db.prisma.auditEvent.findMany());
      expect(trail).not.toContain(MRN);
      expect(trail).not.toContain('MRN-NOBODY');
    } finally {
      await loupe.stop();
      await inst.cleanup();
    }
  });

  it('says in --help how to keep the identifier out of the process list', async () => {
    const help = await cli({}, 'patient', 'report', '--help');
    expect(help.out).toContain('Give IDENTIFIER as - to read it from standard input');
  });
});
