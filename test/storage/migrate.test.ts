import { afterEach, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../src/storage/migrate.js';
import { isLoupeError } from '../../src/core/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
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

  it('refuses a migration that changed after it was applied', async () => {
    t = await createTestDatabase(engine);
    const migrations = await readMigrations();
    const changed = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'x' } : m));
    await expect(migrate(t.db, changed)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_DB_MIGRATION_CHANGED'));
  });
});
