// Write-then-rename, so a reader never sees a partial file and a crash leaves
// at most a temporary file that is not under the final name.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const TEMP_SUFFIX = '.partial';

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Streams `source` into `path` atomically; returns the bytes written. */
export async function writeFileAtomic(
  path: string,
  source: Readable | Uint8Array | string,
  options: { mode?: number } = {},
): Promise<number> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const mode = options.mode ?? 0o600;
  try {
    let bytes = 0;
    if (typeof source === 'string' || source instanceof Uint8Array) {
      const handle = await open(temp, 'wx', mode);
      try {
        const data = typeof source === 'string' ? Buffer.from(source) : source;
        await handle.writeFile(data); // writes all of it, unlike write()
        bytes = data.length;
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      const out = createWriteStream(temp, { flags: 'wx', mode });
      source.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      await pipeline(source, out);
      await fsyncPath(temp);
    }
    await rename(temp, path);
    await fsyncPath(dir);
    return bytes;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Creates `path` with `data` only if nothing is there yet, atomically: the
 * complete file appears under its name or nothing does. False if it existed.
 */
export async function createFileExclusive(path: string, data: string, mode = 0o600): Promise<boolean> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
  await fsyncPath(dir);
  return true;
}

/**
 * Like writeFileAtomic, for a writer that fills the file itself through its
 * handle (positioned writes from reused buffers, no stream of fresh chunks):
 * synced before the rename, removed if `fill` fails.
 */
export async function writeFileAtomicWith(path: string, fill: (handle: FileHandle) => Promise<void>, options: { mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600);
    try {
      await fill(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await fsyncPath(dir);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
