import type { Readable } from 'node:stream';

/** A blob's key in any store: random, never naming a patient or an asset. */
export const BLOB_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{7,127}$/;

/** The largest blob the S3 store takes: its 8 MiB parts, at most 10,000 of them, with room to spare. */
export const MAX_S3_BLOB_BYTES = 64 * 1024 ** 3;

/**
 * Where encrypted blob bodies live. Implementations see only ciphertext and
 * opaque keys: a local folder (folder-blob-store.ts) or an S3-compatible
 * object store (s3-blob-store.ts), chosen by LOUPE_BLOB_STORE.
 */
export interface BlobStore {
  /** Stores the whole stream under `key`, atomically: all of it or nothing. */
  put(key: string, body: Readable): Promise<{ bytes: number }>;
  /** Fails with LOUPE_BLOB_NOT_FOUND when absent. */
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Proves the store can be written and read, for /readyz. */
  probe(): Promise<void>;
  /**
   * Removes what a crash left (unfinished writes, probes, and bodies whose key
   * `keep` does not return), all last written before `olderThan`.
   */
  sweepDebris(olderThan: Date, keep: (keys: string[]) => Promise<Set<string>>): Promise<DebrisCounts>;
  /** Lets go of connections; nothing is read or written after. */
  close(): void;
}

export interface DebrisCounts {
  /** Unfinished writes (and probes) a crash left. */
  unfinished: number;
  /** Whole bodies with no live blob row: written before a crash cut their transaction, or of a shredded asset. */
  orphans: number;
}
