// Share for teaching, on both database engines: refused (and audited, with a
// reason the chat can explain) without a consent that covers education;
// an image that may show identifiers waits for the sharer's confirmation; the
// copy is ciphertext at rest, and decrypted it carries no PHI (exiftool for
// a photo with planted metadata, dcmdump for a DICOM with a planted patient);
// its link opens only for a signed-in user while the consent stands, and
// ends with a withdrawal, a revocation or the image's shredding.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../src/app/consent/record-consent.js';
import { withdrawConsent } from '../../src/app/consent/withdraw-consent.js';
import { shredAsset } from '../../src/app/shred-asset.js';
import { openTeachingShare } from '../../src/app/teaching/open-teaching-share.js';
import { revokeTeachingShare } from '../../src/app/teaching/revoke-teaching-share.js';
import { shareForTeaching } from '../../src/app/teaching/share-for-teaching.js';
import type { TeachingDeps } from '../../src/app/teaching/teaching-deps.js';
import { TEACHING_REFUSED } from '../../src/chat/teaching-text.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { DEFAULT_SANDBOX, ImagingSandbox } from '../../src/imaging/sandbox/sandbox.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { ViewerSessions } from '../../src/storage/viewer-sessions.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures, PLANTED } from '../support/photos.js';
import { plantedDicom } from '../support/planted-dicom.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { consultWithCard, participantWithGrant, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const HOUR = 3600_000;
const clock = { now: () => NOW };
const TEST = { type: 'system' as const, id: 'test' };
const PATIENT = { name: 'PLANTEDNAME^JANE', identifier: 'MRN-TEACH-8812', birthDate: '19610203' };
const nurse = { kind: 'chat_user', id: 'U0NURSE001' } as const;

