// The durable job behind "Send to PACS": builds the instances (a DICOM
// image's stored original, or its de-identified copy, as configured; a photo
// made into a VL Photographic Image in the imaging sandbox, carrying the
// linked patient's demographics, or Loupe's pseudonym for the patient when
// de-identified copies go), sends them by STOW-RS, and records the outcome:
// the export's row, an audit event and the card's redraw, together. A PACS
// that is unavailable is tried again with the queue's backoff; one that
// refuses (credentials, the instances) fails at once, as does an export whose
// last try ran out (its dead letter). Messages never carry the PACS's words.
import { buffer } from 'node:stream/consumers';
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { storeInstances, StowError } from '../../export/stow-rs.js';
import { newUid } from '../../imaging/dicom/new-uid.js';
import type { VlPhotoPatient } from '../../imaging/dicom/vl-photographic.js';
import { asBuffer } from '../../imaging/sandbox/as-buffer.js';
import type { JobHandler } from '../../jobs/worker.js';
import { transaction } from '../../storage/transaction.js';
import { consentCoversCare } from '../card-consent.js';
import { queueCardUpdate } from '../queue-card-update.js';
import { PACS_EXPORT_JOB, type PacsDeps } from './pacs-deps.js';

const ACTOR: AuditActor = { type: 'system', id: 'pacs-export' };

/** Failures while making the instances that a later try may not meet: a body the store could not give, the worker stopping. */
const RETRIED = new Set<string>([ErrorCode.BlobNotFound, ErrorCode.JobLeaseLost]);

interface ExportJob {
  exportId: string;
  cardId: string;
}

function exportJob(payload: unknown): ExportJob {
  const p = payload as Partial<ExportJob> | null;
  if (typeof p?.exportId !== 'string' || typeof p.cardId !== 'string') throw new LoupeError(ErrorCode.InvalidInput, 'PACS export job without its export and card ids');
  return { exportId: p.exportId, cardId: p.cardId };
}

export function pacsExportHandlers(deps: PacsDeps): Record<string, JobHandler> {
  return {
    [PACS_EXPORT_JOB]: (payload) => exportToPacs(deps, exportJob(payload)),
    // Every try failed (the PACS stayed unavailable): the card says so, and someone may ask again.
    [`${PACS_EXPORT_JOB}.dead_letter`]: (payload) => settle(deps, exportJob(payload), { status: 'failed', code: ErrorCode.PacsUnavailable }),
  };
}

export async function exportToPacs(deps: PacsDeps, job: ExportJob): Promise<void> {
  const row = await deps.db.prisma.pacsExport.findUnique({ where: { id: job.exportId }, include: { asset: true } });
  if (!row || row.status !== 'queued') return;
  const pacs = deps.pacs;
  if (!pacs) return settle(deps, job, { status: 'failed', code: ErrorCode.ConfigInvalid });
  if (row.asset.status !== 'stored' || !row.asset.patientId) return settle(deps, job, { status: 'failed', code: ErrorCode.AssetShredded });
  // Asked again at sending: a consent withdrawn since the press stops it.
  const card = await deps.db.prisma.card.findUnique({ where: { id: job.cardId }, select: { workspaceId: true, channelId: true } });
  if (!card || !(await consentCoversCare(deps, card, row.asset))) return settle(deps, job, { status: 'failed', code: ErrorCode.Forbidden });
  let instances: Buffer[];
  try {
    // A study's original is its zip: its images as they came are its instance parts, all sent in one request.
    const identified = row.asset.kind === 'dicom_study' ? 'instance' : 'original';
    instances = row.asset.kind === 'photo' ? [await photoInstance(deps, row)] : await dicomInstances(deps, row.assetId, row.copy === 'identified' ? identified : 'derivative');
  } catch (error) {
    // An image that cannot be made into what the PACS takes will not become one on a retry.
    if (error instanceof LoupeError && !RETRIED.has(error.code)) return settle(deps, job, { status: 'failed', code: error.code });
    throw error;
  }
  try {
    const result = await storeInstances({ url: pacs.url, auth: pacs.auth, instances, timeoutMs: pacs.timeoutMs });
    const stored = result.instances.filter((i) => i.status === 'stored').length;
    if (stored !== instances.length) return settle(deps, job, { status: 'failed', code: ErrorCode.PacsRefused, httpStatus: result.httpStatus, instances: instances.length, stored });
    return settle(deps, job, { status: 'sent', httpStatus: result.httpStatus, instances: instances.length, stored });
  } catch (error) {
    if (error instanceof StowError && !error.retryable) return settle(deps, job, { status: 'failed', code: error.code, ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}) });
    // Unavailable: the queue tries again later.
    throw error;
  }
}

