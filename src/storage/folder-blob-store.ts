import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import type { BlobStore } from './blob-store.js';

const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{7,127}$/;

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
    const path = join(this.root, `.probe-${randomBytes(6).toString('hex')}`);
    const marker = randomBytes(16);
    await writeFileAtomic(path, marker);
    try {
      if (!(await readFile(path)).equals(marker)) throw new Error('probe read back different bytes');
    } finally {
      await rm(path, { force: true });
    }
  }

  private path(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new LoupeError(ErrorCode.InvalidInput, 'invalid blob key');
    return join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }
}
