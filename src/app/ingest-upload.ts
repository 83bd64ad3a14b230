// The intake jobs' work: the upload's bytes fetched through its platform's
// gateway (with the size cap) and secured (ingestAsset), a photo's card
// delivered at once; then, in the imaging lane, the upload cleaned
// (prepareSecuredAsset) and a DICOM image's card delivered. A dead-lettered
// job ends the upload failed, and people are told.
import { abandonIngest, ingestAsset, type IngestDeps } from './ingest-asset.js';
import { deliverCard } from './deliver-card.js';
import { abandonPreparation, prepareSecuredAsset } from './prepare-secured-asset.js';
import type { ChatUseCaseDeps } from './deps.js';
import { readSourceLocator } from './source-locator.js';

export interface IngestUploadDeps extends ChatUseCaseDeps {
  ingest: IngestDeps;
  maxUploadBytes: number;
}

export async function ingestUpload(deps: IngestUploadDeps, { assetId, retried }: { assetId: string; retried: boolean }): Promise<void> {
  const result = await ingestAsset(deps.ingest, assetId, async () => {
    const asset = await deps.db.prisma.asset.findUniqueOrThrow({
      where: { id: assetId },
      select: { id: true, workspaceId: true, sourceRef: true, sourceLocator: true, sourceLocatorKeyId: true },
    });
    const { gateway } = await deps.platforms.forWorkspace(asset.workspaceId);
    const locator = await readSourceLocator(deps.ingest, deps.db.prisma, asset);
    return gateway.fetchUpload({ sourceRef: asset.sourceRef, ...(locator ? { locator } : {}) }, deps.maxUploadBytes);
  });
  await deliverCard(deps, { assetId, result, mayHavePosted: retried });
}

/** The secured upload cleaned (prepare-secured-asset.ts); a DICOM image's card delivered, a failure told. */
export async function prepareUpload(deps: IngestUploadDeps, { assetId, retried }: { assetId: string; retried: boolean }): Promise<void> {
  await deliverCard(deps, { assetId, result: await prepareSecuredAsset(deps.ingest, assetId), mayHavePosted: retried });
}

/** A preparation whose retries ran out, or that took its worker down. */
export async function abandonPreparedUpload(deps: IngestUploadDeps, { assetId }: { assetId: string }): Promise<void> {
  await deliverCard(deps, { assetId, result: await abandonPreparation(deps.ingest, assetId), mayHavePosted: true });
}

/** An ingest whose retries ran out, or that took its worker down. */
export async function abandonUpload(deps: IngestUploadDeps, { assetId }: { assetId: string }): Promise<void> {
  await deliverCard(deps, { assetId, result: await abandonIngest(deps.ingest, assetId), mayHavePosted: true });
}
