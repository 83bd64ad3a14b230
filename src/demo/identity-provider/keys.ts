// Keys live only as long as the process: signing keys for ID tokens (RS256
// for clients that keep the default, ES256 beside it) and the cookie-signing key.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { JWK, JWKS } from 'oidc-provider';

function privateJwk(type: 'rsa' | 'ec', alg: string): JWK {
  const { privateKey } = type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: randomUUID(), alg, use: 'sig' };
}

export function generateSigningKeys(): JWKS {
  return { keys: [privateJwk('rsa', 'RS256'), privateJwk('ec', 'ES256')] };
}

export function generateCookieKeys(): string[] {
  return [randomBytes(32).toString('base64url')];
}
