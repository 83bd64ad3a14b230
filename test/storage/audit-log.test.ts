import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkpointMessage, hashEvent } from '../../src/core/audit/chain.js';
import type { AuditCheckpointRecord, AuditEventInput, AuditRecord, SealedAuditRecord } from '../../src/core/audit/event.js';
import type { ChainReport } from '../../src/core/audit/verify.js';
import { KeyRing } from '../../src/crypto/keyring.js';
import { AuditLog } from '../../src/storage/audit-log.js';
import { openDatabase, type Engine } from '../../src/storage/database.js';
import type { Prisma } from '../../src/storage/prisma/client.js';
import { transaction } from '../../src/storage/transaction.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { testEngines } from '../support/engines.js';

/** A varied event, so the hash covers nulls, ids and nested details that must survive the round trip. */
function eventInput(i: number, actorId = `U${String(i).padStart(4, '0')}`): AuditEventInput {
  return {
    actor: { type: i % 5 === 0 ? 'system' : 'user', id: actorId },
    action: i % 3 === 0 ? 'blob.read' : 'patient.read',
    outcome: i % 7 === 0 ? 'denied' : 'success',
    reason: i % 2 === 0 ? `consult review ${i}` : null,
    workspaceId: `ws-${i % 2}`,
    patientId: i % 4 === 0 ? null : `pat-${i}`,
    sourceIp: '10.0.0.7',
    requestId: `req-${i}`,
    details: { z: i, a: { note: 'Grüße – 診察', list: [3, 1, 2], flag: i % 2 === 0 }, empty: null },
  };
}

async function appendEvents(s: TestStorage, count: number): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (let i = 1; i <= count; i++) out.push(await s.audit.record(eventInput(i)));
  return out;
}

/** The sealed chain as stored, in chain order. */
async function chainOf(s: TestStorage): Promise<SealedAuditRecord[]> {
  const out: SealedAuditRecord[] = [];
  for await (const e of s.audit.chain()) out.push(e);
  return out;
}

async function sealedEvents(s: TestStorage, count: number): Promise<SealedAuditRecord[]> {
  await appendEvents(s, count);
  await s.audit.seal();
  return chainOf(s);
}

async function seqs(s: TestStorage): Promise<bigint[]> {
  return (await s.db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { seq: true } })).map((e) => e.seq);
}

function range(from: number, to: number): bigint[] {
  return Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i));
}

function expectFault(report: ChainReport, problem: NonNullable<ChainReport['fault']>['problem'], seq: number): void {
  expect(report.ok).toBe(false);
  expect(report.fault?.problem).toBe(problem);
  expect(report.fault?.seq).toBe(BigInt(seq));
}

/** Puts the pristine 25-event chain (and its checkpoints at 10 and 20) back, undoing any tampering. */
async function restoreChain(t: TestStorage, events: SealedAuditRecord[], checkpoints: AuditCheckpointRecord[]): Promise<void> {
  await t.db.prisma.auditCheckpoint.deleteMany();
  await t.db.prisma.auditEvent.deleteMany();
  await t.db.prisma.auditEvent.createMany({ data: events.map((e) => ({ ...e, details: e.details as Prisma.InputJsonValue })) });
  await t.db.prisma.auditCheckpoint.createMany({ data: checkpoints });
}

