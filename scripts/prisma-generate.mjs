// `prisma generate` needs no schema engine, but the Prisma CLI tries to
// download one unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file.
// Generation runs offline this way (see ../shared/ENVIRONMENT.md).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: fileURLToPath(import.meta.url), PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
process.exit(result.status ?? 1);
