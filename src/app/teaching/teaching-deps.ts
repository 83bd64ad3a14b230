// What the teaching share use cases share: their dependencies, the link's
// token (256 random bits, only its hash stored, as for a card's View link,
// under a label of its own so neither kind of token opens the other), and
// the consent question every creation and every view asks again.
import { labelledTokenHash, newLinkToken } from '../../intake/link-token.js';
import { consentFor, dataKindOf } from '../../core/access/consent.js';
import type { AssetKind } from '../../core/access/types.js';
import type { Clock } from '../../core/clock.js';
import type { ImagingLimits } from '../../imaging/limits.js';
import type { ImagingSandbox } from '../../imaging/sandbox/sandbox.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { Database } from '../../storage/database.js';
import type { EncryptedBlobs } from '../../storage/encrypted-blobs.js';

export interface TeachingDeps {
  db: Database;
  audit: AuditLog;
  clock: Clock;
  blobs: EncryptedBlobs;
  /** Where the copy is made: untrusted bytes never decode on the server's event loop. */
  sandbox: ImagingSandbox;
  limits: ImagingLimits;
  /** How long a new share's link lasts. */
  lifetimeDays: number;
  /** The share's link, from its token. */
  teachUrl: (token: string) => string;
}

export const TEACHING_PATH = '/teach/';

export function hashTeachingToken(token: string): string {
  return labelledTokenHash('loupe-teaching/1', token);
}

export const newTeachingToken = newLinkToken;

/** Whether the patient's consents, now, let their image of this kind be used for education within the institution. */
export async function educationConsent(db: Database, patientId: string, kind: AssetKind, now: Date) {
  const consents = await db.prisma.consent.findMany({ where: { patientId } });
  // Education is never implied: whatever the channel's rule, only a live permit counts.
  return consentFor(consents, { kind: dataKindOf(kind), purpose: 'education', party: 'institution', rule: 'always_required' }, now);
}
