// The embedded database (PGlite) is one process's memory over a folder: a
// second process on the same folder reads a stale copy and then overwrites
// the first one's writes. A lock file beside the folder keeps it to one
// process at a time. It names its holder (command, pid, since when), and a
// lock left by a process that died (kill -9) is taken over, because its pid
// is gone or now belongs to another process (a different start time).
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { createFileExclusive } from './atomic-file.js';

interface Holder {
  pid: number;
  /** Process start time from /proc (Linux), so a reused pid is not mistaken for the holder. */
  started: string | null;
  command: string;
  since: string;
  token: string;
}

export interface DataFolderLock {
  readonly path: string;
  release(): Promise<void>;
}

/** A takeover guard older than this was left by a process killed mid-takeover (which takes microseconds). */
const GUARD_STALE_MS = 10_000;

/** A process's start time in clock ticks since boot (Linux /proc), or null where there is no /proc. */
export async function processStartTime(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name (which may hold spaces) closes with ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

async function isAlive(holder: Holder): Promise<boolean> {
  // Our own pid: this process (a second open here is refused too), or a
  // previous life of a container whose process always gets the same pid.
  if (holder.pid === process.pid) return holder.started === null || holder.started === (await processStartTime(process.pid));
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the pid exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = await processStartTime(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

async function readHolder(path: string): Promise<{ text: string; holder: Holder | undefined } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return { text, holder: JSON.parse(text) as Holder };
  } catch {
    // Written whole by link(), so unreadable content is not a lock being written: not ours to trust.
    return { text, holder: undefined };
  }
}

/** Removes `path` if it still holds `text`, under a guard so two takers cannot both remove a fresh lock. */
async function takeOver(path: string, text: string): Promise<void> {
  const guard = `${path}.takeover`;
  if (!(await createFileExclusive(guard, `${process.pid}\n`))) {
    // Against the file system's own time (mtime), so the wall clock, not Loupe's clock.
    const age = Date.now() - (await stat(guard).then((s) => s.mtimeMs, () => Date.now()));
    if (age > GUARD_STALE_MS) await rm(guard, { force: true });
    else await sleep(50);
    return;
  }
  try {
    if ((await readHolder(path))?.text === text) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

function describe(h: Holder): string {
  return `\`${h.command}\` (pid ${h.pid}, since ${h.since})`;
}

/**
 * Takes the lock at `path` for `command`, or fails with LOUPE_DATA_DIR_BUSY
 * naming the live holder.
 */
export async function lockDataFolder(path: string, folder: string, command: string, now: Date = new Date()): Promise<DataFolderLock> {
  const mine: Holder = {
    pid: process.pid,
    started: await processStartTime(process.pid),
    command,
    since: now.toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const text = JSON.stringify(mine) + '\n';
  for (;;) {
    if (await createFileExclusive(path, text)) break;
    const found = await readHolder(path);
    if (!found) continue;
    if (found.holder && (await isAlive(found.holder))) {
      throw new LoupeError(
        ErrorCode.DataDirBusy,
        `the data folder ${folder} is in use by ${describe(found.holder)}: the embedded database serves one process at a time; ` +
          'stop it first (admin commands reach a running `loupe serve` by themselves)',
      );
    }
    await takeOver(path, found.text);
  }
  return {
    path,
    release: async () => {
      if ((await readHolder(path))?.text === text) await rm(path, { force: true });
    },
  };
}
