// Checks made before the SDK sees a request: where an activity says its
// Bot Connector is, and which issuer its token names (the SDK would also try
// emulator and skill tokens from other issuers; Loupe takes only Teams').
import { decodeJwt } from 'jose';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An https URL on an allowed host (plain http only on this machine, for the local stand-in). */
export function isServiceUrlAllowed(url: string, hosts: string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
  return secure && !parsed.username && !parsed.password && hosts.includes(parsed.host.toLowerCase());
}

/** The `iss` a bearer token claims, unverified: only to choose whether to verify it at all. */
export function unverifiedIssuer(authorization: string): string | undefined {
  try {
    const iss = decodeJwt(authorization.replace(/^Bearer /, '')).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
