// A whole study shared as a zip archive, prepared in the imaging lane like
// any secured upload: the archive (its encrypted original) is sent once to
// the imaging sandbox, which checks its central directory (limits, names)
// and then prepares one entry at a time; each image is stored twice,
// encrypted: as it came (what the viewer reads) and de-identified. Once every
// entry is done the images are grouped into series and stacked, one preview
// made per series, and one card made for the whole study. An archive that
// breaks a limit, holds another archive, names more than one patient or more
// than one study fails with its own code, its encrypted original kept, as a
// damaged file does. Safe to run again after a crash: parts already stored
// are kept and not stored twice.
import { Readable } from 'node:stream';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import { identifierIn, type ChannelPolicy } from '../../core/policy/channel-policy.js';
import { DEFAULT_ARCHIVE_LIMITS } from '../../imaging/study/archive.js';
import type { StudyAnswer, StudyOp } from '../../imaging/study/study-task.js';
import type { AssetSummary } from '../../intake/prepare-asset.js';
import { groupStudy, middleInstance, type PlacedInstance } from '../../intake/study-summary.js';
import type { PatientDemographics } from '../../storage/patients.js';
import { failAsset, readBlob, SYSTEM, type IngestDeps, type IngestResult } from '../ingest-asset.js';
import { readAssetText } from '../sealed-text.js';
import { storeCard } from '../store-card.js';

export interface StudyAsset {
  id: string;
  workspaceId: string;
  uploaderId: string;
  sourceMessageId: string | null;
  messageText: Uint8Array | null;
  messageTextKeyId: string | null;
}

export interface StudyFor {
  asset: StudyAsset;
  consult: { id: string; channelId: string; threadId: string; patientId: string | null };
  policy: ChannelPolicy;
  metadata: object;
  originalBlobId: string;
}

/** Another archive's images carry another patient: never one card for two patients. */
const samePatient = (a: PatientDemographics, b: PatientDemographics) => a.identifier === b.identifier && a.issuer === b.issuer;

