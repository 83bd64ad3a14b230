// What a card says, independent of the platform that renders it: no patient
// data, only what kind of asset it is, who sent it, when, and its state.
import type { CardState } from '../core/access/types.js';
import type { AssetSummary } from './prepare-asset.js';

/** A card's small preview image (channel policy preview mode "deidentified"; see card-preview.ts). */
export interface CardPreviewImage {
  mediaType: 'image/jpeg';
  data: Buffer;
  /** Says what it is, never whose: for screen readers. */
  altText: string;
}

/** The preview a card carries: the image, and how its platform holds it (the gateway's placePreview answer). */
export interface CardPreview {
  ref: string;
  image: CardPreviewImage;
}

/** Where sending the card's image to the hospital's PACS stands (see src/app/pacs). */
export interface CardPacs {
  status: 'queued' | 'sent' | 'failed';
  /** When it was sent. */
  sentAt?: Date;
  /** Why it failed: an error code, for words chosen by the platform's text. */
  failureCode?: string;
}

export interface CardView {
  cardId: string;
  assetId: string;
  consultId: string;
  channelId: string;
  threadId: string;
  messageId: string | null;
  state: CardState;
  uploaderId: string;
  facts: AssetSummary | undefined;
  burnedInText: boolean;
  /** The patient's recorded consent no longer covers care viewing by the care team (see card-consent.ts): shown as "Consent withdrawn", without View. */
  consentWithdrawn?: boolean;
  /** Its image could not be prepared for viewing (a photo's clean-up failed after its card was posted): no buttons. */
  unavailable?: boolean;
  /** Only on a live card in a channel whose policy allows it, for an image that cannot show who the patient is. */
  preview?: CardPreview | undefined;
  /** Only once Send to PACS was pressed. */
  pacs?: CardPacs;
  createdAt: Date;
  expiresAt: Date;
}

type CardRow = Pick<CardView, 'assetId' | 'consultId' | 'channelId' | 'threadId' | 'messageId' | 'state' | 'createdAt' | 'expiresAt'> & { id: string };

interface AssetRow {
  uploaderId: string;
  metadata: unknown;
  burnedInText: boolean | null;
  status?: string;
  pacsExport?: { status: 'queued' | 'sent' | 'failed'; sentAt: Date | null; failureCode: string | null } | null;
}

export function cardView(card: CardRow, asset: AssetRow, consentWithdrawn = false): CardView {
  const x = asset.pacsExport;
  const m = asset.metadata as Partial<AssetSummary> | null;
  const facts = m && (m.family === 'photo' || m.family === 'dicom') ? (m as AssetSummary) : undefined;
  return {
    cardId: card.id,
    assetId: card.assetId,
    consultId: card.consultId,
    channelId: card.channelId,
    threadId: card.threadId,
    messageId: card.messageId,
    state: card.state,
    uploaderId: asset.uploaderId,
    facts,
    burnedInText: Boolean(asset.burnedInText),
    consentWithdrawn,
    unavailable: asset.status === 'failed',
    ...(x ? { pacs: { status: x.status, ...(x.sentAt ? { sentAt: x.sentAt } : {}), ...(x.failureCode ? { failureCode: x.failureCode } : {}) } } : {}),
    createdAt: card.createdAt,
    expiresAt: card.expiresAt,
  };
}
