// Uploads made while Loupe was down (Slack gave up retrying): on start Loupe
// reads the intercepted channels' history since each channel's cursor, top
// level and threads, and takes every missed file out with one card; running
// the reconciliation again adds nothing.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceCursorByEvent, readCursor, setCursor } from '../../src/storage/channel-cursors.js';
import { RECONCILE_JOB, scheduleReconcile } from '../../src/chat/slack/reconcile.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe, type Loupe } from '../../src/main.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures } from '../support/photos.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { AppJob } from '../../src/app/job-names.js';

const WOUNDS = 'C0WOUNDS01';
const SENDER = 'U0CLIN0001';

describe.each(testEngines())('Slack reconciliation on %s', (engine) => {
  let env: SlackLoupe;
  let restarted: Loupe | undefined;

  beforeAll(async () => {
    env = await startSlackLoupe(engine, { giveAdminToken: true });
  });
  afterAll(async () => {
    await restarted?.stop();
    await env?.slack.close();
    await env?.inst.cleanup();
  });

  /** Queues a reconciliation and waits until it has run. */
  async function reconcileNow(loupe: Loupe): Promise<void> {
    const { queue, storage, clock } = loupe.services;
    const at = clock.now();
    await scheduleReconcile(queue, at, 'now');
    await until('the reconciliation', async () => (await storage.db.prisma.job.findUnique({ where: { dedupeKey: `${RECONCILE_JOB}:start:${at.getTime()}` } }))?.status === 'done');
  }

  it('takes out uploads posted while it was down, top level, in a new thread and in an earlier consult\'s thread, with one card each; a second run adds nothing', async () => {
    const { slack, workspaceId } = env;
    const first = env.loupe;
    await first.services.storage.policies.change(workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: SLACK_ADMIN });
    await reconcileNow(first);
    expect(await first.services.storage.db.prisma.channelCursor.count({ where: { workspaceId, channelId: WOUNDS } })).toBe(1);
    const jpeg = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    // A consult started while Loupe was up: its upload message is gone from the channel, its thread remains.
    const earlier = await slack.uploadFile({ user: SENDER, channel: WOUNDS, name: 'c.jpg', bytes: jpeg });
    await until('the earlier message deleted', () => slack.messages.find((m) => m.ts === earlier.ts)?.deleted);
    await first.stop();

    // Loupe is down: Slack cannot deliver these, and stops trying.
    const top = await slack.uploadFile({ user: SENDER, channel: WOUNDS, name: 'a.jpg', bytes: jpeg, text: 'day 2' }, { deliver: false });
    const reply = await slack.uploadFile({ user: SENDER, channel: WOUNDS, name: 'b.jpg', bytes: jpeg, threadTs: top.ts }, { deliver: false });
    const later = await slack.uploadFile({ user: SENDER, channel: WOUNDS, name: 'd.jpg', bytes: jpeg, threadTs: earlier.ts }, { deliver: false });
    expect(top.responses).toEqual([]);

    restarted = await createLoupe(loadConfig(env.inst.env), createLogger('silent'));
    const { port } = await restarted.listen();
    slack.setEventsUrl(`http://127.0.0.1:${port}/slack/events`);
    const prisma = restarted.services.storage.db.prisma;
    const cardOf = (fileId: string) => prisma.card.findFirst({ where: { asset: { workspaceId, sourceRef: fileId }, messageId: { not: null } } });
    for (const upload of [top, reply]) {
      const card = await until('the card', async () => (await cardOf(upload.fileId)) ?? undefined, 30_000);
      expect(card.threadId).toBe(top.ts);
      await until('the original deleted', () => slack.file(upload.fileId)?.deleted);
    }
    const inEarlier = await until('the card in the earlier consult', async () => (await cardOf(later.fileId)) ?? undefined, 30_000);
    expect(inEarlier.threadId).toBe(earlier.ts);
    await until('the later original deleted', () => slack.file(later.fileId)?.deleted);
    const cardsPosted = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && (c.params.thread_ts === top.ts || c.params.thread_ts === earlier.ts));
    // Two in the new thread, and the earlier consult's own card plus the missed one.
    expect(cardsPosted()).toHaveLength(4);
    const assets = await prisma.asset.count({ where: { workspaceId } });

    await reconcileNow(restarted);
    expect(await prisma.asset.count({ where: { workspaceId } })).toBe(assets);
    expect(await prisma.job.count({ where: { type: AppJob.Ingest, status: { in: ['queued', 'running'] } } })).toBe(0);
    expect(cardsPosted()).toHaveLength(4);
  });
});

describe.each(testEngines())('the channel cursor on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(() => t?.drop());

  it('is set by reconciliation, moved by a live event only a little at a time, and never backwards', async () => {
    const read = () => readCursor(t.db, 'W1', 'C1');
    // No cursor yet: an event does not create one (the channel's history has not been read).
    expect(await advanceCursorByEvent(t.db, 'W1', 'C1', '1700000000.000100')).toBe(false);
    expect(await read()).toBeUndefined();
    await setCursor(t.db, 'W1', 'C1', '1700000000.000100');
    expect(await advanceCursorByEvent(t.db, 'W1', 'C1', '1700000060.000100')).toBe(true);
    // The first event after two hours down: the gap stays for reconciliation to read.
    expect(await advanceCursorByEvent(t.db, 'W1', 'C1', '1700007200.000100')).toBe(false);
    expect(await advanceCursorByEvent(t.db, 'W1', 'C1', '1700000001.000100')).toBe(false);
    expect(await read()).toBe('1700000060.000100');
    await setCursor(t.db, 'W1', 'C1', '1699999999.000000');
    expect(await read()).toBe('1700000060.000100');
    await setCursor(t.db, 'W1', 'C1', '1700007300.000000');
    expect(await read()).toBe('1700007300.000000');
  });
});
