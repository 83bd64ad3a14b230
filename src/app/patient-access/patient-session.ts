// The patient's side of their access link: the link asks for the code; the
// right code (once) opens one short session bound to the link; every request
// of that session is decided afresh (the link revoked or expired stops it at
// once) and audited, and reaches only the link's own patient's stored images.
// The actor of every event is the patient, named by the link's id (never who
// they are).
import type { Readable } from 'node:stream';
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import { MAX_WRONG_CODES, mayEnterCode, maySessionContinue, normaliseCode, sessionEnd, type LinkRefusal, type SessionRefusal } from '../../core/patient-access/rules.js';
import type { Storage } from '../../storage/services.js';
import { transaction } from '../../storage/transaction.js';
import { producePatientReportFor, type PatientReport } from '../patient-report.js';
import { hashPatientLinkToken, hashPatientSessionToken, newPatientToken, PATIENT_TOKEN, patientCodeHash, sameHash } from './secrets.js';

export interface PatientAccessDeps {
  storage: Pick<Storage, 'db' | 'audit' | 'workspaces' | 'blobs'>;
  clock: Clock;
}

const patientActor = (linkId: string): AuditActor => ({ type: 'patient', id: linkId });

export type LinkAnswer = { outcome: 'unknown' } | { outcome: 'refused'; reason: LinkRefusal } | { outcome: 'ask_code' };

async function findLink(d: PatientAccessDeps, token: string) {
  if (!PATIENT_TOKEN.test(token)) return null;
  return d.storage.db.prisma.patientAccessLink.findUnique({ where: { tokenHash: hashPatientLinkToken(token) } });
}

/** Opening the link: the code form, or why not (audited for a link Loupe knows). */
export async function openPatientLink(d: PatientAccessDeps, token: string, requestId?: string): Promise<LinkAnswer> {
  const link = await findLink(d, token);
  if (!link) return { outcome: 'unknown' };
  const decision = mayEnterCode(link, d.clock.now());
  if (decision.open) return { outcome: 'ask_code' };
  await d.storage.audit.record({ actor: patientActor(link.id), action: AuditAction.PatientAccessRefused, outcome: 'denied', reason: decision.reason, workspaceId: link.workspaceId, patientId: link.patientId, requestId: requestId ?? null, details: { linkId: link.id } });
  return { outcome: 'refused', reason: decision.reason };
}

export type CodeAnswer =
  | { outcome: 'unknown' }
  | { outcome: 'refused'; reason: LinkRefusal }
  | { outcome: 'wrong'; triesLeft: number }
  | { outcome: 'opened'; sessionToken: string; endsAt: Date };

/** The code typed on the link: counted when wrong (the fifth wrong one locks the link); the right one opens the link's one session. */
export async function enterPatientCode(d: PatientAccessDeps, o: { token: string; code: string; requestId?: string }): Promise<CodeAnswer> {
  if (!PATIENT_TOKEN.test(o.token)) return { outcome: 'unknown' };
  const tokenHash = hashPatientLinkToken(o.token);
  const typed = normaliseCode(o.code);
  return transaction(d.storage.db, async (tx): Promise<CodeAnswer> => {
    // The row locked (then read): two codes posted at once are counted one after the other, and only one can open the session.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "PatientAccessLink" WHERE "tokenHash" = ${tokenHash} FOR UPDATE`;
    if (locked.length === 0) return { outcome: 'unknown' };
    const link = await tx.patientAccessLink.findUniqueOrThrow({ where: { tokenHash } });
    const now = d.clock.now();
    const base = { actor: patientActor(link.id), workspaceId: link.workspaceId, patientId: link.patientId, requestId: o.requestId ?? null };
    const decision = mayEnterCode(link, now);
    if (!decision.open) {
      await d.storage.audit.append(tx, { ...base, action: AuditAction.PatientAccessRefused, outcome: 'denied', reason: decision.reason, details: { linkId: link.id } });
      return { outcome: 'refused', reason: decision.reason };
    }
    const secret = await d.storage.workspaces.secret(link.workspaceId, tx);
    if (typed === undefined || !sameHash(patientCodeHash(secret, link.id, typed), link.codeHash)) {
      const failures = link.failedCodes + 1;
      const locked = failures >= MAX_WRONG_CODES;
      await tx.patientAccessLink.update({ where: { id: link.id }, data: { failedCodes: failures, ...(locked ? { lockedAt: now } : {}) } });
      await d.storage.audit.append(tx, { ...base, action: AuditAction.PatientAccessCodeRefused, outcome: 'denied', reason: locked ? 'locked' : 'wrong_code', details: { linkId: link.id, failures, locked } });
      return locked ? { outcome: 'refused', reason: 'locked' } : { outcome: 'wrong', triesLeft: MAX_WRONG_CODES - failures };
    }
    const sessionToken = newPatientToken();
    const endsAt = sessionEnd(now, link.expiresAt);
    await tx.patientAccessLink.update({ where: { id: link.id }, data: { codeUsedAt: now, sessionHash: hashPatientSessionToken(sessionToken), sessionSeenAt: now, sessionEndsAt: endsAt } });
    await d.storage.audit.append(tx, { ...base, action: AuditAction.PatientAccessOpened, outcome: 'success', details: { linkId: link.id, sessionEndsAt: endsAt.toISOString() } });
    return { outcome: 'opened', sessionToken, endsAt };
  });
}

