// What the Correct patient form opens with, asked before it opens: whether
// this user may correct this card's image, and the form's defaults (the
// channel's default issuer).
import type { CorrectionRefusal } from '../core/consult/patient-link.js';
import type { WorkspaceRequester } from '../core/consult/rules.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import { correctionRefusal } from './correct-patient.js';
import type { LinkPatientDeps } from './link-patient.js';

export type CorrectionFormResult = { outcome: 'refused'; reason: CorrectionRefusal } | { outcome: 'form'; cardId: string; defaultIssuer: string };

export async function correctPatientForm(deps: Pick<LinkPatientDeps, 'db'> & { policies: ChannelPolicies }, { cardId, who }: { cardId: string; who: WorkspaceRequester }): Promise<CorrectionFormResult> {
  const refused = await correctionRefusal(deps, { cardId, who });
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId } });
  // A card that is not there is refused as anyone else's would be.
  if (refused || !card) return { outcome: 'refused', reason: refused ?? 'forbidden' };
  const policy = await deps.policies.effective(card.workspaceId, card.channelId);
  return { outcome: 'form', cardId: card.id, defaultIssuer: policy.identifierIssuer };
}
