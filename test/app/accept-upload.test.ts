// Taking an upload in: in an intercepted channel a file becomes one asset and
// one ingest job, however often it is announced; a channel with interception
// off takes nothing; posting into someone's card thread gives the poster no
// standing (no participant row, no grant). Each accepted file is audited once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptUpload, isUploadKnown, type AcceptUploadInput } from '../../src/app/accept-upload.js';
import { AppJob } from '../../src/app/job-names.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { CHANNEL, consultWithCard, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };
const ADMIN = { type: 'admin' as const, id: 'UADMIN' };

describe.each(testEngines())('acceptUpload on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  const deps = () => ({ ...chatDeps(s, clock).deps, dataKeys: s.dataKeys, policies: s.policies });
  async function workspace(interception: boolean) {
    const ws = await s.workspaces.ensure('slack', `T${Math.random().toString(36).slice(2, 10)}`, 'Test Hospital', { type: 'system', id: 'test' });
    if (interception) await s.policies.change(ws.id, CHANNEL, { interception: true }, ADMIN);
    return ws.id;
  }
  const input = (workspaceId: string, o: Partial<AcceptUploadInput> = {}): AcceptUploadInput => ({
    workspaceId,
    channelId: CHANNEL,
    threadId: '1700000001.000200',
    messageId: 'M1',
    uploaderId: REQUESTER,
    sourceRef: `F${Math.random().toString(36).slice(2)}`,
    messageText: undefined,
    ingestJob: AppJob.Ingest,
    ...o,
  });
  const ingestJobsFor = async (assetId: string) => (await queued(s, AppJob.Ingest)).filter((j) => (j.payload as { assetId: string }).assetId === assetId);

  it('makes an upload in an intercepted channel one asset with one ingest job, audited; a second announcement adds nothing', async () => {
    const ws = await workspace(true);
    const upload = input(ws, { messageText: 'MRN 123456 left heel', filesInMessage: 1 });
    expect(await isUploadKnown(deps(), upload)).toBe(false);
    const first = await acceptUpload(deps(), upload);
    expect(first.outcome).toBe('accepted');
    if (first.outcome !== 'accepted') return;
    const asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: first.assetId } });
    expect(asset).toMatchObject({ workspaceId: ws, consultId: first.consultId, uploaderId: REQUESTER, sourceRef: upload.sourceRef, sourceMessageId: 'M1', status: 'received' });
    expect(asset.metadata).toEqual({ filesInMessage: 1 });
    // The message text is kept sealed, never in the clear.
    expect(asset.messageText).not.toBeNull();
    expect(Buffer.from(asset.messageText!).includes(Buffer.from('123456'))).toBe(false);
    expect(await s.db.prisma.consult.findUniqueOrThrow({ where: { id: first.consultId } })).toMatchObject({ channelId: CHANNEL, threadId: upload.threadId, requesterId: REQUESTER });
    expect(await ingestJobsFor(first.assetId)).toHaveLength(1);
    const events = await s.db.prisma.auditEvent.findMany({ where: { assetId: first.assetId }, select: { action: true, outcome: true, actorType: true, actorId: true, details: true } });
    expect(events).toEqual([{ action: 'asset.received', outcome: 'success', actorType: 'user', actorId: REQUESTER, details: { requested: false, uploader: REQUESTER } }]);
    expect(JSON.stringify(events)).not.toContain('123456');

    expect(await isUploadKnown(deps(), upload)).toBe(true);
    expect(await acceptUpload(deps(), { ...upload, messageId: 'M2' })).toEqual({ outcome: 'duplicate', assetId: first.assetId });
    expect(await s.db.prisma.asset.count({ where: { workspaceId: ws } })).toBe(1);
    expect(await ingestJobsFor(first.assetId)).toHaveLength(1);
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: first.assetId } })).toBe(1);
  });

  it('takes nothing from a channel with interception off, unless someone asked Loupe to secure the file', async () => {
    const ws = await workspace(false);
    const upload = input(ws);
    expect(await acceptUpload(deps(), upload)).toEqual({ outcome: 'not_intercepted' });
    expect(await s.db.prisma.asset.count({ where: { workspaceId: ws } })).toBe(0);
    expect(await s.db.prisma.consult.count({ where: { workspaceId: ws } })).toBe(0);
    expect(await isUploadKnown(deps(), upload)).toBe(false);

    const asked = await acceptUpload(deps(), { ...upload, requestedBy: 'UHELPER' });
    expect(asked.outcome).toBe('accepted');
    if (asked.outcome !== 'accepted') return;
    const events = await s.db.prisma.auditEvent.findMany({ where: { assetId: asked.assetId }, select: { action: true, actorId: true, details: true } });
    expect(events).toEqual([{ action: 'asset.received', actorId: 'UHELPER', details: { requested: true, uploader: REQUESTER } }]);
  });

  it('gives someone who posts into a card’s thread no participant row and no grant: the upload joins the consult, the poster does not', async () => {
    const c = await consultWithCard(s, NOW);
    await s.policies.change(c.workspaceId, CHANNEL, { interception: true }, ADMIN);
    const consult = await s.db.prisma.consult.findUniqueOrThrow({ where: { id: c.consultId } });
    const result = await acceptUpload(deps(), input(c.workspaceId, { threadId: consult.threadId, uploaderId: 'UOTHER' }));
    expect(result).toMatchObject({ outcome: 'accepted', consultId: c.consultId });
    expect(await s.db.prisma.consultParticipant.count({ where: { consultId: c.consultId, userId: 'UOTHER' } })).toBe(0);
    expect(await s.db.prisma.grant.count({ where: { consultId: c.consultId, userId: 'UOTHER' } })).toBe(0);
    // The consult keeps its requester.
    expect((await s.db.prisma.consult.findUniqueOrThrow({ where: { id: c.consultId } })).requesterId).toBe(REQUESTER);
  });
});
