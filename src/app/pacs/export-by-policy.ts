// A channel whose policy sends every image to the PACS (pacsExport
// "automatic"): once a card is active (its image secured and linked to a
// patient), its export is queued in the transaction that made it so. The one
// rule Send to PACS asks decides (pacsExportRefusal), the policy standing in
// for a requester's standing on the consult; so no PACS configured, consent
// refused, a stale card or a shredded image are refused as a press would be,
// and audited with the policy as actor. Nothing is said in the chat: the card
// shows the export once it is queued.
import { pacsExportRefusal, POLICY_STANDING, type PacsExportRefusal } from '../../core/access/pacs-export.js';
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { Tx } from '../../storage/transaction.js';
import { consentCoversCare } from '../card-consent.js';
import type { PacsDeps } from './pacs-deps.js';
import { queuePacsExport } from './queue-pacs-export.js';

export type PolicyExportDeps = Pick<PacsDeps, 'db' | 'queue' | 'audit' | 'clock' | 'policies' | 'pacs'>;

/** Who asks, when the policy does: no person pressed anything. */
const POLICY = 'channel-policy';
export const POLICY_ACTOR: AuditActor = { type: 'system', id: POLICY };

/** Said in the audit events' details, so a reader tells the policy's exports from a press. */
const BY_POLICY = { by: 'policy' } as const;

export type PolicyExportOutcome = 'not_automatic' | 'queued' | PacsExportRefusal;

/**
 * Called, inside its transaction, where a card has just become active with its image stored. The policy is asked
 * first: on every upload of a channel that does not send automatically, that is all this costs.
 */
export async function exportByPolicy(deps: PolicyExportDeps, tx: Tx, at: { cardId: string; workspaceId: string; channelId: string }): Promise<PolicyExportOutcome> {
  const policy = await deps.policies.effective(at.workspaceId, at.channelId, tx);
  if (policy.pacsExport !== 'automatic') return 'not_automatic';
  const { cardId } = at;
  const card = await tx.card.findUniqueOrThrow({ where: { id: cardId }, include: { asset: { include: { pacsExport: true } } } });
  const { asset } = card;
  const event = { actor: POLICY_ACTOR, action: AuditAction.PacsExportRequested, workspaceId: card.workspaceId, assetId: asset.id, consultId: card.consultId, patientId: asset.patientId };
  const facts = {
    configured: deps.pacs !== undefined,
    card,
    asset,
    standing: POLICY_STANDING,
    consentCoversCare: await consentCoversCare(deps, card, asset, tx),
    current: asset.pacsExport,
  };
  const refusal =
    pacsExportRefusal(facts, deps.clock.now()) ??
    (await queuePacsExport(deps, tx, { cardId, assetId: asset.id, workspaceId: card.workspaceId, copy: deps.pacs!.copy, requestedBy: POLICY, event, details: BY_POLICY }));
  if (!refusal) return 'queued';
  await deps.audit.append(tx, { ...event, outcome: 'denied', reason: refusal, details: { cardId, ...BY_POLICY } });
  return refusal;
}
