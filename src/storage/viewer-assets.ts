// The assets the viewer shows, read after access was decided: one asset,
// its consult's stored images (series navigation) and its blobs' rows.
import type { Database } from './database.js';
import type { Asset, Blob } from './prisma/client.js';

export type ListedAsset = Pick<Asset, 'id' | 'kind' | 'metadata'>;

export class ViewerAssets {
  constructor(private readonly db: Database) {}

  asset(id: string): Promise<Asset> {
    return this.db.prisma.asset.findUniqueOrThrow({ where: { id } });
  }

  /** The consult's stored images, oldest first. */
  storedInConsult(consultId: string | null): Promise<ListedAsset[]> {
    return this.db.prisma.asset.findMany({ where: { consultId, status: 'stored' }, orderBy: { createdAt: 'asc' }, select: { id: true, kind: true, metadata: true } });
  }

  blob(assetId: string, kind: 'original' | 'derivative'): Promise<Blob> {
    return this.db.prisma.blob.findUniqueOrThrow({ where: { assetId_kind_part: { assetId, kind, part: 0 } } });
  }
}
