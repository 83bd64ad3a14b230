// The embedded data folder's lock: a live holder is named and refused; a
// dead one's lock (kill -9), or one whose pid now belongs to another process,
// is taken over, by exactly one of several processes racing for it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { lockDataFolder, processStartTime } from '../../src/storage/data-folder-lock.js';

describe('the embedded data folder lock', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-lock-'));
    path = join(dir, 'db.lock');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const planted = (pid: number, started: string | null) =>
    writeFile(path, JSON.stringify({ pid, started, command: 'loupe serve', since: '2026-11-30T09:00:00.000Z', token: 'old' }));

  it('refuses while a live process holds it, naming the command, pid and since when', async () => {
    const holder = spawn('sleep', ['60']);
    try {
      await planted(holder.pid!, await processStartTime(holder.pid!));
      const error = await lockDataFolder(path, join(dir, 'db'), 'loupe audit verify').catch((e: unknown) => e);
      expect(isLoupeError(error, 'LOUPE_DATA_DIR_BUSY')).toBe(true);
      expect((error as Error).message).toContain(`in use by \`loupe serve\` (pid ${holder.pid}, since 2026-11-30T09:00:00.000Z)`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process killed -9, and of a pid reused by another process', async () => {
    const dead = spawnSync('sh', ['-c', 'echo $$']);
    await planted(Number(String(dead.stdout).trim()), null);
    const a = await lockDataFolder(path, join(dir, 'db'), 'loupe serve');
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'loupe serve' });
    await a.release();
    // Our own pid, another start time: a restarted container's process, whose pid is always the same.
    await planted(process.pid, 'another-life');
    const b = await lockDataFolder(path, join(dir, 'db'), 'loupe serve');
    await b.release();
  });

  it('refuses a second holder in the same process, and frees the folder on release', async () => {
    const first = await lockDataFolder(path, join(dir, 'db'), 'loupe serve');
    await expect(lockDataFolder(path, join(dir, 'db'), 'loupe migrate')).rejects.toThrow(`(pid ${process.pid}, since `);
    await first.release();
    await expect(readFile(path)).rejects.toThrow();
  });

  it('lets exactly one of several racing takers have a dead holder\'s lock', async () => {
    await planted(Number(String(spawnSync('sh', ['-c', 'echo $$']).stdout).trim()), null);
    // Separate processes, as racing servers would be.
    const racer = `import { lockDataFolder } from './src/storage/data-folder-lock.ts';
      lockDataFolder(${JSON.stringify(path)}, 'db', 'racer').then(() => { console.log('won'); setTimeout(() => {}, 120000); }, (e) => console.log(e.code));`;
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', racer], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    // The winner holds on until killed, so a late starter meets a live holder, as it would in production.
    const results = (
      await Promise.all(
        children.map(
          (child) =>
            new Promise<string>((resolve) => {
              let out = '';
              child.stdout.on('data', (d: Buffer) => {
                out += d.toString();
                if (out.includes('\n')) resolve(out.trim());
              });
              child.on('exit', () => resolve(out.trim()));
            }),
        ),
      )
    ).sort();
    for (const child of children) child.kill('SIGKILL');
    expect(results).toEqual(['LOUPE_DATA_DIR_BUSY', 'LOUPE_DATA_DIR_BUSY', 'LOUPE_DATA_DIR_BUSY', 'won']);
  });
});
