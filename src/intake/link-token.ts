// A card's View link carries an opaque token of 256 random bits, stored only
// as a hash and bound to that one card: the database alone cannot open a
// link, and a link opens nothing by itself (the viewer still needs sign-in).
import { createHash, randomBytes } from 'node:crypto';
import { LINK_TOKEN_BYTES } from '../core/access/token.js';
import type { Tx } from '../storage/transaction.js';

/** A token's stored hash, under a label of its kind: a card's link, a teaching share's, a patient's link or session never hash alike. */
export function labelledTokenHash(label: string, token: string): string {
  return createHash('sha256').update(`${label}\0${token}`).digest('hex');
}

/** A new opaque token of LINK_TOKEN_BYTES random bytes, URL-safe. */
export function newLinkToken(): string {
  return randomBytes(LINK_TOKEN_BYTES).toString('base64url');
}

export function hashLinkToken(token: string): string {
  return labelledTokenHash('loupe-link/1', token);
}

/**
 * A new token for the card; earlier ones stop working (a redrawn card carries
 * only the new one), unless `keepEarlier`: one user's own view of a card
 * (Teams' per-user refresh) must not break everyone else's link.
 */
export async function issueLinkToken(tx: Tx, cardId: string, expiresAt: Date, now: Date, keepEarlier = false): Promise<string> {
  const token = newLinkToken();
  if (!keepEarlier) await tx.linkToken.updateMany({ where: { cardId, revokedAt: null }, data: { revokedAt: now } });
  await tx.linkToken.create({ data: { cardId, tokenHash: hashLinkToken(token), expiresAt } });
  return token;
}
