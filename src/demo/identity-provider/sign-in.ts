// What a submitted sign-in form proves. Pure: the people and the code come in.
import { createHash, timingSafeEqual } from 'node:crypto';
import { authenticationOf, type Authentication } from './acr.js';
import type { DemoPerson } from './types.js';

export interface Submission {
  email: string;
  password: string;
  otp: string;
}

export type SignInOutcome =
  | { ok: true; person: DemoPerson; authentication: Authentication }
  | { ok: false; error: string };

export const WRONG_CREDENTIALS = 'The email or password is not correct.';
export const WRONG_CODE = 'The one-time code is not correct.';
export const NO_SECOND_FACTOR = 'This account has no second factor: leave the one-time code empty.';
export const CODE_NEEDED = 'Enter the one-time code from your authenticator.';

/** Compares without leaking, through timing, how much of a secret matched. */
function same(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findPersonByEmail(people: readonly DemoPerson[], email: string): DemoPerson | undefined {
  const wanted = normaliseEmail(email);
  return people.find((p) => normaliseEmail(p.email) === wanted);
}

/**
 * A person with a second factor who is asked for it must give it; one who
 * has none still signs in, with the password-only class, and the client
 * decides whether that is enough.
 */
export function checkSignIn(people: readonly DemoPerson[], oneTimeCode: string, s: Submission, mfaRequested: boolean): SignInOutcome {
  const person = findPersonByEmail(people, s.email);
  // The password is compared even for an unknown email, so both take as long.
  const passwordOk = same(s.password, person?.password ?? '\u0000unknown person');
  if (!person || !passwordOk) return { ok: false, error: WRONG_CREDENTIALS };
  const otp = s.otp.replace(/\s+/g, '');
  if (otp) {
    if (!person.hasSecondFactor) return { ok: false, error: NO_SECOND_FACTOR };
    if (!same(otp, oneTimeCode)) return { ok: false, error: WRONG_CODE };
    return { ok: true, person, authentication: authenticationOf(true) };
  }
  if (mfaRequested && person.hasSecondFactor) return { ok: false, error: CODE_NEEDED };
  return { ok: true, person, authentication: authenticationOf(false) };
}
