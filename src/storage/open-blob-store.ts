import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { FolderBlobStore } from './folder-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/** The blob store the configuration names. */
export function openBlobStore(config: Config['blobStore']): BlobStore {
  return config.kind === 's3' ? new S3BlobStore(config) : new FolderBlobStore(config.dir);
}
