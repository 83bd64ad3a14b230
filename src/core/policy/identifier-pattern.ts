// Whether an identifier pattern (an admin's regular expression) is one the
// server can run, and run safely. Pure; its own module because both the
// policy and its commands need it.
import safeRegex from 'safe-regex2';

export const PATTERN_MAX_LENGTH = 200;

/**
 * An invalid pattern would find nothing and hide the mistake; one with nested
 * repetition (`(\d+)+`) can take exponential time on a message crafted for
 * it, stalling Loupe for every workspace (safe-regex2 measures that star height).
 */
export function validIdentifierPattern(v: string): boolean {
  if (v.length > PATTERN_MAX_LENGTH) return false;
  try {
    new RegExp(v, 'u');
  } catch {
    return false;
  }
  return safeRegex(v);
}
