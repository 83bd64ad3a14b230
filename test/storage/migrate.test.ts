import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { migrate, pendingMigrations, readMigrations } from '../../src/storage/migrate.js';
import { isLoupeError } from '../../src/core/errors.js';
import { KeyRing } from '../../src/crypto/keyring.js';
import { FolderBlobStore } from '../../src/storage/folder-blob-store.js';
import { syncKeyVersions } from '../../src/storage/key-versions.js';
import { createStorage } from '../../src/storage/services.js';
import { createEmptySchema, createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEngines } from '../support/engines.js';

describe.each(testEngines())('migrations on %s', (engine) => {
  let t: TestDatabase;
  afterEach(async () => t?.drop());

  it('creates every table of the glossary and is idempotent', async () => {
    t = await createTestDatabase(engine);
    expect(await migrate(t.db, await readMigrations())).toEqual([]);
    const ws = await t.db.prisma.workspace.create({ data: { platform: 'slack', externalId: 'T1', name: 'Ward' } });
    await t.db.prisma.channelPolicy.create({ data: { workspaceId: ws.id, channelId: '*' } });
    const policy = await t.db.prisma.channelPolicy.findFirstOrThrow({ where: { workspaceId: ws.id } });
    expect(policy.interception).toBe(false);
    expect(policy.acceptedKinds).toEqual(['photo', 'dicom']);
    expect(policy.cardLifetimeSeconds).toBe(48 * 3600);
  });

  it('rolls a failing migration back whole and names it', async () => {
    t = await createTestDatabase(engine);
    const bad = { name: '9999_bad', sql: 'CREATE TABLE "Half" (id int); SELECT no_such_function();', checksum: 'c' };
    await expect(migrate(t.db, [...(await readMigrations()), bad])).rejects.toSatisfy(
      (e) => isLoupeError(e, 'LOUPE_DB_MIGRATION_FAILED') && (e as Error).message.includes('9999_bad'),
    );
    const half = await t.db.prisma.$queryRawUnsafe<{ present: boolean }[]>(`SELECT to_regclass('"Half"') IS NOT NULL AS present`);
    expect(half[0]?.present).toBe(false);
    expect(await pendingMigrations(t.db, [...(await readMigrations()), bad])).toEqual(['9999_bad']);
  });

  it('refuses a migration that changed after it was applied', async () => {
    t = await createTestDatabase(engine);
    const migrations = await readMigrations();
    const changed = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'x' } : m));
    await expect(migrate(t.db, changed)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_DB_MIGRATION_CHANGED'));
    await expect(pendingMigrations(t.db, changed)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_DB_MIGRATION_CHANGED'));
  });
});

