// What an upload earns its uploader in the consult: nothing until Loupe has
// accepted it (stored, of a kind the channel takes). Receiving a message,
// or a file Loupe leaves alone, never makes anyone a participant. Nor does
// an image posted into someone else's consult: its participants are the
// requester, those they invite and, where the policy says so, the channel's
// members (a standing of its own), so a one-pixel photo opens nothing.
import type { AcceptedKind } from '../policy/channel-policy.js';

export interface UploadFacts {
  uploaderId: string;
  status: 'received' | 'processing' | 'stored' | 'failed' | 'revoked' | 'shredded';
  /** What the bytes turned out to be; undefined until they were read. */
  family: AcceptedKind | undefined;
}

export interface ConsultStanding {
  requesterId: string;
  /** The consult has no participant yet: its first accepted upload makes its uploader the requester. */
  empty: boolean;
  /** The uploader already takes part in the consult (a live participant row). */
  uploaderParticipates: boolean;
  acceptedKinds: readonly AcceptedKind[];
  cardLifetimeSeconds: number;
}

export interface UploaderGrant {
  userId: string;
  role: 'requester' | 'member';
  /** The consult's requester becomes this uploader (the thread had no accepted upload before). */
  becomesRequester: boolean;
  source: 'participant';
  hop: 0;
  expiresAt: Date;
}

/** The participation and grant an accepted upload gives its uploader, or undefined (deny by default). */
export function uploaderGrant(upload: UploadFacts, consult: ConsultStanding, now: Date): UploaderGrant | undefined {
  if (upload.status !== 'stored' || !upload.family || !consult.acceptedKinds.includes(upload.family)) return undefined;
  const becomesRequester = consult.empty && consult.requesterId !== upload.uploaderId;
  const isRequester = becomesRequester || (consult.requesterId === upload.uploaderId && (consult.empty || consult.uploaderParticipates));
  if (!isRequester && !consult.uploaderParticipates) return undefined;
  const role = isRequester ? 'requester' : 'member';
  return { userId: upload.uploaderId, role, becomesRequester, source: 'participant', hop: 0, expiresAt: new Date(now.getTime() + consult.cardLifetimeSeconds * 1000) };
}
