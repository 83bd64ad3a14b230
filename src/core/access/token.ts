// Link tokens: the opaque value in a card's View link. Only its hash is
// stored, so a token is "unknown" when no row has the hash of what was shown.
import type { LinkTokenFacts } from './types.js';

/** A token must be unguessable: below this it could be found by trying. */
export const MIN_TOKEN_ENTROPY_BITS = 128;
/** What Loupe generates: 32 random bytes. */
export const LINK_TOKEN_BYTES = 32;
export const LINK_TOKEN_ENTROPY_BITS = LINK_TOKEN_BYTES * 8;

export type TokenState = 'valid' | 'expired' | 'revoked' | 'unknown';

/** Random bytes to draw for a token of `bits` entropy, refusing anything weaker than the minimum. */
export function tokenBytesFor(bits: number = LINK_TOKEN_ENTROPY_BITS): number {
  if (!Number.isInteger(bits) || bits < MIN_TOKEN_ENTROPY_BITS) {
    throw new RangeError(`a link token needs at least ${MIN_TOKEN_ENTROPY_BITS} bits of entropy`);
  }
  return Math.ceil(bits / 8);
}

/**
 * A token revoked while it was still valid stays "revoked" (someone withdrew
 * it, 403); one revoked only after it had expired, as the card-expiry sweep
 * does, is "expired" (the link simply ran out, 410).
 */
export function tokenState(token: Pick<LinkTokenFacts, 'expiresAt' | 'revokedAt'> | null | undefined, now: Date): TokenState {
  if (!token) return 'unknown';
  const expires = token.expiresAt.getTime();
  if (token.revokedAt !== null && token.revokedAt.getTime() < expires) return 'revoked';
  if (now.getTime() >= expires) return 'expired';
  // Revoked "after" an expiry that has not come yet: still revoked, deny by default.
  if (token.revokedAt !== null) return 'revoked';
  return 'valid';
}