describe.each(testEngines())('audit log on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { checkpointInterval: 10 });
  });
  afterAll(async () => s.cleanup());

  it('appends unsealed, then seals into a verifiable chain and signs its head on demand', async () => {
    const appended = await appendEvents(s, 25);
    expect(appended.map((e) => e.seq)).toEqual(range(1, 25));
    // An append only inserts: the chain fields come with sealing.
    expect(appended.every((e) => e.chainSeq === null && e.hash === null && e.prevHash === null)).toBe(true);
    expect(await s.audit.unsealed()).toMatchObject({ count: 25, oldest: { seq: 1n, id: appended[0]?.id } });
    expect(await s.db.prisma.auditCheckpoint.count()).toBe(0);

    expect(await s.audit.seal()).toBe(25);
    expect(await s.audit.unsealed()).toEqual({ count: 0, oldest: null });
    const events = await chainOf(s);
    expect(events.map((e) => e.chainSeq)).toEqual(range(1, 25));
    expect(events.map((e) => e.id)).toEqual(appended.map((e) => e.id));
    expect(events[0]?.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < events.length; i++) expect(events[i]?.prevHash).toBe(events[i - 1]?.hash);

    const report = await s.audit.verify();
    expect(report).toMatchObject({ ok: true, events: 25, checkpoints: 2, fault: null, unsealed: { count: 0, oldest: null, oldestAgeSeconds: 0 } });
    expect(report.head).toEqual({ seq: 25n, hash: events[24]?.hash });
    const stored = await s.db.prisma.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
    expect(stored.map((c) => c.seq)).toEqual([10n, 20n]);
    expect(stored[1]?.hash).toBe(events[19]?.hash);

    const head = await s.audit.checkpoint();
    expect(head?.seq).toBe(25n);
    expect(head?.hash).toBe(events[24]?.hash);
    expect(s.keyRing.verifyCheckpoint(checkpointMessage(25n, events[24]!.hash), head!.signature)).toBe(true);
    // Signing an already signed head is a no-op.
    expect((await s.audit.checkpoint())?.signature).toBe(head?.signature);
    expect(await s.db.prisma.auditCheckpoint.count()).toBe(3);
    expect(await s.audit.verify()).toMatchObject({ ok: true, events: 25, checkpoints: 3, fault: null });
  });

  it('writes the event in the same transaction as the change it records', async () => {
    const before = await seqs(s);

    await expect(
      transaction(s.db, async (tx) => {
        await tx.workspace.create({ data: { platform: 'slack', externalId: 'T-ROLLBACK', name: 'Rolled back' } });
        await s.audit.append(tx, { ...eventInput(99, 'U-ROLLBACK'), action: 'workspace.created' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await s.db.prisma.workspace.count({ where: { externalId: 'T-ROLLBACK' } })).toBe(0);
    expect(await s.db.prisma.auditEvent.count({ where: { actorId: 'U-ROLLBACK' } })).toBe(0);
    expect(await seqs(s)).toEqual(before);

    const committed = await transaction(s.db, async (tx) => {
      await tx.workspace.create({ data: { platform: 'slack', externalId: 'T-COMMIT', name: 'Committed' } });
      return s.audit.append(tx, { ...eventInput(100, 'U-COMMIT'), action: 'workspace.created' });
    });
    expect(await s.db.prisma.workspace.count({ where: { externalId: 'T-COMMIT' } })).toBe(1);
    // The sequence may skip the rolled-back seq; the chain has no gap.
    expect(await seqs(s)).toEqual([...before, committed.seq]);
    expect(await s.audit.verify()).toMatchObject({ ok: true, events: before.length + 1, fault: null });
    expect((await chainOf(s)).at(-1)).toMatchObject({ id: committed.id, chainSeq: BigInt(before.length + 1) });
  });

  it('reports events left unsealed apart, and fails only past the allowed lag', async () => {
    const log = new AuditLog({ db: s.db, keyRing: s.keyRing, clock: { now: () => clock }, checkpointInterval: 10, maxUnsealedMs: 60_000 });
    let clock = new Date('2026-01-01T10:00:00Z');
    const sealedBefore = (await log.verify()).events;
    const waiting = await log.record(eventInput(7, 'U-UNSEALED'));
    await log.record(eventInput(8, 'U-UNSEALED'));

    clock = new Date('2026-01-01T10:00:30Z');
    let report = await log.verify({ seal: false });
    expect(report).toMatchObject({ ok: true, events: sealedBefore, fault: null, unsealed: { count: 2, oldest: { seq: waiting.seq }, oldestAgeSeconds: 30 } });

    clock = new Date('2026-01-01T10:01:01Z');
    report = await log.verify({ seal: false });
    expect(report).toMatchObject({ ok: false, events: sealedBefore, fault: { problem: 'unsealed-too-long', seq: waiting.seq, id: waiting.id, position: null } });

    // Sealing them (as the running sealer does) clears it.
    report = await log.verify();
    expect(report).toMatchObject({ ok: true, events: sealedBefore + 2, fault: null, unsealed: { count: 0 } });
  });
});

// One database per engine for all tampering cases: each case starts from the
// same pristine chain, restored row by row, so the cases cannot interfere.
describe.each(testEngines())('audit log tampering on %s', (engine) => {
  let t: TestStorage;
  let events: SealedAuditRecord[];
  let checkpoints: AuditCheckpointRecord[];
  beforeAll(async () => {
    t = await createTestStorage(engine, { checkpointInterval: 10 });
    events = await sealedEvents(t, 25);
    checkpoints = await t.db.prisma.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
    expect(checkpoints.map((c) => c.seq)).toEqual([10n, 20n]);
  });
  afterAll(async () => t.cleanup());
  beforeEach(async () => {
    await restoreChain(t, events, checkpoints);
    expect(await t.audit.verify()).toMatchObject({ ok: true, events: 25, checkpoints: 2, fault: null });
  });

  it('detects an altered event', async () => {
    expect(await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'mallory' WHERE "chainSeq" = 7`)).toBe(1);
    const report = await t.audit.verify();
    expectFault(report, 'altered', 7);
    expect(report.events).toBe(6);
    expect(report.head?.seq).toBe(6n);
  });

  it('detects an event deleted from the middle', async () => {
    expect(await t.db.prisma.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "chainSeq" = 13`)).toBe(1);
    const report = await t.audit.verify();
    expectFault(report, 'missing-before', 14);
    expect(report.events).toBe(12);
  });

  it('detects a forged event inserted by renumbering the rest', async () => {
    // Make room at chain position 7 without tripping the unique index: negate, then shift.
    await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "chainSeq" = -"chainSeq" WHERE "chainSeq" >= 7`);
    await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "chainSeq" = -"chainSeq" + 1 WHERE "chainSeq" < 0`);
    const predecessor = events[5]!;
    const forged: Omit<SealedAuditRecord, 'hash'> = {
      ...events[6]!,
      id: '00000000-0000-4000-8000-000000000007',
      actorId: 'mallory',
      action: 'patient.read',
      outcome: 'success',
      reason: 'routine',
      details: { forged: false },
      seq: 1000n,
      chainSeq: 7n,
      prevHash: predecessor.hash,
    };
    const record = { ...forged, hash: hashEvent(forged) };
    await t.db.prisma.auditEvent.create({ data: { ...record, details: { forged: false } } });
    expect((await chainOf(t)).map((e) => e.chainSeq)).toEqual(range(1, 26));

    // The forged row itself is consistent; the event after it no longer links.
    const report = await t.audit.verify();
    expectFault(report, 'broken-link', 7);
    expect(report.fault?.position).toBe(8n);
    expect(report.fault?.id).toBe(events[6]?.id);
    expect(report.events).toBe(7);
  });

  it('detects two events swapped', async () => {
    await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "chainSeq" = -1 WHERE "chainSeq" = 12`);
    await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "chainSeq" = 12 WHERE "chainSeq" = 13`);
    await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "chainSeq" = 13 WHERE "chainSeq" = -1`);
    const report = await t.audit.verify();
    expectFault(report, 'broken-link', 13);
    expect(report.fault?.position).toBe(12n);
    expect(report.fault?.id).toBe(events[12]?.id);
    expect(report.events).toBe(11);
  });

  it('detects a sealed event made to look unsealed to edit it', async () => {
    // Clearing the chain fields lets the sealer link the edited event again, at the end: the hole it leaves shows.
    await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'mallory', "chainSeq" = NULL, "hash" = NULL, "prevHash" = NULL WHERE "chainSeq" = 7`);
    const report = await t.audit.verify();
    expectFault(report, 'missing-before', 8);
    expect(report.events).toBe(6);
  });

  it('detects an event moved to another place in the trail (its seq changed)', async () => {
    expect(await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET seq = 1000 WHERE "chainSeq" = 7`)).toBe(1);
    const report = await t.audit.verify();
    expectFault(report, 'altered', 1000);
    expect(report.fault?.position).toBe(7n);
  });

  it('detects events deleted from the end beyond a signed checkpoint', async () => {
    expect((await t.audit.checkpoint())?.seq).toBe(25n);
    expect(await t.db.prisma.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "chainSeq" >= 24`)).toBe(2);
    let report = await t.audit.verify();
    expectFault(report, 'truncated', 25);
    expect(report.fault?.id).toBeNull();
    expect(report.events).toBe(23);

    // Cutting back past an older checkpoint names the first checkpoint that is gone.
    expect(await t.db.prisma.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "chainSeq" >= 19`)).toBe(5);
    report = await t.audit.verify();
    expectFault(report, 'truncated', 20);
    expect(report.events).toBe(18);

    // Deleting the tail that no checkpoint covers is, by design, not detectable.
    await t.db.prisma.$executeRawUnsafe(`DELETE FROM "AuditCheckpoint" WHERE seq > 10`);
    expect(await t.audit.verify()).toMatchObject({ ok: true, events: 18 });
  });

  it('detects a wholesale rewrite with consistent links by its signed checkpoint', async () => {
    // Alter event 7, then recompute every hash after it so each link matches.
    let prevHash = events[5]!.hash;
    for (const original of events.slice(6)) {
      const { hash: _old, ...rest } = original;
      const rewritten: Omit<SealedAuditRecord, 'hash'> = {
        ...rest,
        actorId: original.chainSeq === 7n ? 'mallory' : original.actorId,
        prevHash,
      };
      const hash = hashEvent(rewritten);
      const changed = await t.db.prisma.$executeRawUnsafe(
        `UPDATE "AuditEvent" SET "actorId" = $1, "prevHash" = $2, "hash" = $3 WHERE "chainSeq" = $4`,
        rewritten.actorId,
        prevHash,
        hash,
        Number(original.chainSeq),
      );
      expect(changed).toBe(1);
      prevHash = hash;
    }
    const report = await t.audit.verify();
    expectFault(report, 'checkpoint-mismatch', 10);
    // Events 1..9, the rewritten 7 included, passed the hash and link checks.
    expect(report.events).toBe(9);
  });

  it('detects a checkpoint with a forged signature', async () => {
    const mallory = KeyRing.parse(JSON.stringify(KeyRing.generateFile(new Date())));
    const forged = mallory.signCheckpoint(checkpointMessage(20n, events[19]!.hash));
    expect(
      await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditCheckpoint" SET signature = $1 WHERE seq = 20`, forged),
    ).toBe(1);
    let report = await t.audit.verify();
    expectFault(report, 'checkpoint-signature', 20);
    expect(report.events).toBe(19);

    // Claiming the forger's own key id does not help either.
    await t.db.prisma.$executeRawUnsafe(`UPDATE "AuditCheckpoint" SET "keyId" = $1 WHERE seq = 20`, mallory.auditKeyId);
    report = await t.audit.verify();
    expectFault(report, 'checkpoint-signature', 20);
  });
});

