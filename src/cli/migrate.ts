import type { Command } from 'commander';
import { embeddedDatabaseDir, openDatabase } from '../storage/database.js';
import { migrate, readMigrations } from '../storage/migrate.js';
import { mkdir } from 'node:fs/promises';
import { cliConfig, type CliIo } from './context.js';

export function registerMigrate(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('apply the committed database migrations (offline; safe to run from several instances at once)')
    .action(async () => {
      const { config } = cliConfig(io);
      if (config.embedded) await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
      const db = await openDatabase({
        url: config.databaseUrl,
        dataDir: config.embedded ? embeddedDatabaseDir(config.dataDir) : undefined,
        holder: 'loupe migrate',
      });
      try {
        const applied = await migrate(db, await readMigrations());
        io.out(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.close();
      }
    });
}
