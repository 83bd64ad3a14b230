// Where the key ring comes from: LOUPE_KEYS, or the key file. The embedded
// default generates a key file on first start so that it runs with no set-up;
// anything else must be given its keys.
import { constants } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { TEMP_SUFFIX, createFileExclusive, writeFileAtomic } from '../storage/atomic-file.js';
import { KeyRing, type KeyRingFile } from './keyring.js';

export type KeySource = { source: 'env'; json: string } | { source: 'file'; path: string };

export interface LoadedKeys {
  ring: KeyRing;
  generated: boolean;
}

export async function loadKeyRing(
  source: KeySource,
  options: { allowGenerate: boolean; clock: Clock },
): Promise<LoadedKeys> {
  if (source.source === 'env') return { ring: KeyRing.parse(source.json), generated: false };
  const text = await readPrivateFile(source.path);
  if (text !== undefined) return { ring: KeyRing.parse(text), generated: false };
  if (!options.allowGenerate) {
    throw new LoupeError(
      ErrorCode.KeysMissing,
      `no key ring: set LOUPE_KEYS or provide the key file ${source.path} (LOUPE_KEY_FILE); ` +
        'the embedded default creates one on its first `loupe serve` with an empty database',
    );
  }
  const file = KeyRing.generateFile(options.clock.now());
  // Exclusive: if another process created the file first, its keys are the ones to use.
  if (await createFileExclusive(source.path, JSON.stringify(file, null, 2) + '\n')) {
    return { ring: KeyRing.parse(JSON.stringify(file)), generated: true };
  }
  return { ring: KeyRing.parse((await readPrivateFile(source.path)) ?? ''), generated: false };
}

/** Reads a key file through one handle (no check-then-read gap), refusing one others can read. */
async function readPrivateFile(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new LoupeError(ErrorCode.KeysInvalid, `key file ${path} is a symbolic link: give its real path`);
    throw new LoupeError(ErrorCode.KeysMissing, `cannot read the key file ${path} (${code ?? 'error'})`, { cause: error });
  }
  try {
    const info = await handle.stat();
    if ((info.mode & 0o077) !== 0) {
      throw new LoupeError(ErrorCode.KeysInvalid, `key file ${path} is readable by others: chmod 600 it`);
    }
    if (typeof process.getuid === 'function' && info.uid !== process.getuid()) {
      throw new LoupeError(ErrorCode.KeysInvalid, `key file ${path} belongs to another user`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

export async function readKeyFile(path: string): Promise<KeyRingFile> {
  const text = await readPrivateFile(path);
  if (text === undefined) throw new LoupeError(ErrorCode.KeysMissing, `cannot read the key file ${path}`);
  // Parsing validates it; the file form is what gets extended and written back.
  KeyRing.parse(text);
  return JSON.parse(text) as KeyRingFile;
}

export async function writeKeyFile(path: string, file: KeyRingFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
}

/** Runs `fn` while holding `<key file>.lock`, so two rotations cannot both add "the next" version. */
export async function withKeyFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  if (!(await createFileExclusive(lock, `${process.pid}\n`))) {
    throw new LoupeError(ErrorCode.KeysBusy, `another key rotation holds ${lock}; if none is running, remove it`);
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Removes unfinished writes of the key file (`.keys.json.<random>.partial`)
 * that a crash during a rotation left beside it, last written before
 * `olderThan`: they hold key material, and would stay behind when the key file
 * is moved out of the data folder. Returns how many went.
 */
export async function sweepKeyFileDebris(path: string, olderThan: Date): Promise<number> {
  const prefix = `.${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  let swept = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    if (!/^[0-9a-f]{12}$/.test(name.slice(prefix.length, -TEMP_SUFFIX.length))) continue;
    const file = join(dirname(path), name);
    const written = await stat(file).then((s) => s.mtime, () => undefined);
    if (written && written < olderThan) {
      await rm(file, { force: true });
      swept++;
    }
  }
  return swept;
}
