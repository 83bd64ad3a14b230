// Link tokens are stored only as hashes: the database alone cannot open a card's link.
import { createHash } from 'node:crypto';

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(`loupe-link/1\0${token}`).digest('hex');
}
