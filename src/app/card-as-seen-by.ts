// One user's own view of a card, for platforms that draw a card per user
// (Teams' Action.Execute answers and refresh): the card as it stands, a View
// link of its own while the card is live (others' links keep working), and
// whether this user may manage it (its sender, or an admin).
import { cardView, type CardView } from '../intake/card-view.js';
import { consentWithdrawnFor, type CardConsentDeps } from './card-consent.js';
import { placedPreview, type CardPreviewDeps } from './card-preview.js';
import { issueLinkToken } from '../intake/link-token.js';
import type { WorkspaceRequester } from '../core/consult/rules.js';
import { transaction } from '../storage/transaction.js';

export interface CardAsSeen {
  view: CardView;
  viewUrl: string | undefined;
  mayManage: boolean;
}

/** `previews`: the card's preview, where one is on the platform, is drawn for this user too. */
export async function cardAsSeenBy(deps: CardConsentDeps & { viewUrl: (token: string) => string; previews?: CardPreviewDeps | undefined }, { cardId, who }: { cardId: string; who: WorkspaceRequester }): Promise<CardAsSeen | undefined> {
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId }, include: { asset: { include: { pacsExport: true } } } });
  if (!card) return undefined;
  const live = (card.state === 'active' || card.state === 'waiting_for_patient') && card.asset.status !== 'failed';
  const token = live ? await transaction(deps.db, (tx) => issueLinkToken(tx, card.id, card.expiresAt, deps.clock.now(), true)) : undefined;
  const withdrawn = live && (await consentWithdrawnFor(deps, card, card.asset));
  const preview = deps.previews ? await placedPreview({ ...deps, previews: deps.previews }, card, live && !withdrawn) : undefined;
  return { view: { ...cardView(card, card.asset, withdrawn), preview }, viewUrl: token ? deps.viewUrl(token) : undefined, mayManage: who.userId === card.asset.uploaderId || who.isAdmin };
}
