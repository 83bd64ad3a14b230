// Whether an uploader asked to delete their original did: removed when gone;
// a reminder when they said so but it is still there; not_possible and the
// admins told when the scheduled check still finds it. "I deleted it" queues
// a check at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppJob } from '../../src/app/job-names.js';
import { recheckRemoval } from '../../src/app/recheck-removal.js';
import { reportOriginalDeleted } from '../../src/app/report-original-deleted.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { CHANNEL, consultWithCard, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };

describe.each(testEngines())('recheckRemoval on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  async function requested() {
    const { deps, chat } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    const sourceRef = chat.addFile(Buffer.from('jpeg'));
    await s.db.prisma.asset.update({ where: { id: c.assetId }, data: { sourceRef, removal: 'requested' } });
    return { deps, chat, c, sourceRef };
  }
  const removal = async (id: string) => (await s.db.prisma.asset.findUniqueOrThrow({ where: { id } })).removal;

  it('"I deleted it" queues a check at once, which records the original removed once it is gone', async () => {
    const r = await requested();
    await reportOriginalDeleted(r.deps, { assetId: r.c.assetId, userId: REQUESTER });
    const job = (await queued(s, AppJob.RecheckRemoval)).find((j) => (j.payload as { assetId: string }).assetId === r.c.assetId);
    expect(job?.payload).toEqual({ assetId: r.c.assetId, final: false });
    r.chat.files.get(r.sourceRef)!.deleted = true;
    await recheckRemoval(r.deps, { assetId: r.c.assetId, final: false });
    expect(await removal(r.c.assetId)).toBe('removed');
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: r.c.assetId, action: 'asset.original_removed' } })).toBe(1);
  });

  it('reminds the uploader when they said they had deleted it but it is still there', async () => {
    const r = await requested();
    await recheckRemoval(r.deps, { assetId: r.c.assetId, final: false });
    expect(await removal(r.c.assetId)).toBe('requested');
    expect(r.chat.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'removal_request', assetId: r.c.assetId, stillThere: true } }]);
  });

  it('makes it not_possible and tells the admins when the scheduled check still finds it', async () => {
    const r = await requested();
    await recheckRemoval(r.deps, { assetId: r.c.assetId, final: true });
    expect(await removal(r.c.assetId)).toBe('not_possible');
    expect(r.chat.notices).toEqual([{ to: { admins: CHANNEL }, notice: { kind: 'original_not_removed' } }]);
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: r.c.assetId, action: 'asset.original_not_removable', outcome: 'failure' } })).toBe(1);
  });
});
