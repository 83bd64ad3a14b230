import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { migrate, pendingMigrations, readMigrations } from '../../src/storage/migrate.js';
import { isLoupeError } from '../../src/core/errors.js';
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
