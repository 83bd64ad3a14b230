// A card's preview (channel policy preview mode "deidentified"), for each
// drawing of the card: made from the asset's stored preview in the imaging
// sandbox, placed on the platform the first time (recorded on the card, with
// its audit event: an image leaving Loupe), and taken off the platform the
// first drawing after the card may no longer carry one (expired, revoked,
// shredded, consent withdrawn, or the policy turned back to none). Removal
// comes before the redraw, so a failed redraw never leaves the file behind.
import { buffer } from 'node:stream/consumers';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import { isLoupeError } from '../core/errors.js';
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
  const stored = await deps.db.prisma.blob.findFirst({ where: { assetId: card.assetId, kind: 'preview' }, orderBy: { part: 'asc' }, select: { id: true } }); // a study's: its first series'
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

/** A drawing's preview, and what to record once the drawing is on the platform. */
export interface PreviewDrawing {
  preview: CardPreview | undefined;
  /** Records a removal once the card is redrawn without it (the image is gone from Teams only then); a no-op otherwise. */
  drawn: () => Promise<void>;
}

const LIVE_STATES = ['active', 'waiting_for_patient'] as const;
const nothing = async () => {};

/**
 * The preview for a drawing of the card about to be posted or redrawn:
 * placed when it is the first, taken off the platform (and none drawn) when
 * the card may no longer carry one. `live`: the card is open and its consent
 * not withdrawn. Making or placing a preview is best effort: a failure is
 * audited and the card drawn without one; taking one away is not (it throws,
 * and the redraw is retried).
 */
export async function previewForDrawing(deps: ChatUseCaseDeps, gateway: ChatGateway, card: PreviewCard, live: boolean): Promise<PreviewDrawing> {
  const wanted = await styleFor(deps, card, live);
  if (!wanted) {
    const ref = card.previewRef;
    if (!ref) return { preview: undefined, drawn: nothing };
    // Slack's file goes now, before the redraw: a redraw that fails leaves no file behind.
    await gateway.removePreview(ref);
    return { preview: undefined, drawn: () => recordRemoval(deps, card, ref) };
  }
  const audit = (outcome: 'success' | 'failure', details: Record<string, string>) => ({ actor: SYSTEM, action: AuditAction.CardPreviewPosted, outcome, workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId, details });
  let image: CardPreviewImage;
  let ref = card.previewRef;
  try {
    image = await render(deps.previews, wanted.blobId, wanted.style);
    if (!ref) ref = await gateway.placePreview(image);
  } catch (error) {
    // The card matters more than its preview: drawn without one, and the next drawing tries again.
    await deps.audit.record(audit('failure', { style: wanted.style, code: isLoupeError(error) ? error.code : 'platform_refused' }));
    return { preview: undefined, drawn: nothing };
  }
  if (ref === card.previewRef) return { preview: { ref, image }, drawn: nothing };
  const placed = ref;
  const recorded = await transaction(deps.db, async (tx) => {
    // Only on a card still live with none recorded: two drawings at once place two, and a card that died meanwhile carries none.
    const { count } = await tx.card.updateMany({ where: { id: card.id, previewRef: null, state: { in: [...LIVE_STATES] } }, data: { previewRef: placed } });
    if (count) await deps.audit.append(tx, audit('success', { style: wanted.style }));
    return count === 1;
  });
  if (recorded) return { preview: { ref: placed, image }, drawn: nothing };
  // Another drawing's stands, or the card died: this one goes at once, so no image is left that no card accounts for.
  await gateway.removePreview(placed);
  const standing = await deps.db.prisma.card.findUniqueOrThrow({ where: { id: card.id }, select: { previewRef: true, state: true } });
  const stillLive = (LIVE_STATES as readonly string[]).includes(standing.state);
  return { preview: standing.previewRef && stillLive ? { ref: standing.previewRef, image } : undefined, drawn: nothing };
}

async function recordRemoval(deps: ChatUseCaseDeps, card: PreviewCard, ref: string): Promise<void> {
  await transaction(deps.db, async (tx) => {
    // Once: a redraw run twice removes and records it once.
    const cleared = await tx.card.updateMany({ where: { id: card.id, previewRef: ref }, data: { previewRef: null } });
    if (cleared.count) await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.CardPreviewRemoved, outcome: 'success', workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId });
  });
}

/** Whether the card, as it now stands, may no longer carry the preview it has (the card sweep's question; nothing is read or made). */
export async function previewDisallowed(deps: Pick<ChatUseCaseDeps, 'db' | 'policies' | 'clock'>, card: PreviewCard & { state: string }, live: boolean): Promise<boolean> {
  return card.previewRef !== null && !(await styleFor(deps, card, live && (LIVE_STATES as readonly string[]).includes(card.state)));
}

/** The preview already on the platform, for one user's own drawing (Teams' refresh): never places one, and shows none the card may no longer carry. */
export async function placedPreview(deps: Pick<ChatUseCaseDeps, 'db' | 'policies' | 'clock'> & { previews: CardPreviewDeps }, card: PreviewCard, live: boolean): Promise<CardPreview | undefined> {
  if (!card.previewRef) return undefined;
  const wanted = await styleFor(deps, card, live);
  return wanted ? { ref: card.previewRef, image: await render(deps.previews, wanted.blobId, wanted.style) } : undefined;
}
