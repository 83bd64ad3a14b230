// Opening a teaching share's link: any signed-in hospital user (a viewer
// session; no chat account needed, since the copy is de-identified), while
// the share is neither expired nor revoked, its image not shredded, and the
// patient's consent still covers education: checked again on every request,
// so a withdrawal ends the link at once. Each request, allowed or refused, is
// an audit event. Gives only the de-identified copy's picture, never the
// original, the patient or the consult.
import type { Readable } from 'node:stream';
import { AuditAction } from '../../core/audit/event.js';
import type { ViewerSessions } from '../../storage/viewer-sessions.js';
import { educationConsent, hashTeachingToken, type TeachingDeps } from './teaching-deps.js';

export type TeachingViewRequest = 'page' | 'image';

export interface OpenTeachingShareOptions {
  token: string;
  sessionToken: string | undefined;
  request: TeachingViewRequest;
}

export type TeachingViewRefusal = 'share_expired' | 'share_revoked' | 'asset_gone' | 'consent_missing' | 'consent_refused';

export type OpenTeachingShareResult =
  | { outcome: 'sign_in' }
  | { outcome: 'unknown' }
  | { outcome: 'refused'; reason: TeachingViewRefusal }
  /** `image` only when the image was asked for; `who`, the session's display name, for the page's header. */
  | { outcome: 'allowed'; expiresAt: Date; image: { mediaType: string; body: Readable } | undefined; who: string };

export async function openTeachingShare(deps: TeachingDeps & { sessions: ViewerSessions }, o: OpenTeachingShareOptions): Promise<OpenTeachingShareResult> {
  const session = await deps.sessions.resolve(o.sessionToken);
  if (session.state !== 'active') return { outcome: 'sign_in' };
  const share = await deps.db.prisma.teachingShare.findUnique({ where: { tokenHash: hashTeachingToken(o.token) } });
  if (!share) return { outcome: 'unknown' };
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: share.assetId }, select: { id: true, kind: true, status: true, patientId: true } });
  const now = deps.clock.now();
  const actor = { type: 'user' as const, id: session.identity.subject };
  const event = { actor, action: AuditAction.TeachingShareViewed, workspaceId: share.workspaceId, assetId: asset.id, patientId: asset.patientId, details: { shareId: share.id, purpose: 'education', request: o.request, session: session.id } };
  const refuse = async (reason: TeachingViewRefusal): Promise<OpenTeachingShareResult> => {
    await deps.audit.record({ ...event, outcome: 'denied', reason });
    return { outcome: 'refused', reason };
  };
  if (asset.status === 'shredded' || asset.status === 'revoked' || !asset.kind || !asset.patientId) return refuse('asset_gone');
  if (share.revokedAt) return refuse('share_revoked');
  if (now >= share.expiresAt) return refuse('share_expired');
  const consent = await educationConsent(deps.db, asset.patientId, asset.kind, now);
  if (!consent.ok) return refuse(consent.reason);
  // A DICOM copy is shown by its rendered frame; a photo's copy is the picture itself.
  const blobs = await deps.db.prisma.blob.findMany({ where: { assetId: asset.id, kind: { in: ['teaching', 'teaching_display'] }, part: 0 } });
  const shown = blobs.find((b) => b.kind === 'teaching_display') ?? blobs.find((b) => b.kind === 'teaching');
  if (!shown) return refuse('asset_gone');
  await deps.audit.record({ ...event, outcome: 'success', details: { ...event.details, consentId: consent.consentId } });
  const image = o.request === 'image' ? { mediaType: shown.mediaType, body: await deps.blobs.open(shown.id, actor) } : undefined;
  return { outcome: 'allowed', expiresAt: share.expiresAt, image, who: session.identity.displayName };
}
