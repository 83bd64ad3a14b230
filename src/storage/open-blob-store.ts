import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { FolderBlobStore } from './folder-blob-store.js';

/** The blob store the configuration names; the AWS SDK is loaded only for an S3 store. */
export async function openBlobStore(config: Config['blobStore']): Promise<BlobStore> {
  if (config.kind !== 's3') return new FolderBlobStore(config.dir);
  const { S3BlobStore } = await import('./s3-blob-store.js');
  return new S3BlobStore(config);
}