/** Every part of a DICOM image's stored original (a study's instances, or the de-identified copies), in order, each a Part 10 file. */
async function dicomInstances(deps: PacsDeps, assetId: string, kind: 'original' | 'instance' | 'derivative'): Promise<Buffer[]> {
  const blobs = await deps.db.prisma.blob.findMany({ where: { assetId, kind }, orderBy: { part: 'asc' } });
  if (!blobs.length) throw new LoupeError(ErrorCode.BlobNotFound, 'the image has no stored copy to send');
  const total = blobs.reduce((sum, b) => sum + Number(b.plaintextSize), 0);
  if (total > deps.maxExportBytes) throw new LoupeError(ErrorCode.ImageTooLarge, 'the image is larger than Loupe sends to a PACS');
  return Promise.all(blobs.map(async (b) => buffer(await deps.blobs.open(b.id, ACTOR))));
}

/** The photo's cleaned copy as a VL Photographic Image; its UIDs are fixed at the first try, so a retry sends the same object. */
async function photoInstance(deps: PacsDeps, row: { id: string; copy: string; asset: { id: string; patientId: string | null; createdAt: Date }; studyInstanceUid: string | null; seriesInstanceUid: string | null; sopInstanceUid: string | null }): Promise<Buffer> {
  const cleaned = await deps.db.prisma.blob.findFirst({ where: { assetId: row.asset.id, kind: 'derivative' } });
  if (!cleaned) throw new LoupeError(ErrorCode.BlobNotFound, 'the photo has no cleaned copy to send');
  if (Number(cleaned.plaintextSize) > deps.maxExportBytes) throw new LoupeError(ErrorCode.ImageTooLarge, 'the photo is larger than Loupe sends to a PACS');
  const uidRoot = deps.pacs?.uidRoot;
  const uids = {
    studyInstanceUid: row.studyInstanceUid ?? newUid(uidRoot),
    seriesInstanceUid: row.seriesInstanceUid ?? newUid(uidRoot),
    sopInstanceUid: row.sopInstanceUid ?? newUid(uidRoot),
  };
  if (!row.sopInstanceUid) await deps.db.prisma.pacsExport.update({ where: { id: row.id }, data: uids });
  const patient = await photoPatient(deps, row.asset.patientId!, row.copy === 'identified');
  const bytes = await buffer(await deps.blobs.open(cleaned.id, ACTOR));
  const made = await deps.sandbox.run(
    'pacsPhoto',
    {
      bytes,
      photo: {
        patient,
        study: { instanceUid: uids.studyInstanceUid },
        seriesInstanceUid: uids.seriesInstanceUid,
        sopInstanceUid: uids.sopInstanceUid,
        // The photo's own capture time went with its metadata: the time it was shared stands for it.
        capturedAt: row.asset.createdAt.toISOString(),
        seriesDescription: 'Clinical photo (Loupe)',
        ...(uidRoot ? { uidRoot } : {}),
        manufacturer: 'Loupe',
        softwareVersion: deps.softwareVersion,
      },
    },
    bytes.length,
  );
  return asBuffer(made.bytes);
}

/** Identified: the patient as Loupe holds them (read audited); de-identified: Loupe's own id for the patient, nothing else. */
async function photoPatient(deps: PacsDeps, patientId: string, identified: boolean): Promise<VlPhotoPatient> {
  if (!identified) return { id: patientId };
  const p = await deps.patients.read(patientId, ACTOR, 'pacs_export');
  const sex = p.sex === 'M' || p.sex === 'F' || p.sex === 'O' ? p.sex : undefined;
  return { id: p.identifier, issuer: p.issuer, ...(p.name ? { name: p.name } : {}), ...(p.birthDate && /^\d{8}$/.test(p.birthDate) ? { birthDate: p.birthDate } : {}), ...(sex ? { sex } : {}) };
}

/** What the audit event's details say: counts and codes only. */
interface Outcome {
  status: 'sent' | 'failed';
  code?: string;
  httpStatus?: number;
  instances?: number;
  stored?: number;
}

/** The export's outcome, its audit event and the card's redraw, in one transaction; once (a settled export is not settled again). */
async function settle(deps: PacsDeps, job: ExportJob, outcome: Outcome): Promise<void> {
  await transaction(deps.db, async (tx) => {
    const row = await tx.pacsExport.findUnique({ where: { id: job.exportId }, include: { asset: { select: { patientId: true } } } });
    if (!row || row.status !== 'queued') return;
    const sent = outcome.status === 'sent';
    await tx.pacsExport.update({ where: { id: row.id }, data: sent ? { status: 'sent', sentAt: deps.clock.now(), failureCode: null } : { status: 'failed', failureCode: outcome.code ?? null } });
    const { status: _status, code, ...counts } = outcome;
    await deps.audit.append(tx, {
      actor: ACTOR,
      action: AuditAction.PacsExported,
      outcome: sent ? 'success' : 'failure',
      ...(code ? { reason: code } : {}),
      workspaceId: row.workspaceId,
      assetId: row.assetId,
      patientId: row.asset.patientId,
      details: { cardId: job.cardId, copy: row.copy, request: row.requests, ...counts },
    });
    await queueCardUpdate(deps, tx, job.cardId, `pacs:${row.id}:${row.requests}:${outcome.status}`, { keepLinks: true });
  });
}
