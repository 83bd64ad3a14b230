import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic-file.js';
import { BLOB_KEY_PATTERN, type BlobStore, type DebrisCounts } from './blob-store.js';

const PROBE_PREFIX = '.probe-';
const FAN_OUT = /^[a-z0-9]{2}$/;

/** Names in a folder, or none when it is gone. */
async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
}

async function writtenBefore(path: string, olderThan: Date): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile() && s.mtime < olderThan,
    () => false,
  );
}

/** A local folder; keys are fanned out over two levels of sub-folders. */
export class FolderBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    return { bytes: await writeFileAtomic(this.path(key), body) };
  }

  async get(key: string): Promise<Readable> {
    const path = this.path(key);
    try {
      await access(path);
    } catch (cause) {
      throw new LoupeError(ErrorCode.BlobNotFound, 'blob body is missing from the blob store', { cause });
    }
    return createReadStream(path, { highWaterMark: 1024 * 1024 });
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      () => true,
      () => false,
    );
  }

  async probe(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const path = join(this.root, `${PROBE_PREFIX}${randomBytes(6).toString('hex')}`);
    const marker = randomBytes(16);
    await writeFileAtomic(path, marker);
    try {
      if (!(await readFile(path)).equals(marker)) throw new Error('probe read back different bytes');
    } finally {
      await rm(path, { force: true });
    }
  }

  async sweepDebris(olderThan: Date, keep: (keys: string[]) => Promise<Set<string>>): Promise<DebrisCounts> {
    const counts: DebrisCounts = { unfinished: 0, orphans: 0 };
    const removeIfOld = async (path: string) => {
      if (!(await writtenBefore(path, olderThan))) return false;
      await rm(path, { force: true });
      return true;
    };
    for (const name of await list(this.root)) {
      const leftover = name.startsWith(PROBE_PREFIX) || name.endsWith(TEMP_SUFFIX);
      if (leftover && (await removeIfOld(join(this.root, name)))) counts.unfinished++;
    }
    // One leaf folder at a time, so a store of millions of bodies is never listed whole.
    for (const a of (await list(this.root)).filter((n) => FAN_OUT.test(n))) {
      for (const b of (await list(join(this.root, a))).filter((n) => FAN_OUT.test(n))) {
        const dir = join(this.root, a, b);
        const candidates: string[] = [];
        for (const name of await list(dir)) {
          if (name.endsWith(TEMP_SUFFIX)) {
            if (await removeIfOld(join(dir, name))) counts.unfinished++;
          } else if (BLOB_KEY_PATTERN.test(name) && name.startsWith(a + b) && (await writtenBefore(join(dir, name), olderThan))) {
            candidates.push(name);
          }
        }
        if (!candidates.length) continue;
        const live = await keep(candidates);
        for (const key of candidates.filter((k) => !live.has(k))) {
          await rm(join(dir, key), { force: true });
          counts.orphans++;
        }
      }
    }
    return counts;
  }

  close(): void {}

  private path(key: string): string {
    if (!BLOB_KEY_PATTERN.test(key)) throw new LoupeError(ErrorCode.InvalidInput, 'invalid blob key');
    return join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }
}
