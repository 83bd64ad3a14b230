// Two signers, as in Microsoft's cloud: the Bot Framework channel's key signs
// what Teams sends to the bot (published at the OpenID metadata's jwks_uri),
// and Entra ID's key signs the access tokens the bot gets by client
// credentials. Tokens are told apart by audience, so a test can prove that a
// Bot Connector token never reached Graph and the other way round.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { AuthKind } from './types.js';

type Key = CryptoKey | KeyObject;
interface KeyPair {
  kid: string;
  privateKey: Key;
  publicKey: Key;
}

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
export const BOT_CONNECTOR_RESOURCE = 'https://api.botframework.com';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const ACCESS_TOKEN_SECONDS = 3599;
const INBOUND_TOKEN_SECONDS = 300;

async function keyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid: randomUUID(), privateKey, publicKey };
}

export class TeamsKeys {
  private constructor(
    private readonly channel: KeyPair,
    private readonly entra: KeyPair,
    private readonly appId: string,
    private readonly tenantId: string,
  ) {}

  static async create(appId: string, tenantId: string, endorsements: string[] = ['msteams']): Promise<TeamsKeys> {
    const [channel, entra] = await Promise.all([keyPair(), keyPair()]);
    const keys = new TeamsKeys(channel, entra, appId, tenantId);
    keys.endorsements = endorsements;
    return keys;
  }

  /** The channels the signing key is endorsed for: Teams' ('msteams') unless a test says otherwise. */
  private endorsements: string[] = ['msteams'];

  /** The JWKS at the OpenID metadata's jwks_uri: the channel key, endorsed for Teams. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.channel.publicKey);
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.channel.kid, n: jwk.n, e: jwk.e, endorsements: this.endorsements } as JWK] };
  }

  /** What Teams sends with an activity; overrides forge the cases a bot must refuse. */
  async inboundToken(serviceUrl: string, o: { claims?: Record<string, unknown>; unknownKey?: boolean; algNone?: boolean } = {}): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const claims = { iss: BOT_FRAMEWORK_ISSUER, aud: this.appId, serviceurl: serviceUrl, iat, nbf: iat, exp: iat + INBOUND_TOKEN_SECONDS, ...o.claims };
    if (o.algNone) return new UnsecuredJWT(claims).encode();
    const key = o.unknownKey ? await keyPair() : this.channel;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
  }

  /** Whether a token is one the stand-in signed for the bot, for this serviceUrl, unaltered and current. */
  async isInbound(token: string, serviceUrl: string): Promise<boolean> {
    try {
      const { payload } = await jwtVerify(token, this.channel.publicKey, { issuer: BOT_FRAMEWORK_ISSUER, audience: this.appId });
      return payload['serviceurl'] === serviceUrl;
    } catch {
      return false;
    }
  }

  /** A client-credentials access token for one resource ('https://api.botframework.com' or a Graph origin). */
  async accessToken(resource: string): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ appid: this.appId, azp: this.appId, tid: this.tenantId, idtyp: 'app', roles: [] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.entra.kid })
      .setIssuer(`https://sts.windows.net/${this.tenantId}/`)
      .setAudience(resource)
      .setSubject(this.appId)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_SECONDS)
      .sign(this.entra.privateKey);
  }

  /** The kind of the bearer token in an Authorization header; graphResources are the audiences Graph accepts. */
  async classify(authorization: string | undefined, graphResources: readonly string[]): Promise<AuthKind> {
    if (!authorization) return 'none';
    const token = /^Bearer (\S+)$/i.exec(authorization)?.[1];
    if (!token) return 'invalid';
    try {
      const { payload } = await jwtVerify(token, this.entra.publicKey, {
        issuer: `https://sts.windows.net/${this.tenantId}/`,
        audience: [BOT_CONNECTOR_RESOURCE, ...graphResources],
        algorithms: ['RS256'],
      });
      if (payload['appid'] !== this.appId) return 'invalid';
      return payload.aud === BOT_CONNECTOR_RESOURCE ? 'bot_connector' : 'graph';
    } catch {
      return 'invalid';
    }
  }
}
