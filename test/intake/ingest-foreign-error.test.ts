// Processing may throw anything (a library's own Error, a TypeError from a
// bug): the upload still ends as the issue asks. The DICOM library throwing
// on a real vendor file is tested end to end in test/chat/slack-intake; here
// prepareAsset is replaced, so the path holds whatever the imaging code
// comes to throw.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { ImagingSandbox } from '../../src/imaging/sandbox/sandbox.js';
import { acceptUpload } from '../../src/app/accept-upload.js';
import { ingestAsset } from '../../src/app/ingest-asset.js';
import { prepareSecuredAsset } from '../../src/app/prepare-secured-asset.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const MRN = 'MRN55012X';
const CT = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

vi.mock('../../src/intake/prepare-asset.js', () => ({
  prepareAsset: () => {
    // A foreign error whose message quotes the file, as library errors do.
    throw new TypeError(`cannot read property of ${MRN}`);
  },
}));

describe.each(testEngines())('an unexpected processing error on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine);
  });
  afterAll(() => s?.cleanup());

  it('marks the asset failed with a stable code, keeps only its encrypted original, queues its removal, and gives no standing', async () => {
    const clock = { now: () => new Date() };
    const queue = new JobQueue({ db: s.db, clock, audit: s.audit });
    const ws = await s.workspaces.ensure('slack', 'T0FOREIGN', 'T0FOREIGN', { type: 'system', id: 'test' });
    await s.policies.change(ws.id, 'C1', { interception: true, identifierPattern: '\\b(MRN\\d{5}[A-Z])\\b' }, { type: 'admin', id: 'U0ADMIN' });
    const accepted = await acceptUpload(
      { db: s.db, clock, dataKeys: s.dataKeys, audit: s.audit, queue, policies: s.policies },
      { workspaceId: ws.id, channelId: 'C1', threadId: '1.1', messageId: '1.1', uploaderId: 'U1', sourceRef: 'F1', messageText: `wound ${MRN}`, ingestJob: 'test.ingest' },
    );
    if (accepted.outcome !== 'accepted') throw new Error('not accepted');
    // A DICOM image: its card waits for its preparation, so a failed one never gives standing.
    const photo = await readFile(CT);
    const deps = { db: s.db, queue, removalJob: 'test.remove', prepareJob: 'test.prepare', blobs: s.blobs, dataKeys: s.dataKeys, patients: s.patients, workspaces: s.workspaces, policies: s.policies, audit: s.audit, clock, limits: DEFAULT_LIMITS, sandbox: new ImagingSandbox(), pacs: undefined };

    expect(await ingestAsset(deps, accepted.assetId, async () => photo)).toEqual({ outcome: 'preparing' });
    expect(await s.db.prisma.job.count({ where: { type: 'test.prepare', payload: { equals: { assetId: accepted.assetId } } } })).toBe(1);
    const result = await prepareSecuredAsset(deps, accepted.assetId);
    expect(result).toEqual({ outcome: 'failed', code: ErrorCode.ProcessingFailed, originalKept: true });
    const asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: accepted.assetId }, include: { blobs: true } });
    expect([asset.status, asset.errorCode]).toEqual(['failed', 'LOUPE_PROCESSING_FAILED']);
    expect(asset.blobs.map((b) => [b.kind, b.mediaType])).toEqual([['original', 'application/dicom']]);
    expect(await s.db.prisma.job.count({ where: { type: 'test.remove', payload: { equals: { assetId: asset.id } } } })).toBe(1);
    expect(await s.db.prisma.consultParticipant.count()).toBe(0);
    expect(await s.db.prisma.grant.count()).toBe(0);
    // The stored original is ciphertext; the error's words reached no audit event.
    for (const name of await readdir(s.blobDir, { recursive: true })) {
      const file = await readFile(join(s.blobDir, name)).catch(() => undefined);
      if (file) expect(file.includes(photo.subarray(200, 248))).toBe(false);
    }
    const events = await s.db.prisma.auditEvent.findMany({ where: { assetId: asset.id } });
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['asset.received', 'blob.stored', 'asset.original_secured', 'asset.failed']));
    expect(JSON.stringify(events.map((e) => [e.reason, e.details]))).not.toContain(MRN);

    // A run after the failure (a retried job) changes nothing and answers the same.
    expect(await ingestAsset(deps, accepted.assetId, () => Promise.reject(new Error('not fetched again')))).toEqual(result);
    expect(await prepareSecuredAsset(deps, accepted.assetId)).toEqual(result);
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: asset.id, action: 'asset.failed' } })).toBe(1);
  });
});