/** What the patient asked for: their list of images (with the report), one image, or an original file. */
export type PatientAsk = { what: 'list' } | { what: 'photo' | 'preview' | 'original'; assetId: string };

export interface PatientAsset {
  id: string;
  kind: 'photo' | 'dicom_instance' | 'dicom_series' | 'dicom_study';
  modality: string | null;
  bodyPart: string | null;
  storedAt: Date;
}

export interface PatientSession {
  linkId: string;
  workspaceId: string;
  patientId: string;
  endsAt: Date;
}

export type PatientAnswer =
  | { outcome: 'no_session' }
  | { outcome: 'refused'; reason: SessionRefusal }
  | { outcome: 'not_found' }
  | { outcome: 'allowed'; session: PatientSession; asset?: PatientAsset };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Decides one request of a patient session, counts it as use and audits it (allowed or refused) in one transaction. */
export async function patientRequest(d: PatientAccessDeps, o: { sessionToken: string | undefined; ask: PatientAsk; requestId?: string }): Promise<PatientAnswer> {
  if (!o.sessionToken || !PATIENT_TOKEN.test(o.sessionToken)) return { outcome: 'no_session' };
  const sessionHash = hashPatientSessionToken(o.sessionToken);
  return transaction(d.storage.db, async (tx): Promise<PatientAnswer> => {
    const link = await tx.patientAccessLink.findUnique({ where: { sessionHash } });
    if (!link) return { outcome: 'no_session' };
    const now = d.clock.now();
    const base = { actor: patientActor(link.id), workspaceId: link.workspaceId, patientId: link.patientId, requestId: o.requestId ?? null };
    const decision = maySessionContinue(link, now);
    if (!decision.open) {
      await d.storage.audit.append(tx, { ...base, action: AuditAction.PatientAccessRefused, outcome: 'denied', reason: decision.reason, details: { linkId: link.id, asked: o.ask.what } });
      return { outcome: 'refused', reason: decision.reason };
    }
    let asset: PatientAsset | undefined;
    if (o.ask.what !== 'list') {
      const row = UUID.test(o.ask.assetId) ? await tx.asset.findUnique({ where: { id: o.ask.assetId } }) : null;
      // Only this patient's stored images: anyone else's, or a shredded one, is not there at all.
      if (!row || row.patientId !== link.patientId || !listable(row) || (o.ask.what === 'photo' && row.kind !== 'photo') || (o.ask.what === 'original' && row.kind === 'photo')) {
        await d.storage.audit.append(tx, { ...base, action: AuditAction.PatientAccessRefused, outcome: 'denied', reason: 'not_found', details: { linkId: link.id, asked: o.ask.what } });
        return { outcome: 'not_found' };
      }
      asset = patientAsset(row);
    }
    await tx.patientAccessLink.update({ where: { id: link.id }, data: { sessionSeenAt: now, uses: { increment: 1 } } });
    await d.storage.audit.append(tx, { ...base, action: AuditAction.PatientAccessViewed, outcome: 'success', assetId: asset?.id ?? null, details: { linkId: link.id, what: o.ask.what } });
    return { outcome: 'allowed', session: { linkId: link.id, workspaceId: link.workspaceId, patientId: link.patientId, endsAt: link.sessionEndsAt! }, ...(asset ? { asset } : {}) };
  });
}

