// The uploader's "I deleted it": pressing it queues a non-final removal check
// at once; when that check runs, an original gone from the chat is recorded
// removed (audited), one still there earns the uploader a reminder and
// changes nothing. The claim alone never marks anything removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appJobHandlers } from '../../src/app/job-handlers.js';
import { AppJob } from '../../src/app/job-names.js';
import { reportOriginalDeleted } from '../../src/app/report-original-deleted.js';
import type { IngestDeps } from '../../src/app/ingest-asset.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { CHANNEL, consultWithCard, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };

describe.each(testEngines())('reportOriginalDeleted on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  /** An original the uploader was asked to delete, still in the chat. */
  async function askedToDelete(removal: 'requested' | 'removed' | 'pending' = 'requested') {
    const { deps, chat } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    const sourceRef = chat.addFile(Buffer.from('jpeg'));
    await s.db.prisma.asset.update({ where: { id: c.assetId }, data: { sourceRef, removal } });
    const handlers = appJobHandlers({ ...deps, ingest: {} as IngestDeps, maxUploadBytes: 1, recheckAfterMs: 15 * 60_000 });
    /** Runs the checks queued for this asset, as the worker would. */
    const runChecks = async () => {
      const jobs = (await queued(s, AppJob.RecheckRemoval)).filter((j) => (j.payload as { assetId: string }).assetId === c.assetId);
      for (const job of jobs) {
        await handlers[job.type]!(job.payload, { jobId: job.id, attempt: 1, signal: new AbortController().signal });
        await s.db.prisma.job.update({ where: { id: job.id }, data: { status: 'done' } });
      }
      return jobs;
    };
    return { deps, chat, c, sourceRef, runChecks };
  }
  const asset = (id: string) => s.db.prisma.asset.findUniqueOrThrow({ where: { id }, select: { removal: true, removalDetail: true } });
  const removalEvents = (assetId: string) =>
    s.db.prisma.auditEvent.findMany({ where: { assetId, action: { startsWith: 'asset.original_' } }, select: { action: true, outcome: true, actorType: true, details: true } });

  it('queues one check due now; once the file is gone it records removed with its audit event, and tells nobody', async () => {
    const u = await askedToDelete();
    await reportOriginalDeleted(u.deps, { assetId: u.c.assetId, userId: REQUESTER });
    u.chat.files.get(u.sourceRef)!.deleted = true;
    const jobs = await u.runChecks();
    expect(jobs.map((j) => ({ payload: j.payload, runAt: j.runAt }))).toEqual([{ payload: { assetId: u.c.assetId, final: false }, runAt: NOW }]);
    expect(await asset(u.c.assetId)).toEqual({ removal: 'removed', removalDetail: 'deleted by the uploader' });
    expect(await removalEvents(u.c.assetId)).toEqual([
      { action: 'asset.original_removed', outcome: 'success', actorType: 'system', details: { removal: 'removed', detail: 'deleted by the uploader' } },
    ]);
    expect(u.chat.notices).toEqual([]);
  });

  it('when the file is still there, reminds the uploader in the consult’s thread and leaves the removal requested', async () => {
    const u = await askedToDelete();
    await reportOriginalDeleted(u.deps, { assetId: u.c.assetId, userId: REQUESTER });
    await u.runChecks();
    expect(await asset(u.c.assetId)).toMatchObject({ removal: 'requested' });
    expect(await removalEvents(u.c.assetId)).toEqual([]);
    expect(u.chat.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'removal_request', assetId: u.c.assetId, stillThere: true } }]);
    const consult = await s.db.prisma.consult.findUniqueOrThrow({ where: { id: u.c.consultId } });
    expect(u.chat.messages.filter((m) => m.to === REQUESTER).map((m) => ({ channelId: m.channelId, threadId: m.threadId }))).toEqual([{ channelId: CHANNEL, threadId: consult.threadId }]);
    // Still there, however often it is claimed: never recorded removed on the claim's word.
    await reportOriginalDeleted(u.deps, { assetId: u.c.assetId, userId: REQUESTER });
    await u.runChecks();
    expect(await asset(u.c.assetId)).toMatchObject({ removal: 'requested' });
    expect(u.chat.files.get(u.sourceRef)?.deleted).toBe(false);
  });

  it('believes only the uploader: anyone else’s press (a stale or forged button) queues nothing', async () => {
    const u = await askedToDelete();
    expect(await reportOriginalDeleted(u.deps, { assetId: u.c.assetId, userId: 'U0STRANGER' })).toBe('not_the_uploader');
    expect(await reportOriginalDeleted(u.deps, { assetId: 'no-such-asset', userId: REQUESTER })).toBe('not_the_uploader');
    expect(await u.runChecks()).toEqual([]);
    expect(u.chat.notices).toEqual([]);
  });

  it('changes nothing for an original whose removal was not asked of the uploader', async () => {
    for (const removal of ['removed', 'pending'] as const) {
      const u = await askedToDelete(removal);
      await reportOriginalDeleted(u.deps, { assetId: u.c.assetId, userId: REQUESTER });
      await u.runChecks();
      expect((await asset(u.c.assetId)).removal).toBe(removal);
      expect(await removalEvents(u.c.assetId)).toEqual([]);
      expect(u.chat.notices).toEqual([]);
    }
  });
});
