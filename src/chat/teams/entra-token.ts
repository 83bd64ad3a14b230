// App tokens from Entra ID by OAuth client credentials: one for the Bot
// Connector, one for Microsoft Graph. The authority comes from configuration
// (Entra's by default; a sovereign cloud's, or the local stand-in's), which
// MSAL would refuse for anything but known https authorities. A certificate,
// when configured, signs a client assertion instead of sending a secret.
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT } from 'jose';
import type { TeamsConfig } from '../../config.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';

/** Refreshed this long before it expires, so no call carries a token about to lapse. */
const EARLY_MS = 5 * 60_000;

interface Held {
  token: Promise<string>;
  expiresAt: number;
}

type Assertion = () => Promise<Record<string, string>>;

function credentialOf(teams: TeamsConfig, tokenUrl: string): Assertion {
  if (teams.credential.kind === 'secret') {
    const secret = teams.credential.secret;
    return async () => ({ client_secret: secret });
  }
  // Read once at start-up: a missing or unusable file stops Loupe there, naming the variable.
  let pem: string;
  try {
    pem = readFileSync(teams.credential.file, 'utf8');
  } catch {
    throw new LoupeError(ErrorCode.ConfigInvalid, 'invalid configuration:\n  LOUPE_TEAMS_CERTIFICATE_FILE: the file cannot be read');
  }
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)?.[0];
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!keyPem || !certPem) throw new LoupeError(ErrorCode.ConfigInvalid, 'invalid configuration:\n  LOUPE_TEAMS_CERTIFICATE_FILE: expected a PEM certificate and its PKCS#8 private key');
  const x5t = Buffer.from(new X509Certificate(certPem).fingerprint.replace(/:/g, ''), 'hex').toString('base64url');
  const key = importPKCS8(keyPem, 'RS256');
  return async () => ({
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', x5t })
      .setIssuer(teams.appId)
      .setSubject(teams.appId)
      .setAudience(tokenUrl)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(await key),
  });
}

export class EntraTokens {
  private readonly held = new Map<string, Held>();
  private readonly tokenUrl: string;
  private readonly assertion: Assertion;

  constructor(
    private readonly teams: TeamsConfig,
    private readonly clock: Clock,
  ) {
    this.tokenUrl = new URL(`${teams.tenantId}/oauth2/v2.0/token`, teams.loginUrl.href.endsWith('/') ? teams.loginUrl : `${teams.loginUrl.href}/`).href;
    this.assertion = credentialOf(teams, this.tokenUrl);
  }

  /** A token for `scope` (…/.default), from the cache while it is fresh. */
  token(scope: string): Promise<string> {
    const now = this.clock.now().getTime();
    const held = this.held.get(scope);
    if (held && held.expiresAt > now + EARLY_MS) return held.token;
    const token = this.request(scope, now);
    // Until it answers, callers share the one request; a failure is not kept.
    this.held.set(scope, { token, expiresAt: Number.POSITIVE_INFINITY });
    token.catch(() => this.held.delete(scope));
    return token;
  }

  private async request(scope: string, now: number): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.teams.appId, scope, ...(await this.assertion()) });
    const response = await fetch(this.tokenUrl, { method: 'POST', body, redirect: 'error', signal: AbortSignal.timeout(15_000) });
    const answer = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!response.ok || typeof answer.access_token !== 'string') {
      // The error code only: Entra's descriptions can echo request details.
      throw new LoupeError(ErrorCode.TeamsAuthFailed, `Entra ID refused Loupe's app credentials (HTTP ${response.status}${typeof answer.error === 'string' ? `, ${answer.error}` : ''})`);
    }
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in * 1000 : 3_600_000;
    this.held.set(scope, { token: Promise.resolve(answer.access_token), expiresAt: now + lifetime });
    return answer.access_token;
  }
}
