// What a card's link leads to, as the viewer's access rules read it: the
// link token (by its hash), its card, asset, consult with its participants
// and grants, and the patient's consents, in one query (the relations are
// joined): it is read on every viewer request.
import type { Database } from './database.js';
import type { Card } from './prisma/client.js';

const TARGET = { asset: { include: { patient: { select: { consents: true } } } }, consult: { include: { participants: true, grants: true } } } as const;

export class ViewCards {
  constructor(private readonly db: Database) {}

  /** The card a link token points at, without deciding anything (to know where to sign in). */
  async cardOfToken(tokenHash: string): Promise<Card | undefined> {
    const row = await this.db.prisma.linkToken.findUnique({ where: { tokenHash }, include: { card: true } });
    return row?.card;
  }

  /** The link token with everything its card leads to, in one read. */
  async target(tokenHash: string) {
    return this.db.prisma.linkToken.findUnique({ where: { tokenHash }, include: { card: { include: TARGET } } });
  }

  /** Another asset's card in the same consult (series navigation), with what it leads to. */
  async sibling(assetId: string, consultId: string) {
    return this.db.prisma.card.findFirst({ where: { assetId, consultId }, include: TARGET });
  }
}

export type ViewCardTarget = NonNullable<Awaited<ReturnType<ViewCards['target']>>>;
