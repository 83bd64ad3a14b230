// Prints the SQL that takes the committed migrations to prisma/schema.prisma,
// using Prisma's schema engine compiled to WebAssembly (the native engine
// cannot be downloaded here). Usage:
//   tsx scripts/migration-diff.ts            print the SQL (empty: in sync)
//   tsx scripts/migration-diff.ts NAME       write prisma/migrations/<next>_NAME
//   tsx scripts/migration-diff.ts --check    exit 1 when the schema has drifted
import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const migrationsDir = join(root, 'prisma', 'migrations');

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

async function loadEngine() {
  // The package's exports hide the .wasm, so resolve its folder by hand.
  const require = createRequire(import.meta.url);
  const pkgDir = join(dirname(require.resolve('@prisma/client/package.json')), '..', 'schema-engine-wasm');
  const bg = await import(join(pkgDir, 'schema_engine_bg.js'));
  // lib.dom is not loaded for Node code, so describe the one call used.
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const { instance } = await wasm.instantiate(await readFile(join(pkgDir, 'schema_engine_bg.wasm')), {
    './schema_engine_bg.js': bg,
  });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  return bg;
}

async function migrationDirectories() {
  const names = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return Promise.all(
    names.map(async (path) => ({
      path,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(join(migrationsDir, path, 'migration.sql'), 'utf8') },
      },
    })),
  );
}

const bg = await loadEngine();
const schema = await readFile(join(root, 'prisma', 'schema.prisma'), 'utf8');
// The engine expects the error-capturing wrapper the Prisma CLI puts around adapters.
const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(new PGlite()));
const engine = await bg.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => {}, adapter);
const dirs = await migrationDirectories();
const result = await engine.diff({
  from: dirs.length
    ? {
        tag: 'migrations',
        baseDir: migrationsDir,
        lockfile: { path: 'migration_lock.toml', content: await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8') },
        shadowDbInitScript: '',
        migrationDirectories: dirs,
      }
    : { tag: 'empty' },
  to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
});
const sql: string = (result.stdout ?? '').trim();
const inSync = sql === '' || sql === '-- This is an empty migration.';
const arg = process.argv[2];
if (arg === '--check') {
  if (!inSync) {
    console.error('prisma/schema.prisma has changes without a migration:\n' + sql);
    process.exit(1);
  }
  console.log('migrations match prisma/schema.prisma');
} else if (arg) {
  if (inSync) {
    console.log('nothing to migrate');
  } else {
    const dir = join(migrationsDir, `${String(dirs.length + 1).padStart(4, '0')}_${arg}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'migration.sql'), sql + '\n');
    console.log(`wrote ${dir}/migration.sql`);
  }
} else {
  console.log(sql);
}
process.exit(0);
