// A patient's access link: how long it may live, when it still opens, and
// when the one session its code opened may still be used. Pure and deny by
// default: anything not known to be live is refused, with a reason the audit
// trail keeps.

/** A link's lifetime unless the issuer chooses one, and the longest they may. */
export const DEFAULT_LINK_DAYS = 7;
export const MAX_LINK_DAYS = 30;
/** Wrong codes a link takes before it locks for good. */
export const MAX_WRONG_CODES = 5;
/** The patient session the code opens: locked after this long unused, and ended after this long in any case (never past the link's expiry). */
export const PATIENT_IDLE_SECONDS = 15 * 60;
export const PATIENT_SESSION_SECONDS = 60 * 60;
/** Digits in the one-time code. */
export const CODE_DIGITS = 8;

export interface PatientLinkFacts {
  expiresAt: Date;
  revokedAt: Date | null;
  lockedAt: Date | null;
  codeUsedAt: Date | null;
}

export interface PatientSessionFacts extends PatientLinkFacts {
  sessionSeenAt: Date | null;
  sessionEndsAt: Date | null;
}

export type LinkRefusal = 'revoked' | 'expired' | 'locked' | 'code_used';
export type SessionRefusal = Exclude<LinkRefusal, 'code_used'> | 'session_idle' | 'session_ended';

export type LinkDecision = { open: true } | { open: false; reason: LinkRefusal };
export type SessionDecision = { open: true } | { open: false; reason: SessionRefusal };

/** Whether the code may be tried on this link: live, not locked, its code not used yet. */
export function mayEnterCode(link: PatientLinkFacts, now: Date): LinkDecision {
  const closed = linkClosed(link, now);
  if (closed) return { open: false, reason: closed };
  if (link.codeUsedAt !== null) return { open: false, reason: 'code_used' };
  return { open: true };
}

/** Whether the session the code opened may be used for this request. */
export function maySessionContinue(s: PatientSessionFacts, now: Date): SessionDecision {
  const closed = linkClosed(s, now);
  if (closed) return { open: false, reason: closed };
  if (s.sessionSeenAt === null || s.sessionEndsAt === null) return { open: false, reason: 'session_ended' };
  if (now >= s.sessionEndsAt) return { open: false, reason: 'session_ended' };
  if (now.getTime() - s.sessionSeenAt.getTime() >= PATIENT_IDLE_SECONDS * 1000) return { open: false, reason: 'session_idle' };
  return { open: true };
}

function linkClosed(link: PatientLinkFacts, now: Date): Exclude<LinkRefusal, 'code_used'> | undefined {
  if (link.revokedAt !== null) return 'revoked';
  if (now >= link.expiresAt) return 'expired';
  if (link.lockedAt !== null) return 'locked';
  return undefined;
}

/** When the session a code opens now ends: an hour, or the link's expiry if sooner. */
export function sessionEnd(now: Date, linkExpiresAt: Date): Date {
  return new Date(Math.min(now.getTime() + PATIENT_SESSION_SECONDS * 1000, linkExpiresAt.getTime()));
}

/** A lifetime as the form gives it: whole days from 1 to the maximum; empty is the default. */
export function parseLifetimeDays(raw: string): number | undefined {
  const t = raw.trim();
  if (t === '') return DEFAULT_LINK_DAYS;
  if (!/^\d{1,2}$/.test(t)) return undefined;
  const days = Number(t);
  return days >= 1 && days <= MAX_LINK_DAYS ? days : undefined;
}

/** A code as typed: its digits, spaces and dashes dropped; anything else is no code. */
export function normaliseCode(raw: string): string | undefined {
  const digits = raw.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${CODE_DIGITS}}$`).test(digits) ? digits : undefined;
}

/** What a link's row says, for the console's list. */
export type LinkState = 'active' | 'in use' | 'used' | 'revoked' | 'expired' | 'locked';

export function linkState(s: PatientSessionFacts, now: Date): LinkState {
  const closed = linkClosed(s, now);
  if (closed) return closed;
  if (s.codeUsedAt === null) return 'active';
  return maySessionContinue(s, now).open ? 'in use' : 'used';
}
