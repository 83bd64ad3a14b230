// The assets the viewer shows, read after access was decided: one asset,
// its consult's stored images (series navigation) and its blobs' rows.
import type { Database } from './database.js';
import type { Asset, Blob } from './prisma/client.js';

export type ListedAsset = Pick<Asset, 'id' | 'kind' | 'metadata'>;

/** The blobs the viewer reads: an original, a photo's cleaned copy, a study's instance (by part) and its series' thumbnails (by part). */
export type ViewedBlobKind = 'original' | 'derivative' | 'instance' | 'preview';

export class ViewerAssets {
  constructor(private readonly db: Database) {}

  asset(id: string): Promise<Asset> {
    return this.db.prisma.asset.findUniqueOrThrow({ where: { id } });
  }

  /** The consult's stored images, oldest first. */
  storedInConsult(consultId: string | null): Promise<ListedAsset[]> {
    return this.db.prisma.asset.findMany({ where: { consultId, status: 'stored' }, orderBy: { createdAt: 'asc' }, select: { id: true, kind: true, metadata: true } });
  }

  blob(assetId: string, kind: ViewedBlobKind, part = 0): Promise<Blob> {
    return this.db.prisma.blob.findUniqueOrThrow({ where: { assetId_kind_part: { assetId, kind, part } } });
  }

  /** The parts of the asset's blobs of a kind (which of a study's series have a thumbnail). */
  async parts(assetId: string, kind: ViewedBlobKind): Promise<number[]> {
    return (await this.db.prisma.blob.findMany({ where: { assetId, kind }, select: { part: true } })).map((b) => b.part);
  }

  /** A blob that may not exist (a series without a thumbnail): null then. */
  blobIfAny(assetId: string, kind: ViewedBlobKind, part: number): Promise<Blob | null> {
    return this.db.prisma.blob.findUnique({ where: { assetId_kind_part: { assetId, kind, part } } });
  }
}
