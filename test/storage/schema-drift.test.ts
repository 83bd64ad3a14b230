import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the committed migrations', () => {
  it('match prisma/schema.prisma exactly (Prisma schema engine, WebAssembly, offline)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migration-diff.ts', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('migrations match prisma/schema.prisma');
    expect(r.status).toBe(0);
  });
});
