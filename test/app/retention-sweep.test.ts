// The retention sweep: an asset past its retention is crypto-shredded (no key
// left opens any copy of its blobs), its card says so, its audit history stays
// and the chain verifies; a legal hold keeps an asset whatever the date; two
// sweeps at once shred each asset once; a late run catches up; a dry run
// changes nothing.
import { randomBytes } from 'node:crypto';
import { cp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AppJob } from '../../src/app/job-names.js';
import { redrawCard } from '../../src/app/redraw-card.js';
import { runRetention, type RetentionDeps } from '../../src/app/retention-sweep.js';
import { shredAsset } from '../../src/app/shred-asset.js';
import { cardBlocks } from '../../src/chat/slack/card-blocks.js';
import { adaptiveCard } from '../../src/chat/teams/adaptive-card.js';
import { isLoupeError } from '../../src/core/errors.js';
import { createDecryptStream } from '../../src/crypto/stream-cipher.js';
import type { CardView } from '../../src/intake/card-view.js';
import { cardView } from '../../src/intake/card-view.js';
import { openDatabase } from '../../src/storage/database.js';
import { FolderBlobStore } from '../../src/storage/folder-blob-store.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { createStorage, type Storage } from '../../src/storage/services.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { CHANNEL, consultWithCard } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };
const DAY = 24 * 3600 * 1000;
const ADMIN = { type: 'admin' as const, id: 'UADMIN' };
const DELETED_WORDS = 'Deleted under retention: this image no longer exists.';

const depsOf = (s: Storage): RetentionDeps => ({ ...s, queue: new JobQueue({ db: s.db, clock, audit: s.audit }), clock });

/** Where FolderBlobStore keeps a blob, and the context its cipher was keyed to (as encrypted-blobs writes it). */
const blobPath = (dir: string, storageKey: string) => join(dir, storageKey.slice(0, 2), storageKey.slice(2, 4), storageKey);
const blobContext = (b: { assetId: string; kind: string; part: number }) => `loupe-blob/1|asset:${b.assetId}|kind:${b.kind}|part:${b.part}`;

