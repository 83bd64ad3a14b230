// What the Link patient form opens with, asked before it opens: whether this
// user may link this card's image now (a stale prompt says why not, in place
// of a form), and the form's defaults (the channel's default issuer).
import type { LinkRefusal } from '../core/consult/patient-link.js';
import type { WorkspaceRequester } from '../core/consult/rules.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import { linkRefusal, type LinkPatientDeps } from './link-patient.js';

export type LinkFormResult = { outcome: 'no_card' } | { outcome: 'refused'; reason: LinkRefusal } | { outcome: 'form'; cardId: string; defaultIssuer: string };

export async function linkPatientForm(deps: Pick<LinkPatientDeps, 'db' | 'clock'> & { policies: ChannelPolicies }, { cardId, who }: { cardId: string; who: WorkspaceRequester }): Promise<LinkFormResult> {
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId } });
  if (!card) return { outcome: 'no_card' };
  const refused = await linkRefusal(deps, { cardId, who });
  if (refused) return { outcome: 'refused', reason: refused };
  const policy = await deps.policies.effective(card.workspaceId, card.channelId);
  return { outcome: 'form', cardId: card.id, defaultIssuer: policy.identifierIssuer };
}
