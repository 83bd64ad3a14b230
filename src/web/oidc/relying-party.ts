// Loupe as an OpenID Connect relying party (openid-client): authorization
// code flow with PKCE, state and nonce, against any provider found by
// discovery. Asks for multi-factor sign-in with acr_values when a policy
// requires it (the caller checks what the ID token says was done), and for a
// fresh sign-in (prompt=login) when someone means to sign in as another person.
import * as oidc from 'openid-client';
import type { OidcConfig } from '../../config.js';
import { sessionUsedMfa } from '../../core/access/mfa.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';

export interface LoginRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface SignedIn {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string;
  acr: string | undefined;
  amr: string[];
  /** The configured identity claim's value, when it is not the email. */
  claim: string | undefined;
  /** The Entra object id (`oid`), when the provider gives one: how Teams users are matched. */
  objectId: string | undefined;
  /** The Entra tenant (`tid`) the object id belongs to, when the provider says. */
  tenantId: string | undefined;
  /** The groups or roles in the configured claim (what makes a privacy officer); none when the provider gives none. */
  groups: string[];
}

/** A groups or roles claim: a list of names (Entra, Keycloak), or one name; anything else gives none. */
function groupsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 256).slice(0, 500);
}

export class RelyingParty {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(private readonly o: OidcConfig) {}

  get issuer(): string {
    return this.o.issuer.href;
  }

  private configuration(): Promise<oidc.Configuration> {
    // Discovered once, on first use; a failure is retried at the next sign-in.
    this.discovered ??= oidc
      .discovery(this.o.issuer, this.o.clientId, undefined, oidc.ClientSecretBasic(this.o.clientSecret), this.o.issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {})
      .catch((cause: unknown) => {
        this.discovered = undefined;
        throw new LoupeError(ErrorCode.OidcUnavailable, 'the hospital sign-in service could not be reached', { cause });
      });
    return this.discovered;
  }

  /** `fresh`: the provider asks for a sign-in even over its own session (prompt=login), so someone else may sign in. */
  async login(requireMfa: boolean, fresh = false): Promise<LoginRequest> {
    const config = await this.configuration();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.o.redirectUri.href,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(requireMfa ? { acr_values: this.o.mfaAcr } : {}),
      ...(fresh ? { prompt: 'login' } : {}),
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Checks the callback (state, PKCE, nonce, ID token signature and audience) and returns who signed in. */
  async callback(currentUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<SignedIn> {
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
    } catch (cause) {
      throw new LoupeError(ErrorCode.OidcFailed, 'the sign-in could not be completed', { cause });
    }
    const idToken = tokens.claims();
    if (!idToken) throw new LoupeError(ErrorCode.OidcFailed, 'the sign-in returned no ID token');
    // OpenID Connect Core 5.4: with an access token issued, a provider may give
    // the scope's claims (email, name) only at UserInfo, and oidc-provider does by default.
    const needUserInfo = idToken[this.o.identityClaim] === undefined || idToken[this.o.groupsClaim] === undefined;
    const claims = needUserInfo ? { ...(await this.userInfo(config, tokens.access_token, idToken.sub)), ...idToken } : idToken;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      issuer: idToken.iss,
      subject: idToken.sub,
      email: str(claims['email']),
      emailVerified: claims['email_verified'] === true,
      name: str(claims['name']) ?? str(claims['email']) ?? idToken.sub,
      acr: str(idToken.acr),
      amr: Array.isArray(idToken.amr) ? idToken.amr.filter((a): a is string => typeof a === 'string') : [],
      claim: this.o.identityClaim === 'email' ? undefined : str(claims[this.o.identityClaim]),
      objectId: str(claims['oid'])?.toLowerCase(),
      tenantId: str(claims['tid'])?.toLowerCase(),
      groups: groupsOf(claims[this.o.groupsClaim]),
    };
  }

  /** The UserInfo claims, only if they are about the person the ID token names. */
  private async userInfo(config: oidc.Configuration, accessToken: string, subject: string): Promise<oidc.UserInfoResponse> {
    try {
      return await oidc.fetchUserInfo(config, accessToken, subject);
    } catch (cause) {
      // fetchUserInfo compares one attribute, sub: another person's answer.
      if ((cause as { code?: unknown }).code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
        throw new LoupeError(ErrorCode.OidcSubjectMismatch, 'the provider described another person than the one who signed in', { cause });
      }
      throw new LoupeError(ErrorCode.OidcFailed, 'the sign-in could not read who signed in', { cause });
    }
  }

  /** The provider's end-session URL, when it has one, returning to Loupe afterwards. */
  async endSessionUrl(): Promise<URL | undefined> {
    const config = await this.configuration().catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(config, { client_id: this.o.clientId, post_logout_redirect_uri: this.o.postLogoutRedirectUri.href });
  }

  /** Whether the ID token shows the multi-factor sign-in the policy asks for. */
  isMultiFactor(who: Pick<SignedIn, 'acr' | 'amr'>): boolean {
    return sessionUsedMfa(who, [this.o.mfaAcr]);
  }
}
