// An accepted upload's ingest: its bytes fetched through the chat's gateway,
// stored encrypted (nothing on disk is the plaintext), its card posted in the
// thread with the uploader asked for the patient, its removal from the chat
// queued; a file the gateway cannot fetch ends failed with a stable code and
// the uploader told; a dead-lettered ingest ends failed and the admins hear.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptUpload } from '../../src/app/accept-upload.js';
import { abandonUpload, ingestUpload, prepareUpload, type IngestUploadDeps } from '../../src/app/ingest-upload.js';
import { AppJob } from '../../src/app/job-names.js';
import { redrawCard } from '../../src/app/redraw-card.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { DEFAULT_SANDBOX, ImagingSandbox } from '../../src/imaging/sandbox/sandbox.js';
import { testEngines } from '../support/engines.js';
import { twoToneJpeg } from '../support/photos.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { CHANNEL, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };
const SYSTEM = { type: 'system' as const, id: 'test' };
const MAX_UPLOAD = 10 * 1024 * 1024;

describe.each(testEngines())('ingestUpload on %s', (engine) => {
  let s: TestStorage;
  let sandbox: ImagingSandbox;
  let jpeg: Buffer;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
    sandbox = new ImagingSandbox(DEFAULT_SANDBOX);
    jpeg = await twoToneJpeg();
  });
  afterAll(async () => {
    await sandbox?.close();
    await s?.cleanup();
  });

  /** A JPEG (or `bytes`) posted in an intercepted channel and accepted, its ingest not yet run. */
  async function accepted(o: { maxUploadBytes?: number; bytes?: Buffer; policy?: { acceptedKinds: ('photo' | 'dicom')[] } } = {}) {
    const { deps: chat, chat: fake } = chatDeps(s, clock, { admins: ['UADMIN'], members: { [CHANNEL]: [REQUESTER, 'UADMIN'] } });
    const ws = await s.workspaces.ensure('slack', `T${Math.random().toString(36).slice(2, 10)}`, 'Test Hospital', SYSTEM);
    await s.policies.change(ws.id, CHANNEL, { interception: true, ...o.policy }, { type: 'admin', id: 'UADMIN' });
    const sourceRef = fake.addFile(o.bytes ?? jpeg);
    const threadId = `1700000002.${Math.random().toString().slice(2, 8)}`;
    const messageId = fake.addMessage(CHANNEL, undefined, 'a photo');
    const deps: IngestUploadDeps = {
      ...chat,
      ingest: { ...s, queue: chat.queue, removalJob: AppJob.RemoveOriginal, prepareJob: AppJob.Prepare, clock, limits: DEFAULT_LIMITS, sandbox, pacs: undefined },
      maxUploadBytes: o.maxUploadBytes ?? MAX_UPLOAD,
    };
    const r = await acceptUpload({ ...deps, dataKeys: s.dataKeys, policies: s.policies }, { workspaceId: ws.id, channelId: CHANNEL, threadId, messageId, uploaderId: REQUESTER, sourceRef, messageText: undefined, ingestJob: AppJob.Ingest });
    if (r.outcome !== 'accepted') throw new Error(`not accepted: ${r.outcome}`);
    return { deps, fake, sourceRef, threadId, assetId: r.assetId, consultId: r.consultId };
  }
  /** The asset's audit trail, without the blob store's own reads and writes. */
  const actions = async (assetId: string) =>
    (await s.db.prisma.auditEvent.findMany({ where: { assetId, NOT: { action: { startsWith: 'blob.' } } }, orderBy: { seq: 'asc' }, select: { action: true } })).map((e) => e.action);
  const removalsQueued = async (assetId: string) => (await queued(s, AppJob.RemoveOriginal)).filter((j) => (j.payload as { assetId: string }).assetId === assetId).length;
  async function filesUnder(dir: string): Promise<Buffer[]> {
    const names = await readdir(dir, { recursive: true, withFileTypes: true });
    return Promise.all(names.filter((d) => d.isFile()).map((d) => readFile(join(d.parentPath, d.name))));
  }

  it('stores the fetched file encrypted, posts its card before the clean-up, asks the uploader for the patient and queues the removal and the clean-up; retried runs add nothing', async () => {
    const u = await accepted();
    await ingestUpload(u.deps, { assetId: u.assetId, retried: false });

    // Secured and carded: the card needs no pixels, so it does not wait for the clean-up.
    let asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: u.assetId }, include: { blobs: true } });
    expect(asset).toMatchObject({ status: 'processing', kind: 'photo', patientId: null, errorCode: null });
    expect(asset.blobs.map((b) => b.kind)).toEqual(['original']);
    const card = await s.db.prisma.card.findFirstOrThrow({ where: { assetId: u.assetId } });
    expect(card).toMatchObject({ state: 'waiting_for_patient', channelId: CHANNEL, threadId: u.threadId });
    const posted = u.fake.messages.filter((m) => m.body.includes(`"card":"${card.id}"`));
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ id: card.messageId, channelId: CHANNEL, threadId: u.threadId });
    expect(JSON.parse(posted[0]!.body)).toMatchObject({ state: 'waiting_for_patient', viewUrl: expect.stringMatching(/^https:\/\/loupe\.example\/view\/.+/) });
    expect(u.fake.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'patient_prompt', cardId: card.id } }]);
    expect(await removalsQueued(u.assetId)).toBe(1);
    const prepare = (await queued(s, AppJob.Prepare)).filter((j) => (j.payload as { assetId: string }).assetId === u.assetId);
    expect(prepare).toHaveLength(1);
    // The removal is dated at the upload's arrival: it goes ahead of later uploads' work.
    const removal = (await queued(s, AppJob.RemoveOriginal)).find((j) => (j.payload as { assetId: string }).assetId === u.assetId)!;
    expect(removal.runAt.getTime()).toBe(asset.createdAt.getTime());

    // The clean-up, in its own job: derivative and preview stored encrypted, the asset stored; no second card or notice.
    await prepareUpload(u.deps, { assetId: u.assetId, retried: false });
    asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: u.assetId }, include: { blobs: true } });
    expect(asset).toMatchObject({ status: 'stored', kind: 'photo', patientId: null, errorCode: null, metadata: expect.objectContaining({ family: 'photo', width: 300, height: 200 }) });
    expect(asset.blobs.map((b) => b.kind).sort()).toEqual(['derivative', 'original', 'preview']);
    const original = asset.blobs.find((b) => b.kind === 'original');
    // What Loupe holds opens to the upload; what lies on disk is not it.
    const chunks: Buffer[] = [];
    for await (const chunk of await s.blobs.open(original!.id, SYSTEM)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(jpeg)).toBe(true);
    const onDisk = await filesUnder(s.blobDir);
    expect(onDisk.length).toBeGreaterThanOrEqual(asset.blobs.length);
    const sample = jpeg.subarray(200, 264);
    expect(onDisk.some((f) => f.includes(sample) || f.includes(jpeg.subarray(0, 4)))).toBe(false);
    expect(u.fake.messages.filter((m) => m.body.includes(`"card":"${card.id}"`))).toHaveLength(1);
    expect(u.fake.notices).toHaveLength(1);

    // The uploader's standing comes with the card.
    expect(await s.db.prisma.consultParticipant.count({ where: { consultId: u.consultId, userId: REQUESTER } })).toBe(1);
    expect(await s.db.prisma.grant.count({ where: { consultId: u.consultId, userId: REQUESTER, revokedAt: null } })).toBe(1);
    expect(await actions(u.assetId)).toEqual(['asset.received', 'asset.original_secured', 'consult.participant_added', 'card.posted', 'asset.stored']);

    // Both jobs retried after they had done their work: no second card, blob, notice or event.
    await ingestUpload(u.deps, { assetId: u.assetId, retried: true });
    await prepareUpload(u.deps, { assetId: u.assetId, retried: true });
    expect(await s.db.prisma.card.count({ where: { assetId: u.assetId } })).toBe(1);
    expect(u.fake.messages.filter((m) => m.body.includes(`"card":"${card.id}"`))).toHaveLength(1);
    expect(await s.db.prisma.blob.count({ where: { assetId: u.assetId } })).toBe(asset.blobs.length);
    expect(u.fake.notices).toHaveLength(1);
    expect(await actions(u.assetId)).toHaveLength(5);
  });

  it('ends a photo whose clean-up fails after its card was posted failed: the card redrawn without buttons, the uploader and the admins told, the encrypted original kept', async () => {
    const truncated = jpeg.subarray(0, 400);
    const u = await accepted({ bytes: truncated });
    await ingestUpload(u.deps, { assetId: u.assetId, retried: false });
    const card = await s.db.prisma.card.findFirstOrThrow({ where: { assetId: u.assetId } });
    expect(card.messageId).not.toBeNull();
    await prepareUpload(u.deps, { assetId: u.assetId, retried: false });
    const asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: u.assetId }, include: { blobs: true } });
    expect(asset).toMatchObject({ status: 'failed', errorCode: 'LOUPE_IMAGE_CORRUPT' });
    expect(asset.blobs.map((b) => b.kind)).toEqual(['original']);
    expect(u.fake.notices).toEqual([
      { to: { user: REQUESTER }, notice: { kind: 'patient_prompt', cardId: card.id } },
      { to: { user: REQUESTER }, notice: { kind: 'upload_failed', code: 'LOUPE_IMAGE_CORRUPT', originalKept: true } },
      { to: { admins: CHANNEL }, notice: { kind: 'upload_failed_alert', originalKept: true } },
    ]);
    const redraws = (await queued(s, AppJob.UpdateCard)).filter((j) => (j.payload as { cardId: string }).cardId === card.id);
    expect(redraws).toHaveLength(1);
    await redrawCard(u.deps, { cardId: card.id });
    const redrawn = u.fake.messages.find((m) => m.id === card.messageId)!;
    expect(redrawn.card).toMatchObject({ cardId: card.id, unavailable: true });
    expect(JSON.parse(redrawn.body).viewUrl).toBeUndefined();
  });

  it('ends a secured photo whose card could never be made failed when its ingest is dead-lettered, and tells the uploader and the admins', async () => {
    const u = await accepted();
    await ingestUpload(u.deps, { assetId: u.assetId, retried: false });
    await prepareUpload(u.deps, { assetId: u.assetId, retried: false });
    // As if making the card had failed every time: secured, cleaned and out of the chat, with no card.
    const card = await s.db.prisma.card.findFirstOrThrow({ where: { assetId: u.assetId } });
    await s.db.prisma.linkToken.deleteMany({ where: { cardId: card.id } });
    await s.db.prisma.card.delete({ where: { id: card.id } });
    await abandonUpload(u.deps, { assetId: u.assetId });
    expect(await s.db.prisma.asset.findUniqueOrThrow({ where: { id: u.assetId } })).toMatchObject({ status: 'failed', errorCode: 'LOUPE_INGEST_ABANDONED' });
    expect(u.fake.notices.slice(-2)).toEqual([
      { to: { user: REQUESTER }, notice: { kind: 'upload_failed', code: 'LOUPE_INGEST_ABANDONED', originalKept: true } },
      { to: { admins: CHANNEL }, notice: { kind: 'upload_failed_alert', originalKept: true } },
    ]);
  });

  it('fails a file larger than the limit with a stable code, stores nothing, and tells the uploader', async () => {
    const u = await accepted({ maxUploadBytes: 100 });
    await ingestUpload(u.deps, { assetId: u.assetId, retried: false });
    const asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: u.assetId }, include: { blobs: true } });
    expect(asset).toMatchObject({ status: 'failed', errorCode: 'LOUPE_IMAGE_TOO_LARGE', blobs: [] });
    expect(await s.db.prisma.card.count({ where: { assetId: u.assetId } })).toBe(0);
    expect(u.fake.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'upload_failed', code: 'LOUPE_IMAGE_TOO_LARGE', originalKept: false } }]);
    const failed = await s.db.prisma.auditEvent.findMany({ where: { assetId: u.assetId, action: 'asset.failed' }, select: { outcome: true, details: true } });
    expect(failed).toMatchObject([{ outcome: 'failure', details: { code: 'LOUPE_IMAGE_TOO_LARGE', originalKept: false } }]);
    expect(await s.db.prisma.consultParticipant.count({ where: { consultId: u.consultId } })).toBe(0);
  });

  it('leaves a file that is no image, or of a kind the channel does not take, in the chat: nothing kept, recorded once in the trail', async () => {
    for (const [u, code] of [
      [await accepted({ bytes: Buffer.from('Handover notes for the night shift\n') }), 'LOUPE_NOT_AN_IMAGE'],
      [await accepted({ policy: { acceptedKinds: ['dicom'] } }), 'LOUPE_KIND_NOT_ACCEPTED'],
    ] as const) {
      await ingestUpload(u.deps, { assetId: u.assetId, retried: false });
      await ingestUpload(u.deps, { assetId: u.assetId, retried: true });
      const asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: u.assetId }, include: { blobs: true } });
      expect(asset).toMatchObject({ status: 'failed', errorCode: code, removal: 'not_possible', blobs: [] });
      const failed = await s.db.prisma.auditEvent.findMany({ where: { assetId: u.assetId, action: 'asset.failed' }, select: { outcome: true, workspaceId: true, details: true } });
      expect(failed).toEqual([{ outcome: 'failure', workspaceId: asset.workspaceId, details: { code, originalKept: false, removal: false } }]);
    }
  });

  it('fails a file that is gone from the chat with the download code, and tells the uploader', async () => {
    const u = await accepted();
    u.fake.files.get(u.sourceRef)!.deleted = true;
    await ingestUpload(u.deps, { assetId: u.assetId, retried: false });
    expect(await s.db.prisma.asset.findUniqueOrThrow({ where: { id: u.assetId } })).toMatchObject({ status: 'failed', errorCode: 'LOUPE_SLACK_DOWNLOAD_FAILED' });
    expect(u.fake.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'upload_failed', code: 'LOUPE_SLACK_DOWNLOAD_FAILED', originalKept: false } }]);
    // A second run answers the recorded failure and records nothing more.
    await ingestUpload(u.deps, { assetId: u.assetId, retried: true });
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: u.assetId, action: 'asset.failed' } })).toBe(1);
  });

  it('ends a dead-lettered ingest that secured nothing failed, leaves the file in the chat, and tells the uploader and the admins', async () => {
    const u = await accepted();
    await abandonUpload(u.deps, { assetId: u.assetId });
    expect(await s.db.prisma.asset.findUniqueOrThrow({ where: { id: u.assetId } })).toMatchObject({
      status: 'failed',
      errorCode: 'LOUPE_INGEST_ABANDONED',
      removal: 'not_possible',
      removalDetail: 'left in the chat: Loupe holds no copy',
    });
    expect(await removalsQueued(u.assetId)).toBe(0);
    expect(u.fake.files.get(u.sourceRef)?.deleted).toBe(false);
    expect(u.fake.notices).toEqual([
      { to: { user: REQUESTER }, notice: { kind: 'upload_failed', code: 'LOUPE_INGEST_ABANDONED', originalKept: false } },
      { to: { admins: CHANNEL }, notice: { kind: 'upload_failed_alert', originalKept: false } },
    ]);
    expect(await s.db.prisma.auditEvent.findMany({ where: { assetId: u.assetId, action: 'asset.failed' }, select: { details: true } })).toEqual([
      { details: { code: 'LOUPE_INGEST_ABANDONED', originalKept: false, removal: false } },
    ]);
  });
});