async function decrypts(key: Uint8Array, context: string, bytes: Buffer): Promise<boolean> {
  const decrypt = createDecryptStream(key, context);
  decrypt.on('data', () => {});
  try {
    await pipeline(Readable.from([bytes]), decrypt);
    return true;
  } catch {
    return false;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe.each(testEngines())('the retention sweep on %s', (engine) => {
  const opened: TestStorage[] = [];
  const fresh = async () => {
    const s = await createTestStorage(engine, { clock });
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.cleanup()));
  });

  /** A consult with a posted card and one stored photo received `ageDays` ago, in a new workspace (or `team`'s). */
  async function photo(s: TestStorage, ageDays: number, team?: string) {
    const c = await consultWithCard(s, NOW, team ? { team } : {});
    await s.blobs.put({ assetId: c.assetId, kind: 'original', mediaType: 'image/jpeg', body: Readable.from([randomBytes(3000)]), actor: { type: 'system', id: 'test' } });
    await s.db.prisma.asset.update({ where: { id: c.assetId }, data: { createdAt: new Date(NOW.getTime() - ageDays * DAY) } });
    return c;
  }

  const status = async (s: Storage, assetId: string) => (await s.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId } })).status;
  const shreddings = (s: Storage, assetId: string) => s.db.prisma.auditEvent.count({ where: { assetId, action: 'asset.shredded' } });

  it('shreds an asset past retention: no key left opens any copy of its blobs, its card says so, its history stays and the chain verifies', async () => {
    const s = await fresh();
    const c = await photo(s, 400);
    const { deps: chat, chat: recording } = chatDeps(s, clock);
    const row = await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId }, include: { asset: true } });
    await s.db.prisma.card.update({ where: { id: c.cardId }, data: { messageId: await recording.gateway.postCard(cardView(row, row.asset), 'https://loupe.example/view/FIRST') } });
    const blobs = await s.db.prisma.blob.findMany({ where: { assetId: c.assetId } });
    const ownKey = s.dataKeys.unwrap(await s.db.prisma.dataKey.findUniqueOrThrow({ where: { id: blobs[0]!.dataKeyId } }));
    // A backup of the blob folder, taken before the sweep; the harness can open it while the key exists.
    const backup = join(s.dir, 'backup');
    await cp(s.blobDir, backup, { recursive: true });
    const copies = await Promise.all(blobs.map(async (b) => ({ context: blobContext(b), bytes: await readFile(blobPath(backup, b.storageKey)) })));
    expect(await decrypts(ownKey, copies[0]!.context, copies[0]!.bytes)).toBe(true);
    const historyBefore = await s.db.prisma.auditEvent.findMany({ where: { assetId: c.assetId }, select: { id: true } });

    expect(await runRetention(depsOf(s), { dryRun: false })).toEqual({ due: 1, shredded: 1, held: 0, alreadyShredded: 0, failed: 0 });

    expect(await status(s, c.assetId)).toBe('shredded');
    const keys = await s.db.prisma.dataKey.findMany({ where: { assetId: c.assetId } });
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.wrapped === null)).toBe(true);
    for (const b of blobs) expect(await s.blobStore.exists(b.storageKey)).toBe(false);
    expect(await filesUnder(s.blobDir)).toEqual([]);
    const remaining = await s.db.prisma.dataKey.findMany({ where: { wrapped: { not: null } } });
    expect(remaining.length).toBeGreaterThan(0);
    for (const k of remaining) {
      const key = s.dataKeys.unwrap(k);
      for (const copy of copies) expect(await decrypts(key, copy.context, copy.bytes)).toBe(false);
    }

    const card = await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } });
    expect(card.state).toBe('deleted');
    expect(await s.db.prisma.linkToken.count({ where: { cardId: c.cardId, revokedAt: null } })).toBe(0);
    const redraws = (await queued(s, AppJob.UpdateCard)).filter((j) => (j.payload as { cardId: string }).cardId === c.cardId);
    expect(redraws).toHaveLength(1);
    // The queued redraw, run as the worker runs it: the chat is told the card is deleted, with no link.
    const drawn: CardView[] = [];
    const update = recording.gateway.updateCard;
    recording.gateway.updateCard = async (messageId, view, viewUrl) => {
      drawn.push(view);
      return update(messageId, view, viewUrl);
    };
    await redrawCard(chat, { cardId: c.cardId });
    expect(recording.messages.find((m) => m.id === card.messageId)!.body).toBe(JSON.stringify({ card: c.cardId, state: 'deleted' }));
    expect(JSON.stringify(cardBlocks(drawn[0]!, undefined))).toContain(DELETED_WORDS);
    expect(JSON.stringify(adaptiveCard(drawn[0]!, undefined, { uploader: undefined, manage: true, refreshFor: [] }))).toContain(DELETED_WORDS);

    const historyAfter = await s.db.prisma.auditEvent.findMany({ where: { assetId: c.assetId }, select: { id: true, action: true, actorId: true } });
    expect(historyAfter.map((e) => e.id)).toEqual(expect.arrayContaining(historyBefore.map((e) => e.id)));
    expect(historyAfter.filter((e) => e.action === 'asset.shredded')).toEqual([expect.objectContaining({ actorId: 'retention' })]);
    expect(historyAfter.filter((e) => e.action === 'card.deleted')).toHaveLength(1);
    expect((await s.audit.verify()).fault).toBeNull();
  });

  it('keeps assets under a hold on the asset, its patient, its channel or its whole workspace; lifted, the next sweep shreds them', async () => {
    const s = await fresh();
    const onAsset = await photo(s, 400);
    const onPatient = await photo(s, 400);
    const onChannel = await photo(s, 400);
    const onWorkspace = await photo(s, 400);
    const patientId = await s.patients.link(onPatient.workspaceId, { identifier: 'MRN-1', issuer: 'ST-MARY' }, ADMIN);
    await s.db.prisma.asset.update({ where: { id: onPatient.assetId }, data: { patientId } });
    const holds = [
      await s.legalHolds.place(onAsset.workspaceId, { scope: 'asset', targetId: onAsset.assetId }, 'Matter 1', ADMIN),
      await s.legalHolds.place(onPatient.workspaceId, { scope: 'patient', targetId: patientId }, 'Matter 2', ADMIN),
      await s.legalHolds.place(onChannel.workspaceId, { scope: 'channel', targetId: CHANNEL }, 'Matter 3', ADMIN),
      await s.legalHolds.place(onWorkspace.workspaceId, { scope: 'channel', targetId: '*' }, 'Matter 4', ADMIN),
    ];
    const all = [onAsset, onPatient, onChannel, onWorkspace];

    expect(await runRetention(depsOf(s), { dryRun: false })).toEqual({ due: 0, shredded: 0, held: 4, alreadyShredded: 0, failed: 0 });
    for (const c of all) {
      expect(await status(s, c.assetId)).toBe('stored');
      expect(await s.db.prisma.dataKey.count({ where: { assetId: c.assetId, wrapped: { not: null } } })).toBeGreaterThan(0);
      expect((await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } })).state).toBe('active');
    }

    for (const [i, hold] of holds.entries()) await s.legalHolds.lift(all[i]!.workspaceId, hold.id, 'Matter closed', ADMIN);
    expect(await runRetention(depsOf(s), { dryRun: false })).toMatchObject({ due: 4, shredded: 4, held: 0 });
    for (const c of all) expect(await status(s, c.assetId)).toBe('shredded');
  });

  it('refuses to shred a held asset by hand, and changes nothing', async () => {
    const s = await fresh();
    const c = await photo(s, 10);
    await s.legalHolds.place(c.workspaceId, { scope: 'asset', targetId: c.assetId }, 'Matter 5', ADMIN);
    await expect(shredAsset(depsOf(s), { assetId: c.assetId, actor: ADMIN, reason: 'by hand' })).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_LEGAL_HOLD'));
    expect(await status(s, c.assetId)).toBe('stored');
    expect((await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } })).state).toBe('active');
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: c.assetId, action: { in: ['asset.shredded', 'card.deleted'] } } })).toBe(0);
  });

  it('shreds each asset once when two instances sweep at once', async () => {
    const s = await fresh();
    const assets = await Promise.all(Array.from({ length: 6 }, () => photo(s, 500)));
    // PostgreSQL: a second instance on the same database and blob folder; PGlite, which one process alone opens: two sweeps in it.
    const second = engine === 'postgres' ? await openDatabase({ url: s.testDb.url }) : undefined;
    try {
      const other = second
        ? createStorage({ db: second, keyRing: s.keyRing, clock, blobStore: new FolderBlobStore(s.blobDir), checkpointInterval: 10, maxBlobBytes: 1 << 20 })
        : s;
      const [a, b] = await Promise.all([runRetention(depsOf(s), { dryRun: false, pageSize: 2 }), runRetention(depsOf(other), { dryRun: false, pageSize: 2 })]);
      expect(a.shredded + b.shredded).toBe(6);
      // What one finds shredded by the other is counted so, or (looked for after) not found at all: never shredded again.
      expect(a.alreadyShredded + b.alreadyShredded).toBeLessThanOrEqual(6);
      expect(a.failed + b.failed).toBe(0);
    } finally {
      await second?.close();
    }
    for (const c of assets) {
      expect(await shreddings(s, c.assetId)).toBe(1);
      expect(await s.db.prisma.auditEvent.count({ where: { assetId: c.assetId, action: 'card.deleted' } })).toBe(1);
    }
    expect((await s.audit.verify()).fault).toBeNull();
  });

  it('catches up after downtime: every asset far past due goes in one run, over several pages', async () => {
    const s = await fresh();
    const team = 'TCATCHUP';
    const assets = [];
    for (let i = 0; i < 7; i++) assets.push(await photo(s, 366 + i * 100, team));
    const seen: string[] = [];
    const counts = await runRetention(depsOf(s), { dryRun: false, pageSize: 3, onAsset: (item) => void seen.push(item.assetId) });
    expect(counts).toEqual({ due: 7, shredded: 7, held: 0, alreadyShredded: 0, failed: 0 });
    expect(new Set(seen).size).toBe(7);
    for (const c of assets) expect(await status(s, c.assetId)).toBe('shredded');
  });

  it('plans without changing anything on a dry run; a second real run is a no-op', async () => {
    const s = await fresh();
    const c = await photo(s, 400);
    const events = await s.db.prisma.auditEvent.count();
    const jobs = await s.db.prisma.job.count();
    const planned: number[] = [];
    const outcomes: string[] = [];
    const dry = await runRetention(depsOf(s), { dryRun: true, onPlanned: (n) => void planned.push(n), onAsset: (_i, o) => void outcomes.push(o) });
    expect(dry).toEqual({ due: 1, shredded: 0, held: 0, alreadyShredded: 0, failed: 0 });
    expect(planned).toEqual([1]);
    expect(outcomes).toEqual(['would_shred']);
    expect(await status(s, c.assetId)).toBe('stored');
    expect(await s.db.prisma.auditEvent.count()).toBe(events);
    expect(await s.db.prisma.job.count()).toBe(jobs);
    expect(await s.db.prisma.dataKey.count({ where: { assetId: c.assetId, wrapped: null } })).toBe(0);

    expect((await runRetention(depsOf(s), { dryRun: false })).shredded).toBe(1);
    const after = await s.db.prisma.auditEvent.count();
    expect(await runRetention(depsOf(s), { dryRun: false })).toEqual({ due: 0, shredded: 0, held: 0, alreadyShredded: 0, failed: 0 });
    expect(await s.db.prisma.auditEvent.count()).toBe(after);
  });

  it('keeps what is not due, what no retention covers, and what is still being secured', async () => {
    const s = await fresh();
    const young = await photo(s, 300);
    const keptForever = await photo(s, 4000);
    await s.policies.change(keptForever.workspaceId, '*', { retentionDays: null }, ADMIN);
    const shortChannel = await photo(s, 40);
    await s.policies.change(shortChannel.workspaceId, CHANNEL, { retentionDays: 30 }, ADMIN);
    const sameWorkspaceOther = await consultWithCard(s, NOW, { team: (await s.db.prisma.workspace.findUniqueOrThrow({ where: { id: shortChannel.workspaceId } })).externalId });
    await s.db.prisma.consult.update({ where: { id: sameWorkspaceOther.consultId }, data: { channelId: 'C0OTHER' } });
    await s.db.prisma.asset.update({ where: { id: sameWorkspaceOther.assetId }, data: { createdAt: new Date(NOW.getTime() - 40 * DAY) } });
    const processing = await photo(s, 900);
    await s.db.prisma.asset.update({ where: { id: processing.assetId }, data: { status: 'processing' } });

    expect(await runRetention(depsOf(s), { dryRun: false })).toEqual({ due: 1, shredded: 1, held: 0, alreadyShredded: 0, failed: 0 });
    expect(await status(s, shortChannel.assetId)).toBe('shredded');
    for (const c of [young, keptForever, sameWorkspaceOther]) expect(await status(s, c.assetId)).toBe('stored');
    expect(await status(s, processing.assetId)).toBe('processing');
  });
});