describe.each(testEngines())('share for teaching on %s', (engine) => {
  let s: TestStorage;
  let sandbox: ImagingSandbox;
  let deps: TeachingDeps;
  let sessions: ViewerSessions;
  let dir: string;
  let photo: Buffer;
  let dicom: Buffer;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
    sandbox = new ImagingSandbox(DEFAULT_SANDBOX);
    deps = { db: s.db, audit: s.audit, clock, blobs: s.blobs, sandbox, limits: DEFAULT_LIMITS, lifetimeDays: 30, teachUrl: (t) => `https://loupe.example/teach/${t}` };
    sessions = new ViewerSessions(s.db, clock, { idleSeconds: 600, maxSeconds: 3600 });
    dir = await mkdtemp(join(tmpdir(), 'loupe-teaching-'));
    photo = await readFile((await makePhotoFixtures(dir)).jpeg);
    dicom = await plantedDicom(PATIENT);
  });
  afterAll(async () => {
    await sandbox?.close();
    await s?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** A card on a stored image (a planted photo, or a planted DICOM flagged for burned-in text), its requester a participant, linked to a patient unless not. */
  async function sharedImage(o: { kind: 'photo' | 'dicom'; linked?: boolean; burnedIn?: boolean }) {
    const c = await consultWithCard(s, NOW);
    await participantWithGrant(s, c.consultId, REQUESTER, { source: 'participant', expiresAt: new Date(NOW.getTime() + HOUR) }, 'requester');
    const mrn = `${PATIENT.identifier}-${Math.random().toString(36).slice(2, 8)}`;
    const patientId = o.linked === false ? null : await s.patients.link(c.workspaceId, { identifier: mrn, issuer: 'HOSPITAL-A' }, TEST);
    await s.db.prisma.asset.update({
      where: { id: c.assetId },
      data: { kind: o.kind === 'photo' ? 'photo' : 'dicom_instance', burnedInText: o.kind === 'photo' ? false : (o.burnedIn ?? false), patientId },
    });
    await s.blobs.put({ assetId: c.assetId, kind: 'original', mediaType: o.kind === 'photo' ? 'image/jpeg' : 'application/dicom', body: Readable.from([o.kind === 'photo' ? photo : dicom]), actor: TEST });
    const who = { workspaceId: c.workspaceId, userId: REQUESTER, isAdmin: false };
    const permit = (purposes: string[], dataKinds: string[]) =>
      recordConsent({ ...s, queue: new JobQueue({ db: s.db, clock, audit: s.audit }), clock }, { workspaceId: c.workspaceId, patient: { identifier: mrn, issuer: 'HOSPITAL-A' }, terms: { decision: 'permit', purposes, parties: ['institution', 'care_team'], dataKinds, validFrom: new Date(NOW.getTime() - HOUR) }, recorder: nurse, via: 'chat_slack' });
    return { ...c, who, permit };
  }
  const created = (assetId: string, outcome: 'success' | 'denied') => s.db.prisma.auditEvent.findMany({ where: { assetId, action: 'teaching_share.created', outcome } });
  const decrypted = async (assetId: string, kind: 'teaching' | 'teaching_display') => {
    const blob = await s.db.prisma.blob.findFirstOrThrow({ where: { assetId, kind } });
    return { blob, bytes: await buffer(await s.blobs.open(blob.id, TEST)) };
  };
  const signedIn = async () => (await sessions.create({ issuer: 'https://idp.example', subject: 'sub-teacher', displayName: 'A Teacher', email: undefined, acr: undefined, amr: [], identityLinkId: undefined })).token;
  const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

  it('refuses without a consent that covers education, says why, audits it and copies nothing; shares once an education permit is recorded', async () => {
    const c = await sharedImage({ kind: 'photo' });
    await c.permit(['care'], ['photo']);
    const refused = await shareForTeaching(deps, { cardId: c.cardId, who: c.who, confirmed: true });
    expect(refused).toMatchObject({ outcome: 'refused', reason: 'consent_missing' });
    expect(TEACHING_REFUSED.consent_missing).toMatch(/consent does not cover education/);
    expect((await created(c.assetId, 'denied')).map((e) => e.reason)).toEqual(['consent_missing']);
    expect(await s.db.prisma.teachingShare.count({ where: { assetId: c.assetId } })).toBe(0);
    expect(await s.db.prisma.blob.count({ where: { assetId: c.assetId, kind: 'teaching' } })).toBe(0);

    await c.permit(['education'], ['photo']);
    const shared = await shareForTeaching(deps, { cardId: c.cardId, who: c.who, confirmed: true });
    expect(shared).toMatchObject({ outcome: 'shared', url: expect.stringMatching(/^https:\/\/loupe\.example\/teach\/[A-Za-z0-9_-]{43}$/) });
    if (shared.outcome !== 'shared') return;
    expect(shared.expiresAt.getTime()).toBe(NOW.getTime() + 30 * 24 * HOUR);
    // Only the token's hash is kept.
    const row = await s.db.prisma.teachingShare.findUniqueOrThrow({ where: { id: shared.shareId } });
    expect(JSON.stringify(row)).not.toContain(tokenOf(shared.url));
    expect(await created(c.assetId, 'success')).toHaveLength(1);
  });

  it('refuses an image with no patient, and a stranger to the consult', async () => {
    const unlinked = await sharedImage({ kind: 'photo', linked: false });
    expect(await shareForTeaching(deps, { cardId: unlinked.cardId, who: unlinked.who, confirmed: true })).toMatchObject({ outcome: 'refused', reason: 'no_patient' });
    const c = await sharedImage({ kind: 'photo' });
    await c.permit(['education'], ['photo']);
    expect(await shareForTeaching(deps, { cardId: c.cardId, who: { ...c.who, userId: 'U0STRANGER' }, confirmed: true })).toMatchObject({ outcome: 'refused', reason: 'not_participant' });
  });

  it('asks for confirmation for a photo (a face cannot be ruled out); the copy is ciphertext at rest and, decrypted, exiftool finds none of the planted metadata', async () => {
    const c = await sharedImage({ kind: 'photo' });
    await c.permit(['education'], ['photo']);
    expect(await shareForTeaching(deps, { cardId: c.cardId, who: c.who, confirmed: false })).toMatchObject({ outcome: 'needs_confirmation' });
    expect(await s.db.prisma.teachingShare.count({ where: { assetId: c.assetId } })).toBe(0);
    expect((await shareForTeaching(deps, { cardId: c.cardId, who: c.who, confirmed: true })).outcome).toBe('shared');

    const { blob, bytes } = await decrypted(c.assetId, 'teaching');
    const atRest = await readFile(join(s.blobDir, ...(await readdir(s.blobDir, { recursive: true })).filter((f) => f.endsWith(blob.storageKey))));
    expect(atRest.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    expect(atRest.includes(bytes.subarray(0, 64))).toBe(false);
    for (const p of PLANTED) expect(atRest.includes(Buffer.from(p))).toBe(false);

    expect(bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    const exif = async (name: string, b: Buffer) => {
      const file = join(dir, `${name}-${engine}.jpg`);
      await writeFile(file, b);
      const tags = (JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1', file], { encoding: 'utf8' })) as Record<string, unknown>[])[0]!;
      return { text: JSON.stringify(tags), metadata: Object.keys(tags).filter((k) => /^(exif(?!tool:)|xmp|iptc|gps|icc|ifd|photoshop|makernotes)/i.test(k) || /comment/i.test(k)) };
    };
    // exiftool sees what was planted in the upload...
    const before = await exif('original', photo);
    expect(before.text).toContain('PLANTED-ARTIST');
    expect(before.metadata.length).toBeGreaterThan(5);
    // ...and none of it in the teaching copy.
    const after = await exif('copy', bytes);
    for (const p of PLANTED) expect(after.text).not.toContain(p);
    expect(after.metadata).toEqual([]);
  });

  it('asks for confirmation for a DICOM flagged for burned-in text and shares it once confirmed, with no patient left in its header (dcmdump)', async () => {
    const plain = await sharedImage({ kind: 'dicom' });
    await plain.permit(['education'], ['dicom']);
    // Not flagged: no confirmation asked.
    expect((await shareForTeaching(deps, { cardId: plain.cardId, who: plain.who, confirmed: false })).outcome).toBe('shared');

    const c = await sharedImage({ kind: 'dicom', burnedIn: true });
    await c.permit(['education'], ['dicom']);
    expect(await shareForTeaching(deps, { cardId: c.cardId, who: c.who, confirmed: false })).toMatchObject({ outcome: 'needs_confirmation' });
    expect(await s.db.prisma.teachingShare.count({ where: { assetId: c.assetId } })).toBe(0);
    const shared = await shareForTeaching(deps, { cardId: c.cardId, who: c.who, confirmed: true });
    expect(shared.outcome).toBe('shared');
    expect((await s.db.prisma.teachingShare.findFirstOrThrow({ where: { assetId: c.assetId } })).confirmed).toBe(true);

    const { bytes } = await decrypted(c.assetId, 'teaching');
    const file = join(dir, `copy-${engine}.dcm`);
    await writeFile(file, bytes);
    const dump = execFileSync('dcmdump', ['+E', file], { encoding: 'utf8' });
    expect(dump).toMatch(/\(7fe0,0010\)/);
    for (const phi of ['PLANTEDNAME', 'JANE', PATIENT.identifier, PATIENT.birthDate, 'HOSPITAL-A']) expect(dump).not.toContain(phi);
    const display = await decrypted(c.assetId, 'teaching_display');
    expect(display.blob.mediaType).toBe('image/png');
  });

  it('opens the link only to a signed-in user while the education consent stands, auditing every view; a withdrawal, a revocation and a shredding end it', async () => {
    const c = await sharedImage({ kind: 'photo' });
    const permit = await c.permit(['education'], ['photo']);
    const shared = await shareForTeaching(deps, { cardId: c.cardId, who: c.who, confirmed: true });
    if (shared.outcome !== 'shared') throw new Error(shared.outcome);
    const token = tokenOf(shared.url);
    const open = (sessionToken: string | undefined, request: 'page' | 'image' = 'page') => openTeachingShare({ ...deps, sessions }, { token, sessionToken, request });

    expect(await open(undefined)).toEqual({ outcome: 'sign_in' });
    const session = await signedIn();
    const allowed = await open(session, 'image');
    expect(allowed.outcome).toBe('allowed');
    if (allowed.outcome === 'allowed') expect((await buffer(allowed.image!.body)).subarray(0, 2).equals(Buffer.from([0xff, 0xd8]))).toBe(true);
    expect(await openTeachingShare({ ...deps, sessions }, { token: 'x'.repeat(43), sessionToken: session, request: 'page' })).toEqual({ outcome: 'unknown' });

    await withdrawConsent({ ...s, queue: new JobQueue({ db: s.db, clock, audit: s.audit }), clock }, { workspaceId: c.workspaceId, consentId: permit.id, recorder: nurse, via: 'chat_slack', reason: 'patient_withdrew' });
    expect(await open(session)).toMatchObject({ outcome: 'refused', reason: 'consent_missing' });
    const views = await s.db.prisma.auditEvent.findMany({ where: { assetId: c.assetId, action: 'teaching_share.viewed' }, orderBy: { seq: 'asc' } });
    expect(views.map((v) => [v.outcome, v.reason, v.actorId])).toEqual([
      ['success', null, 'sub-teacher'],
      ['denied', 'consent_missing', 'sub-teacher'],
    ]);

    // Revocable by its creator or an admin only.
    await c.permit(['education'], ['photo']);
    expect((await open(session)).outcome).toBe('allowed');
    expect(await revokeTeachingShare(deps, { shareId: shared.shareId, who: { ...c.who, userId: 'U0SOMEONE1' } })).toEqual({ outcome: 'refused' });
    expect(await revokeTeachingShare(deps, { shareId: shared.shareId, who: c.who })).toEqual({ outcome: 'revoked' });
    expect(await open(session)).toMatchObject({ outcome: 'refused', reason: 'share_revoked' });

    // Shredding the image shreds its teaching copy (a blob of the asset) and ends its other shares.
    const second = await shareForTeaching(deps, { cardId: c.cardId, who: c.who, confirmed: true });
    if (second.outcome !== 'shared') throw new Error(second.outcome);
    const copy = await s.db.prisma.blob.findFirstOrThrow({ where: { assetId: c.assetId, kind: 'teaching' }, include: { dataKey: true } });
    await shredAsset({ blobs: s.blobs, audit: s.audit, queue: new JobQueue({ db: s.db, clock, audit: s.audit }), clock }, { assetId: c.assetId, actor: { type: 'system', id: 'retention' }, reason: 'retention' });
    expect((await s.db.prisma.dataKey.findUniqueOrThrow({ where: { id: copy.dataKeyId } })).wrapped).toBeNull();
    expect((await s.db.prisma.teachingShare.findUniqueOrThrow({ where: { id: second.shareId } })).revokedAt).not.toBeNull();
    const ended = await s.db.prisma.auditEvent.findMany({ where: { action: 'teaching_share.revoked', assetId: c.assetId, reason: 'retention' } });
    expect(ended.map((e) => (e.details as { shareId: string }).shareId)).toEqual([second.shareId]);
    expect(await openTeachingShare({ ...deps, sessions }, { token: tokenOf(second.url), sessionToken: session, request: 'page' })).toMatchObject({ outcome: 'refused', reason: 'asset_gone' });
  });
});
