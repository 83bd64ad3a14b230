// A card's preview (channel policy preview mode "deidentified"), for each
// drawing of the card: made from the asset's stored preview in the imaging
// sandbox, placed on the platform the first time (recorded on the card, with
// its audit event: an image leaving Loupe), and taken off the platform the
// first drawing after the card may no longer carry one (expired, revoked,
// shredded, consent withdrawn, or the policy turned back to none). Removal
// comes before the redraw, so a failed redraw never leaves the file behind.
import { buffer } from 'node:stream/consumers';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import { cardPreviewStyle, type PreviewStyle } from '../core/policy/card-preview.js';
import type { ImagingSandbox } from '../imaging/sandbox/sandbox.js';
import { asBuffer } from '../imaging/sandbox/as-buffer.js';
import type { AssetSummary } from '../intake/prepare-asset.js';
import type { CardPreview, CardPreviewImage } from '../intake/card-view.js';
import type { EncryptedBlobs } from '../storage/encrypted-blobs.js';
import { transaction } from '../storage/transaction.js';
import type { ChatGateway } from './ports/chat-gateway.js';
import type { ChatUseCaseDeps } from './deps.js';
import type { AssetKind } from '../core/access/types.js';
import { consentCoversCare } from './card-consent.js';

const SYSTEM: AuditActor = { type: 'system', id: 'card-preview' };

/** What making a preview needs: the stored preview's bytes and a sandbox to shrink (and blur) them in. */
export interface CardPreviewDeps {
  blobs: Pick<EncryptedBlobs, 'open'>;
  sandbox: Pick<ImagingSandbox, 'run'>;
}

export interface PreviewCard {
  id: string;
  workspaceId: string;
  assetId: string;
  consultId: string;
  channelId: string;
  previewRef: string | null;
  asset: { metadata: unknown; patientId: string | null; kind: AssetKind | null };
}

const ALT: Record<PreviewStyle, string> = {
  blurred: 'A blurred thumbnail of the clinical photo; open View to see it',
  plain: 'A small de-identified rendering of the DICOM image; open View to read it',
};

/** The style this card's preview takes now, if it may carry one: the channel's policy and the image decide (see core/policy/card-preview.ts). */
async function styleFor(deps: Pick<ChatUseCaseDeps, 'db' | 'policies' | 'clock'>, card: PreviewCard, live: boolean): Promise<{ style: PreviewStyle; blobId: string } | undefined> {
  if (!live) return undefined;
  const policy = await deps.policies.effective(card.workspaceId, card.channelId);
  if (policy.previewMode === 'none') return undefined;
  // Where every view needs a recorded consent, none yet means no preview either.
  if (!(await consentCoversCare(deps, card, card.asset))) return undefined;
  const stored = await deps.db.prisma.blob.findFirst({ where: { assetId: card.assetId, kind: 'preview' }, select: { id: true } });
  const facts = card.asset.metadata as Partial<AssetSummary> | null;
  const style = cardPreviewStyle({
    previewMode: policy.previewMode,
    cardLive: live,
    family: facts?.family,
    burnedInAbsent: facts?.burnedInAbsent === true,
    hasStoredPreview: stored !== null,
  });
  return style && stored ? { style, blobId: stored.id } : undefined;
}

async function render(previews: CardPreviewDeps, blobId: string, style: PreviewStyle): Promise<CardPreviewImage> {
  const bytes = await buffer(await previews.blobs.open(blobId, SYSTEM));
  const made = await previews.sandbox.run('cardThumbnail', { bytes, style }, bytes.length);
  return { mediaType: made.mediaType, data: asBuffer(made.data), altText: ALT[style] };
}

/**
 * The preview for a drawing of the card about to be posted or redrawn:
 * placed when it is the first, removed (and undefined) when the card may no
 * longer carry one. `live`: the card is open and its consent not withdrawn.
 */
export async function previewForDrawing(deps: ChatUseCaseDeps, gateway: ChatGateway, card: PreviewCard, live: boolean): Promise<CardPreview | undefined> {
  const wanted = await styleFor(deps, card, live);
  if (!wanted) {
    if (card.previewRef) await removePreview(deps, gateway, card, card.previewRef);
    return undefined;
  }
  const image = await render(deps.previews, wanted.blobId, wanted.style);
  if (card.previewRef) return { ref: card.previewRef, image };
  const ref = await gateway.placePreview(image);
  const recorded = await transaction(deps.db, async (tx) => {
    // Only where none is recorded: two redraws at once place two, and only one may stand.
    const { count } = await tx.card.updateMany({ where: { id: card.id, previewRef: null }, data: { previewRef: ref } });
    if (count) await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.CardPreviewPosted, outcome: 'success', workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId, details: { style: wanted.style } });
    return count === 1;
  });
  if (recorded) return { ref, image };
  // The other drawing's stands; this one's goes at once, so no file of the patient is left that no card accounts for.
  await gateway.removePreview(ref);
  const standing = await deps.db.prisma.card.findUniqueOrThrow({ where: { id: card.id }, select: { previewRef: true } });
  return standing.previewRef ? { ref: standing.previewRef, image } : undefined;
}

async function removePreview(deps: ChatUseCaseDeps, gateway: ChatGateway, card: PreviewCard, ref: string): Promise<void> {
  await gateway.removePreview(ref);
  await transaction(deps.db, async (tx) => {
    // Once: a redraw run twice removes and records it once.
    const cleared = await tx.card.updateMany({ where: { id: card.id, previewRef: ref }, data: { previewRef: null } });
    if (cleared.count) await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.CardPreviewRemoved, outcome: 'success', workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId });
  });
}

/** The preview already on the platform, for one user's own drawing (Teams' refresh): never places one, and shows none the card may no longer carry. */
export async function placedPreview(deps: Pick<ChatUseCaseDeps, 'db' | 'policies' | 'clock'> & { previews: CardPreviewDeps }, card: PreviewCard, live: boolean): Promise<CardPreview | undefined> {
  if (!card.previewRef) return undefined;
  const wanted = await styleFor(deps, card, live);
  return wanted ? { ref: card.previewRef, image: await render(deps.previews, wanted.blobId, wanted.style) } : undefined;
}