describe.each(testEngines())('migration 0007 (legal holds, set settings, retention kept on upgrade) on %s', (engine) => {
  it('carries old holds over as legal holds, backfills what each row set, and keeps the retention of existing workspaces', async () => {
    // A database as release 0006 left it: written with SQL, since the client speaks the newest schema.
    const empty = engine === 'postgres' ? await createEmptySchema() : undefined;
    const db = await openDatabase(empty ? { url: empty.url } : {});
    try {
      const all = await readMigrations();
      expect(await migrate(db, all.filter((m) => m.name < '0007'))).toHaveLength(6);
      const sql = (q: string) => db.prisma.$executeRawUnsafe(q);
      await sql(`INSERT INTO "Workspace" (id, platform, "externalId", name, "updatedAt") VALUES ('w1', 'slack', 'T1', 'Ward', now()), ('w2', 'slack', 'T2', 'Clinic', now())`);
      await sql(`INSERT INTO "ChannelPolicy" (id, "workspaceId", "channelId", interception, "legalHold", "updatedBy", "updatedAt") VALUES ('p1', 'w1', '*', true, false, 'U1', now()), ('p2', 'w1', 'C1', true, true, 'U1', now())`);
      await sql(`INSERT INTO "Asset" (id, "workspaceId", "uploaderId", kind, status, "sourceRef", "legalHold", "updatedAt") VALUES ('a1', 'w1', 'U2', 'photo', 'stored', 'F1', true, now()), ('a2', 'w1', 'U2', 'photo', 'stored', 'F2', false, now())`);

      // Every later migration applies on top too (0009 versions consents, 0010 adds breach alerts' own tables).
      const later = all.filter((m) => m.name >= '0007').map((m) => m.name);
      expect(later.slice(0, 2)).toEqual(['0007_admin_console', '0008_console_audit_indexes']);
      expect(later).toEqual(expect.arrayContaining(['0009_consent_versions', '0010_breach_alerts', '0012_patient_access_links']));
      expect(await migrate(db, all)).toEqual(later);

      const holds = await db.prisma.legalHold.findMany({ orderBy: { scope: 'asc' } });
      expect(holds.map((h) => ({ workspaceId: h.workspaceId, scope: h.scope, targetId: h.targetId, liftedAt: h.liftedAt }))).toEqual([
        { workspaceId: 'w1', scope: 'channel', targetId: 'C1', liftedAt: null },
        { workspaceId: 'w1', scope: 'asset', targetId: 'a1', liftedAt: null },
      ]);
      const rows = await db.prisma.channelPolicy.findMany({ orderBy: [{ workspaceId: 'asc' }, { channelId: 'asc' }] });
      expect(rows.map((r) => [r.workspaceId, r.channelId, r.retentionDays, [...(r.setFields ?? [])].sort()])).toEqual([
        ['w1', '*', null, ['acceptedKinds', 'cardLifetimeSeconds', 'consentRule', 'identifierPattern', 'interception', 'membersMayView', 'requireMfa', 'retentionDays']],
        ['w1', 'C1', null, ['acceptedKinds', 'cardLifetimeSeconds', 'consentRule', 'identifierPattern', 'interception', 'membersMayView', 'requireMfa']],
        ['w2', '*', null, ['retentionDays']],
      ]);

      const keyRing = KeyRing.parse(JSON.stringify(KeyRing.generateFile(new Date())));
      await syncKeyVersions(db, keyRing);
      const s = createStorage({ db, keyRing, clock: { now: () => new Date() }, blobStore: new FolderBlobStore(tmpdir()), checkpointInterval: 10, maxBlobBytes: 1 << 20 });
      for (const [workspaceId, channelId] of [['w1', 'C1'], ['w1', 'C2'], ['w2', 'C9']] as const) {
        const r = await s.policies.resolved(workspaceId, channelId);
        expect(r.policy.retentionDays, `${workspaceId} ${channelId}`).toBeNull();
        expect(r.source.retentionDays).toBe('workspace');
      }
      expect((await s.policies.effective('w1', 'C1')).legalHold).toBe(true);
      expect((await s.policies.effective('w1', 'C2')).legalHold).toBe(false);
      // Only a workspace created after the upgrade starts with Loupe's default retention.
      const fresh = await s.workspaces.ensure('slack', 'T3', 'New', { type: 'system', id: 'test' });
      expect(await s.policies.resolved(fresh.id, 'C1')).toMatchObject({ policy: { retentionDays: 365 }, source: { retentionDays: 'loupe' } });
    } finally {
      await db.close();
      await empty?.drop();
    }
  });
});

