// After a kill -9: unfinished writes and bodies without a row are swept once
// they are older than the grace period; anything fresher (a body whose row is
// still in its transaction) and every live blob stay. Unfinished key file
// writes go the same way.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBRIS_SWEEP_JOB, debrisSweepHandler } from '../../src/jobs/debris-sweep.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { DEBRIS_GRACE_MS } from '../../src/storage/blob-debris.js';
import { testEngines } from '../support/engines.js';
import { createTestAsset, createTestStorage, type TestStorage } from '../support/storage.js';

const actor = { type: 'user' as const, id: 'U0001' };
const exists = (path: string) => stat(path).then(() => true, () => false);

describe.each(testEngines())('crash debris in the blob store on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine);
  });
  afterAll(async () => s.cleanup());

  const bodyPath = (key: string) => join(s.blobDir, key.slice(0, 2), key.slice(2, 4), key);
  async function plant(path: string, ageMs: number): Promise<string> {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, randomBytes(4096));
    const at = new Date(Date.now() - ageMs);
    await utimes(path, at, at);
    return path;
  }

  it('sweeps old .partial files, probes and bodies without a live row; keeps fresh ones and every live blob', async () => {
    const old = DEBRIS_GRACE_MS + 10 * 60_000;
    const live: { id: string; key: string; text: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const { assetId } = await createTestAsset(s);
      const text = `wound photo ${i}`;
      const { id } = await s.blobs.put({ assetId, kind: 'original', mediaType: 'image/jpeg', body: Readable.from([Buffer.from(text)]), actor });
      const { storageKey } = await s.db.prisma.blob.findUniqueOrThrow({ where: { id } });
      // Live bodies are as old as the debris: age alone never condemns a file.
      const at = new Date(Date.now() - old);
      await utimes(bodyPath(storageKey), at, at);
      live.push({ id, key: storageKey, text });
    }
    // A shredded asset whose body outlived the crash between its commit and the file's removal.
    const shredded = await createTestAsset(s);
    const doomed = await s.blobs.put({ assetId: shredded.assetId, kind: 'original', mediaType: 'image/jpeg', body: Readable.from([Buffer.from('gone')]), actor });
    const doomedKey = (await s.db.prisma.blob.findUniqueOrThrow({ where: { id: doomed.id } })).storageKey;
    await copyFile(bodyPath(doomedKey), join(s.dir, 'kept-copy'));
    await s.blobs.shredAsset(shredded.assetId, actor, 'test');
    await copyFile(join(s.dir, 'kept-copy'), bodyPath(doomedKey));
    await utimes(bodyPath(doomedKey), new Date(Date.now() - old), new Date(Date.now() - old));

    const orphanKey = randomBytes(20).toString('hex');
    const freshKey = randomBytes(20).toString('hex');
    const oldOrphan = await plant(bodyPath(orphanKey), old);
    const oldPartial = await plant(join(s.blobDir, orphanKey.slice(0, 2), orphanKey.slice(2, 4), `.${orphanKey}x.a1b2c3.partial`), old);
    const oldProbe = await plant(join(s.blobDir, '.probe-0a1b2c3d4e5f'), old);
    // Fresh: a body whose row is still in its transaction, a write in progress.
    const freshOrphan = await plant(bodyPath(freshKey), 60_000);
    const freshPartial = await plant(join(s.blobDir, freshKey.slice(0, 2), freshKey.slice(2, 4), `.${freshKey}.d4e5f6.partial`), 60_000);

    // A rotation killed while writing the key file: the unfinished copy holds key material.
    const keyFile = join(s.dir, 'keys.json');
    const oldKeyPartial = await plant(join(s.dir, '.keys.json.0123456789ab.partial'), old);
    const freshKeyPartial = await plant(join(s.dir, '.keys.json.ba9876543210.partial'), 60_000);

    const queue = new JobQueue({ db: s.db, clock: { now: () => new Date() }, audit: s.audit });
    await debrisSweepHandler({ ...s, queue, clock: { now: () => new Date() }, keyFile }, 60 * 60_000)({}, { jobId: 'j', attempt: 1, signal: new AbortController().signal });

    expect(await exists(oldOrphan)).toBe(false);
    expect(await exists(oldPartial)).toBe(false);
    expect(await exists(oldProbe)).toBe(false);
    expect(await exists(oldKeyPartial)).toBe(false);
    expect(await exists(freshKeyPartial)).toBe(true);
    expect(await exists(bodyPath(doomedKey))).toBe(false);
    expect(await exists(freshOrphan)).toBe(true);
    expect(await exists(freshPartial)).toBe(true);
    for (const b of live) {
      expect((await buffer(await s.blobs.open(b.id, actor))).toString()).toBe(b.text);
    }
    const event = await s.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'storage.debris_swept' } });
    // Counts only: no file names or keys in the trail.
    expect(event.details).toEqual({ unfinished: 3, orphans: 2, graceMinutes: 60 });
    expect(JSON.stringify(event.details)).not.toContain(orphanKey);
    // The sweep queued its next run.
    expect(await s.db.prisma.job.count({ where: { type: DEBRIS_SWEEP_JOB, status: 'queued' } })).toBe(1);
  });
});
