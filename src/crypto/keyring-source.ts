// Where the key ring comes from: LOUPE_KEYS, or the key file. The embedded
// default generates a key file on first start so that it runs with no set-up;
// anything else must be given its keys.
import { readFile, stat } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
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
  let text: string;
  try {
    const info = await stat(source.path);
    if ((info.mode & 0o077) !== 0) {
      throw new LoupeError(ErrorCode.KeysInvalid, `key file ${source.path} is readable by others: chmod 600 it`);
    }
    text = await readFile(source.path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!options.allowGenerate) {
      throw new LoupeError(
        ErrorCode.KeysMissing,
        `no key ring: set LOUPE_KEYS or provide the key file ${source.path} (LOUPE_KEY_FILE)`,
      );
    }
    const file = KeyRing.generateFile(options.clock.now());
    await writeKeyFile(source.path, file);
    return { ring: KeyRing.parse(JSON.stringify(file)), generated: true };
  }
  return { ring: KeyRing.parse(text), generated: false };
}

export async function readKeyFile(path: string): Promise<KeyRingFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new LoupeError(ErrorCode.KeysMissing, `cannot read the key file ${path}`, { cause });
  }
  // Parsing validates it; the file form is what gets extended and written back.
  KeyRing.parse(text);
  return JSON.parse(text) as KeyRingFile;
}

export async function writeKeyFile(path: string, file: KeyRingFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
}
