// oidc-provider's configuration for the demo hospital: authorization code
// flow with PKCE only, the openid/email/profile scopes, two authentication
// context classes, RP-initiated logout, and nothing else switched on.
import type { ClientMetadata, Configuration, Grant, KoaContextWithOIDC } from 'oidc-provider';
import { ACR_MFA, ACR_VALUES, requestsMfa } from './acr.js';
import { generateCookieKeys, generateSigningKeys } from './keys.js';
import { interactionPolicy } from './load-provider.js';
import { interactionPath } from './interactions.js';
import { createMemoryAdapter } from './memory-adapter.js';
import { logoutSource, postLogoutSuccessSource, renderError } from './provider-pages.js';
import type { DemoClient, DemoPerson, Lifetimes } from './types.js';

export const SCOPES = ['openid', 'email', 'profile'] as const;

const DEFAULT_LIFETIMES: Required<Lifetimes> = { idTokenSeconds: 600, sessionSeconds: 8 * 60 * 60, interactionSeconds: 10 * 60 };

export interface ConfigurationDeps {
  clients: readonly DemoClient[];
  people: readonly DemoPerson[];
  lifetimes: Lifetimes | undefined;
  basePath: string;
}

function clientMetadata(c: DemoClient): ClientMetadata {
  return {
    client_id: c.clientId,
    client_secret: c.clientSecret,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_basic',
  };
}

/**
 * acr_values are voluntary, so an existing password-only session would
 * otherwise satisfy a request for the second factor: ask again (a step-up)
 * when the person has one to give.
 */
function stepUpPolicy(people: readonly DemoPerson[]): ReturnType<typeof interactionPolicy.base> {
  const { Check, base } = interactionPolicy;
  const policy = base();
  policy.get('login')?.checks.add(new Check('acr_step_up', 'a second factor is required', 'login_required', (ctx) => {
    const { session, params, result } = ctx.oidc;
    if (!requestsMfa(params?.['acr_values']) || !session?.accountId || session.acr === ACR_MFA || result?.['login']) {
      return Check.NO_NEED_TO_PROMPT;
    }
    const person = people.find((p) => p.sub === session.accountId);
    return person?.hasSecondFactor ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  }));
  return policy;
}

/** First-party clients: a signed-in person's grant covers the scopes without a consent page. */
async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { client, session, result, provider } = ctx.oidc;
  const accountId = session?.accountId;
  if (!client || !accountId) return undefined;
  const consent = result?.['consent'] as { grantId?: string } | undefined;
  const grantId = consent?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId ? await provider.Grant.find(grantId) : undefined;
  if (existing && existing.accountId === accountId && existing.clientId === client.clientId) return existing;
  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  grant.addOIDCScope(SCOPES.join(' '));
  await grant.save();
  return grant;
}

export function buildConfiguration(d: ConfigurationDeps): Configuration {
  const ttl = { ...DEFAULT_LIFETIMES, ...d.lifetimes };
  const peopleBySub = new Map(d.people.map((p) => [p.sub, p]));
  return {
    adapter: createMemoryAdapter(),
    jwks: generateSigningKeys(),
    cookies: {
      keys: generateCookieKeys(),
      // Only the provider reads its session cookie: keep it off the rest of a host it is mounted in.
      long: { signed: true, httpOnly: true, sameSite: 'lax', path: d.basePath || '/' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    clients: d.clients.map(clientMetadata),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: [...SCOPES],
    // oidc-provider's default claim settings, as a hospital's provider would
    // have them: the ID token names the person (sub, and acr when asked for)
    // and the scopes' claims come from UserInfo (conformIdTokenClaims, OpenID
    // Connect Core 5.4). Only the standard scopes' claims are added, and
    // Entra ID's object id (`oid`), tenant (`tid`) and `groups` with profile, as Entra gives them.
    claims: {
      acr: null,
      sid: null,
      auth_time: null,
      iss: null,
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'oid', 'tid', 'groups'],
    },
    acrValues: [...ACR_VALUES],
    async findAccount(_ctx, sub) {
      const person = peopleBySub.get(sub);
      if (!person) return undefined;
      return {
        accountId: person.sub,
        claims: () => ({
          sub: person.sub,
          email: person.email,
          email_verified: true,
          name: person.name,
          ...(person.objectId ? { oid: person.objectId, tid: person.tenantId } : {}),
          ...(person.groups ? { groups: person.groups } : {}),
        }),
      };
    },
    interactions: {
      policy: stepUpPolicy(d.people),
      url: (_ctx, interaction) => interactionPath(d.basePath, interaction.uid),
    },
    loadExistingGrant,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      userinfo: { enabled: true },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      registration: { enabled: false },
    },
    clientBasedCORS: () => false,
    renderError,
    ttl: {
      AuthorizationCode: 60,
      AccessToken: ttl.idTokenSeconds,
      IdToken: ttl.idTokenSeconds,
      Interaction: ttl.interactionSeconds,
      Session: ttl.sessionSeconds,
      Grant: ttl.sessionSeconds,
    },
  };
}