describe.each(testEngines())('migration 0009 (consent versions) on %s', (engine) => {
  it('keeps every existing consent as version 1 of a chain of its own, a revoked one inactive, and its words unchanged', async () => {
    // A database as release 0008 left it, written with SQL.
    const empty = engine === 'postgres' ? await createEmptySchema() : undefined;
    const db = await openDatabase(empty ? { url: empty.url } : {});
    try {
      const all = await readMigrations();
      expect(await migrate(db, all.filter((m) => m.name < '0009'))).toHaveLength(8);
      const sql = (q: string) => db.prisma.$executeRawUnsafe(q);
      await sql(`INSERT INTO "Workspace" (id, platform, "externalId", name, "updatedAt") VALUES ('w1', 'slack', 'T1', 'Ward', now())`);
      await sql(`INSERT INTO "KeyVersion" (version, fingerprint) VALUES (1, 'f1')`);
      await sql(`INSERT INTO "DataKey" (id, purpose, "kekVersion") VALUES ('k1', 'patient_phi', 1)`);
      await sql(`INSERT INTO "Patient" (id, "workspaceId", "identifierIndex", phi, "phiKeyId", "updatedAt") VALUES ('p1', 'w1', 'i1', '\\x00', 'k1', now())`);
      await sql(`INSERT INTO "Consent" (id, "patientId", decision, "dataKinds", purposes, parties, "validFrom", "validUntil", "recordedBy", "evidenceRef", "createdAt", "revokedAt", "revokedBy") VALUES
        ('c1', 'p1', 'permit', ARRAY['photo'], ARRAY['education'], ARRAY['institution'], '2026-01-01T00:00:00Z', NULL, 'U1', 'form-7', '2026-01-01T08:00:00Z', NULL, NULL),
        ('c2', 'p1', 'deny', ARRAY['dicom'], ARRAY['research'], ARRAY['external'], '2026-02-01T00:00:00Z', '2027-02-01T00:00:00Z', 'U2', NULL, '2026-02-01T08:00:00Z', '2026-03-01T08:00:00Z', 'U3')`);

      expect(await migrate(db, all)).toEqual(all.filter((m) => m.name >= '0009').map((m) => m.name));

      const rows = await db.prisma.consent.findMany({ orderBy: { id: 'asc' } });
      expect(rows.map((r) => ({ ...r }))).toEqual([
        {
          id: 'c1', patientId: 'p1', chainId: 'c1', version: 1, kind: 'decision', decision: 'permit', dataKinds: ['photo'], purposes: ['education'], parties: ['institution'],
          validFrom: new Date('2026-01-01T00:00:00Z'), validUntil: null, recordedBy: 'U1', recordedByKind: null, recordedVia: null, recordedAt: new Date('2026-01-01T08:00:00Z'),
          evidenceAssetId: null, evidenceRef: 'form-7', supersededAt: null, supersededBy: null, supersededByKind: null, supersededReason: null,
        },
        {
          id: 'c2', patientId: 'p1', chainId: 'c2', version: 1, kind: 'decision', decision: 'deny', dataKinds: ['dicom'], purposes: ['research'], parties: ['external'],
          validFrom: new Date('2026-02-01T00:00:00Z'), validUntil: new Date('2027-02-01T00:00:00Z'), recordedBy: 'U2', recordedByKind: null, recordedVia: null, recordedAt: new Date('2026-02-01T08:00:00Z'),
          evidenceAssetId: null, evidenceRef: null, supersededAt: new Date('2026-03-01T08:00:00Z'), supersededBy: 'U3', supersededByKind: null, supersededReason: null,
        },
      ]);
      // A withdrawal grants nothing, and only a withdrawal lacks a decision: the database holds to that whoever writes.
      await expect(sql(`INSERT INTO "Consent" (id, "patientId", "chainId", version, kind, decision, "validFrom", "recordedBy") VALUES ('c3', 'p1', 'c1', 2, 'withdrawal', 'permit', now(), 'U1')`)).rejects.toThrow();
      await expect(sql(`INSERT INTO "Consent" (id, "patientId", "chainId", version, kind, decision, "validFrom", "recordedBy") VALUES ('c3', 'p1', 'c1', 2, 'decision', NULL, now(), 'U1')`)).rejects.toThrow();
      // Two versions of one chain cannot share a number: concurrent changes cannot both win.
      await expect(sql(`INSERT INTO "Consent" (id, "patientId", "chainId", version, decision, "validFrom", "recordedBy") VALUES ('c3', 'p1', 'c1', 1, 'permit', now(), 'U1')`)).rejects.toThrow();
    } finally {
      await db.close();
      await empty?.drop();
    }
  });
});

describe.runIf(testEngines().includes('postgres'))('migrations on PostgreSQL, several instances at once', () => {
  it('are applied once when instances start together', async () => {
    const empty = await createEmptySchema();
    const dbs = await Promise.all([1, 2, 3].map(() => openDatabase({ url: empty.url })));
    try {
      const migrations = await readMigrations();
      expect(await Promise.all(dbs.map((db) => pendingMigrations(db, migrations)))).toEqual([1, 2, 3].map(() => migrations.map((m) => m.name)));
      const applied = await Promise.all(dbs.map((db) => migrate(db, migrations)));
      expect(applied.flat()).toEqual(migrations.map((m) => m.name));
      expect(await pendingMigrations(dbs[0]!, migrations)).toEqual([]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await empty.drop();
    }
  });
});