type AssetRow = { id: string; kind: string | null; status: string; shreddedAt: Date | null; metadata: unknown; createdAt: Date };

function listable(a: AssetRow): boolean {
  return a.status === 'stored' && a.shreddedAt === null && a.kind !== null;
}

function patientAsset(a: AssetRow): PatientAsset {
  const m = (a.metadata ?? {}) as { modality?: unknown; bodyPart?: unknown };
  const word = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9 _-]{1,32}$/.test(v) ? v : null);
  return { id: a.id, kind: a.kind as PatientAsset['kind'], modality: word(m.modality), bodyPart: word(m.bodyPart), storedAt: a.createdAt };
}

/** The patient's stored images, oldest first (after `patientRequest` allowed the list). */
export async function patientAssets(d: PatientAccessDeps, session: PatientSession): Promise<PatientAsset[]> {
  const rows = await d.storage.db.prisma.asset.findMany({ where: { patientId: session.patientId, status: 'stored', shreddedAt: null }, orderBy: { createdAt: 'asc' } });
  return rows.filter(listable).map(patientAsset);
}

/** The patient's images for their page, each with whether a rendering of it (a DICOM's preview) can be shown. */
export async function patientImages(d: PatientAccessDeps, session: PatientSession): Promise<{ asset: PatientAsset; hasPreview: boolean }[]> {
  const assets = await patientAssets(d, session);
  const previews = new Set((await d.storage.db.prisma.blob.findMany({ where: { assetId: { in: assets.map((a) => a.id) }, kind: 'preview' }, select: { assetId: true } })).map((b) => b.assetId));
  return assets.map((asset) => ({ asset, hasPreview: previews.has(asset.id) }));
}

/** Which blob each ask reads: a photo's cleaned full-resolution copy, a DICOM's rendered preview, a DICOM's original file. */
const BLOB_OF = { photo: 'derivative', preview: 'preview', original: 'original' } as const;

/** One of the patient's blobs, decrypted as it streams (the read itself audited by the blob store); none when the image has no such blob. */
export async function readPatientBlob(d: PatientAccessDeps, session: PatientSession, assetId: string, what: keyof typeof BLOB_OF, requestId?: string): Promise<{ mediaType: string; size: bigint; body: Readable } | undefined> {
  const blob = await d.storage.db.prisma.blob.findUnique({ where: { assetId_kind_part: { assetId, kind: BLOB_OF[what], part: 0 } } });
  if (!blob) return undefined;
  // A whole study's original is the zip as it came: files Loupe skipped (reports, a CD's extras) may name anyone. Never handed out.
  if (what === 'original' && blob.mediaType === 'application/zip') return undefined;
  return { mediaType: blob.mediaType, size: blob.plaintextSize, body: await d.storage.blobs.open(blob.id, patientActor(session.linkId), requestId) };
}

/** The patient's own accounting of disclosures, their own accesses included (producing it is recorded as theirs). */
export function patientReport(d: PatientAccessDeps, session: PatientSession, requestId?: string): Promise<PatientReport> {
  return producePatientReportFor({ db: d.storage.db, audit: d.storage.audit, clock: d.clock, patient: { workspaceId: session.workspaceId, patientId: session.patientId }, actor: patientActor(session.linkId), requestId });
}

/** Signing out ends the session (the code stays used), audited when there was a session to end. */
export async function endPatientSession(d: PatientAccessDeps, sessionToken: string | undefined, requestId?: string): Promise<void> {
  if (!sessionToken || !PATIENT_TOKEN.test(sessionToken)) return;
  const now = d.clock.now();
  await transaction(d.storage.db, async (tx) => {
    const link = await tx.patientAccessLink.findUnique({ where: { sessionHash: hashPatientSessionToken(sessionToken) } });
    if (!link || (link.sessionEndsAt !== null && link.sessionEndsAt <= now)) return;
    await tx.patientAccessLink.update({ where: { id: link.id }, data: { sessionEndsAt: now } });
    await d.storage.audit.append(tx, { actor: patientActor(link.id), action: AuditAction.PatientAccessEnded, outcome: 'success', workspaceId: link.workspaceId, patientId: link.patientId, requestId: requestId ?? null, details: { linkId: link.id } });
  });
}