export async function prepareStudy(deps: IngestDeps, s: StudyFor): Promise<IngestResult | 'again'> {
  const { asset } = s;
  const failed = (code: ErrorCode) => failAsset(deps, asset.id, asset.workspaceId, code, s.metadata, true);
  const archive = await readBlob(deps, s.originalBlobId);
  const secret = await deps.workspaces.secret(asset.workspaceId);
  // What the sandbox refuses is the upload's failure; anything else (the store, the database) is retried by the job.
  const ask = (op: StudyOp) =>
    askStudy(deps, asset.id, archive, secret, op).catch((error: unknown) => {
      throw isLoupeError(error) ? new Refused(error.code) : error;
    });
  const stored = new Set((await deps.db.prisma.blob.findMany({ where: { assetId: asset.id }, select: { kind: true, part: true } })).map((b) => `${b.kind}:${b.part}`));
  const put = async (kind: 'instance' | 'derivative' | 'preview', part: number, mediaType: string, data: Uint8Array) => {
    if (stored.has(`${kind}:${part}`)) return;
    await deps.blobs.put({ assetId: asset.id, kind, part, mediaType, body: Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]), actor: SYSTEM });
    stored.add(`${kind}:${part}`);
  };

  const placed: PlacedInstance[] = [];
  let patient: PatientDemographics | undefined;
  let anonymous = false;
  let burnedInText = false;
  let burnedInAbsent = true;
  let skipped = 0;
  const warnings = new Set<string>();
  try {
    const listing = await ask({ op: 'list' });
    if (listing.op !== 'list') throw new Error('the imaging sandbox answered another question');
    // An image the archive holds twice is not prepared again: kept once, the repeat counted as skipped.
    const duplicates = new Set(listing.duplicates);
    const wanted = [...Array(listing.entries).keys()].filter((index) => !duplicates.has(index));
    skipped += duplicates.size;
    // The sandbox prepares the next entry while this one is stored: the two take about as long.
    const entryAt = (k: number) => (k < wanted.length ? ask({ op: 'entry', index: wanted[k]! }) : undefined);
    let next = entryAt(0);
    for (const [k, index] of wanted.entries()) {
      const answer = await next!;
      next = entryAt(k + 1);
      // Left behind by a return below: its failure is not this preparation's.
      next?.catch(() => undefined);
      if (answer.op !== 'entry') throw new Error('the imaging sandbox answered another question');
      const entry = answer.entry;
      if (entry.outcome === 'skipped') {
        skipped++;
        continue;
      }
      // Checked in the sandbox before anything was stored; again here, where the card's patient is chosen.
      anonymous ||= !entry.patient;
      if (entry.patient) {
        if (patient && !samePatient(patient, entry.patient)) return failed(ErrorCode.ArchiveMixedPatients);
        patient ??= entry.patient;
      }
      if (patient && anonymous) return failed(ErrorCode.ArchiveMixedPatients);
      await Promise.all([put('instance', index, 'application/dicom', entry.file), put('derivative', index, 'application/dicom', entry.derivative)]);
      placed.push({ part: index, ...entry.place });
      burnedInText ||= entry.burnedInText;
      burnedInAbsent &&= entry.burnedInAbsent;
      for (const w of entry.warnings) warnings.add(w);
    }
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return failed(error.code);
  }
  if (placed.length === 0) return failed(ErrorCode.ArchiveNoImages);
  const study = groupStudy(placed, skipped);
  if (study === 'several') return failed(ErrorCode.ArchiveSeveralStudies);

  // A thumbnail per series, from its middle image (none where burned-in text may show the patient).
  for (const [k, series] of study.series.entries()) {
    if (stored.has(`preview:${k}`)) continue;
    const middle = middleInstance(series)!;
    const answer = await ask({ op: 'preview', index: middle.part }).catch((error: unknown) => {
      if (!(error instanceof Refused)) throw error;
    });
    if (answer?.op === 'preview' && answer.preview) await put('preview', k, answer.preview.mediaType, answer.preview.data);
  }

  // The patient: from the headers, else an identifier in the message text by the channel's pattern.
  let linked = patient ? { ...patient, issuer: patient.issuer || s.policy.identifierIssuer } : undefined;
  if (!linked) {
    const text = await readAssetText(deps, deps.db.prisma, asset);
    const identifier = text === undefined ? undefined : identifierIn(s.policy, text);
    if (identifier) linked = { identifier, issuer: s.policy.identifierIssuer };
  }
  const first = study.series[0];
  const facts: AssetSummary = {
    family: 'dicom',
    ...(first?.modality ? { modality: first.modality } : {}),
    ...(first?.bodyPart ? { bodyPart: first.bodyPart } : {}),
    burnedInAbsent,
    study,
  };
  const made = await storeCard(deps, {
    asset,
    consult: s.consult,
    policy: s.policy,
    facts,
    metadata: s.metadata,
    patient: linked,
    burnedInText,
    kind: 'dicom_study',
    stored: { blobs: stored.size + 1 },
  });
  if (!made) return 'again';
  return { outcome: 'stored', card: made.card, linkToken: made.linkToken, warnings: [...warnings] };
}

/** The sandbox's refusal of the archive or an entry of it, by its code. */
class Refused extends Error {
  constructor(readonly code: ErrorCode) {
    super('the imaging sandbox refused the archive');
  }
}

/** One question to the sandbox about the archive: asked without it when a child may hold it, else (or when it turns out not to) with it. */
async function askStudy(deps: IngestDeps, assetId: string, archive: Buffer, secret: Uint8Array, op: StudyOp): Promise<StudyAnswer> {
  const key = `study:${assetId}`;
  const request = (file?: Buffer) => ({ ...op, key, limits: deps.limits, archiveLimits: DEFAULT_ARCHIVE_LIMITS, secret, ...(file ? { file } : {}) });
  try {
    return await deps.sandbox.runHeld('study', key, archive.length, (holds) => request(holds ? undefined : archive));
  } catch (error) {
    if (!isLoupeError(error, ErrorCode.ImageNotHeld)) throw error;
  }
  return deps.sandbox.runHeld('study', key, archive.length, () => request(archive));
}
