// Taking an original out of the chat: pending -> removed / not_possible /
// requested, each with its audit action, and the rule for when its message
// goes too. Against a recording fake chat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppJob } from '../../src/app/job-names.js';
import { removeOriginal } from '../../src/app/remove-original.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { CHANNEL, consultWithCard, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };

describe.each(testEngines())('removeOriginal on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  /** A secured upload whose original is still in the chat, with its message. */
  async function upload(o: { canRemove: boolean; foreign?: boolean; messageNamesPatient?: boolean; filesInMessage?: number }) {
    const { deps, chat } = chatDeps(s, clock, { canRemove: o.canRemove, admins: ['UADMIN'], members: { [CHANNEL]: [REQUESTER, 'UADMIN', 'UOTHER'] } });
    const c = await consultWithCard(s, NOW);
    const sourceRef = chat.addFile(Buffer.from('jpeg'), { foreign: o.foreign ?? false });
    const messageId = chat.addMessage(CHANNEL, undefined, 'upload');
    await s.db.prisma.asset.update({
      where: { id: c.assetId },
      data: { sourceRef, sourceMessageId: messageId, metadata: { family: 'photo', messageNamesPatient: o.messageNamesPatient ?? false, ...(o.filesInMessage ? { filesInMessage: o.filesInMessage } : {}) } },
    });
    return { deps: { ...deps, recheckAfterMs: 15 * 60_000 }, chat, c, sourceRef, messageId };
  }
  const asset = (id: string) => s.db.prisma.asset.findUniqueOrThrow({ where: { id } });
  const audited = (assetId: string) => s.db.prisma.auditEvent.findMany({ where: { assetId }, orderBy: { seq: 'asc' }, select: { action: true, outcome: true } });

  it('removes the original and, when its text names the patient, its message: removed, audited', async () => {
    const u = await upload({ canRemove: true, messageNamesPatient: true });
    await removeOriginal(u.deps, { assetId: u.c.assetId });
    expect((await asset(u.c.assetId)).removal).toBe('removed');
    expect(u.chat.files.get(u.sourceRef)?.deleted).toBe(true);
    expect(u.chat.messages.find((m) => m.id === u.messageId)?.deleted).toBe(true);
    expect(await audited(u.c.assetId)).toEqual([{ action: 'asset.original_removed', outcome: 'success' }]);
    // Run again (a retried job): nothing more happens.
    await removeOriginal(u.deps, { assetId: u.c.assetId });
    expect(await audited(u.c.assetId)).toHaveLength(1);
  });

  it('leaves a message with other files in it that Loupe has not accounted for', async () => {
    const u = await upload({ canRemove: true, filesInMessage: 2 });
    await removeOriginal(u.deps, { assetId: u.c.assetId });
    expect((await asset(u.c.assetId)).removal).toBe('removed');
    expect(u.chat.messages.find((m) => m.id === u.messageId)?.deleted).toBe(false);
  });

  it('takes the message too when it has no text and its only file was secured', async () => {
    const u = await upload({ canRemove: true, filesInMessage: 1 });
    await removeOriginal(u.deps, { assetId: u.c.assetId });
    expect(u.chat.messages.find((m) => m.id === u.messageId)?.deleted).toBe(true);
  });

  it('records not_possible and alerts the admins when the platform refuses', async () => {
    const u = await upload({ canRemove: true, foreign: true });
    await removeOriginal(u.deps, { assetId: u.c.assetId });
    expect((await asset(u.c.assetId)).removal).toBe('not_possible');
    expect(u.chat.notices).toEqual([{ to: { admins: CHANNEL }, notice: { kind: 'original_not_removed' } }]);
    expect(await audited(u.c.assetId)).toEqual([{ action: 'asset.original_not_removable', outcome: 'failure' }]);
  });

  it('asks the uploader when it may not remove it, records requested, and schedules the check', async () => {
    const u = await upload({ canRemove: false });
    await removeOriginal(u.deps, { assetId: u.c.assetId });
    expect((await asset(u.c.assetId)).removal).toBe('requested');
    expect(u.chat.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'removal_request', assetId: u.c.assetId, stillThere: false } }]);
    expect(u.chat.files.get(u.sourceRef)?.deleted).toBe(false);
    expect(await audited(u.c.assetId)).toEqual([{ action: 'asset.original_removal_requested', outcome: 'success' }]);
    const check = (await queued(s, AppJob.RecheckRemoval)).find((j) => (j.payload as { assetId: string }).assetId === u.c.assetId);
    expect(check?.runAt).toEqual(new Date(NOW.getTime() + 15 * 60_000));
  });
});