describe.runIf(testEngines().includes('postgres'))('audit log with concurrent writers on postgres', () => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage('postgres', { checkpointInterval: 10 });
  });
  afterAll(async () => s.cleanup());

  it('keeps one gapless chain across two instances appending at once', async () => {
    const url = s.testDb.url;
    expect(url).toBeDefined();
    const second = await openDatabase({ url });
    try {
      const other = new AuditLog({ db: second, keyRing: s.keyRing, clock: { now: () => new Date() }, checkpointInterval: 10 });
      const appended = await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => s.audit.record(eventInput(i + 1, 'writer-a'))),
        ...Array.from({ length: 40 }, (_, i) => other.record(eventInput(i + 1, 'writer-b'))),
      ]);
      expect(new Set(appended.map((e) => e.seq)).size).toBe(80);
      expect(await s.db.prisma.auditEvent.count({ where: { actorId: 'writer-a' } })).toBe(40);
      expect(await s.db.prisma.auditEvent.count({ where: { actorId: 'writer-b' } })).toBe(40);
      // Both instances seal at once: one at a time gets the head.
      await Promise.all([s.audit.seal(), other.seal(), s.audit.seal()]);
      const chain = await chainOf(s);
      expect(chain.map((e) => e.chainSeq)).toEqual(range(1, 80));
      expect(new Set(chain.map((e) => e.id))).toEqual(new Set(appended.map((e) => e.id)));
      const checkpoints = await s.db.prisma.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
      expect(checkpoints.map((c) => c.seq)).toEqual(range(1, 8).map((n) => n * 10n));

      expect(await s.audit.verify()).toMatchObject({ ok: true, events: 80, checkpoints: 8, fault: null });
      expect(await other.verify()).toMatchObject({ ok: true, events: 80, checkpoints: 8, fault: null });
    } finally {
      await second.close();
    }
  });

  it('chains an event that commits after a later one was sealed after it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appended!: (record: AuditRecord) => void;
    const early = new Promise<AuditRecord>((resolve) => (appended = resolve));
    const slow = transaction(s.db, async (tx) => {
      appended(await s.audit.append(tx, eventInput(1, 'slow-writer')));
      await held;
    });
    const first = await early;
    const later = await s.audit.record(eventInput(2, 'quick-writer'));
    expect(later.seq).toBeGreaterThan(first.seq);
    await s.audit.seal();
    release();
    await slow;
    await s.audit.seal();

    const tail = (await chainOf(s)).slice(-2);
    expect(tail.map((e) => e.id)).toEqual([later.id, first.id]);
    expect(tail[1]!.chainSeq).toBe(tail[0]!.chainSeq + 1n);
    expect(await s.audit.verify()).toMatchObject({ ok: true, fault: null, unsealed: { count: 0 } });
  });
});
