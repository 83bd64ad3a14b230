// A patient's access link carries a token of 256 random bits, stored only as
// a hash (like a card's View link); the one-time code given to the patient by
// another channel is 8 digits, stored only as an HMAC under the workspace's
// secret (a key the database alone cannot unwrap). Eight digits are too few
// for any hash to resist guessing offline, scrypt included, so the defence is
// the key (a copy of the database cannot test codes) and the five tries the
// link allows online. The session the code opens is another random token,
// stored only as a hash.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { CODE_DIGITS } from '../../core/patient-access/rules.js';
import { labelledTokenHash, newLinkToken } from '../../intake/link-token.js';

export const newPatientToken = newLinkToken;

export function hashPatientLinkToken(token: string): string {
  return labelledTokenHash('loupe-patient-link/1', token);
}

export function hashPatientSessionToken(token: string): string {
  return labelledTokenHash('loupe-patient-session/1', token);
}

export function newPatientCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

/** The code's keyed hash, bound to its link: the same code on another link hashes differently. */
export function patientCodeHash(workspaceSecret: Buffer, linkId: string, code: string): string {
  return createHmac('sha256', workspaceSecret).update(`loupe-patient-code/1\0${linkId}\0${code}`).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Tokens as Loupe writes them: anything else is not looked up. */
export const PATIENT_TOKEN = /^[A-Za-z0-9_-]{43}$/;
