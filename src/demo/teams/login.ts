// Entra ID's token endpoint and the Bot Framework's OpenID metadata. The
// token endpoint grants client credentials only, for exactly two resources:
// the Bot Connector and Graph (this stand-in's, or Graph's real name).
import { X509Certificate } from 'node:crypto';
import { importX509, jwtVerify } from 'jose';
import { BOT_CONNECTOR_RESOURCE, BOT_FRAMEWORK_ISSUER, GRAPH_RESOURCE } from './keys.js';
import { route, send, type Route } from './http.js';
import type { TeamsState } from './state.js';

export function graphResources(state: TeamsState): string[] {
  return [state.origins.graph, GRAPH_RESOURCE];
}

function resourceOf(state: TeamsState, scope: string | null): string | undefined {
  const resource = scope?.endsWith('/.default') ? scope.slice(0, -'/.default'.length) : undefined;
  if (resource === BOT_CONNECTOR_RESOURCE) return resource;
  return resource !== undefined && graphResources(state).includes(resource) ? resource : undefined;
}

/** A client assertion (RFC 7523) signed by the registered certificate's key, naming it by thumbprint, for this app and this endpoint. */
async function assertionValid(state: TeamsState, form: URLSearchParams, tokenUrl: string): Promise<boolean> {
  const pem = state.o.certificate;
  if (!pem || form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return false;
  const x5t = Buffer.from(new X509Certificate(pem).fingerprint.replace(/:/g, ''), 'hex').toString('base64url');
  try {
    const { payload, protectedHeader } = await jwtVerify(form.get('client_assertion') ?? '', await importX509(pem, 'RS256'), { issuer: state.o.appId, subject: state.o.appId, audience: tokenUrl });
    return protectedHeader.x5t === x5t && typeof payload.exp === 'number';
  } catch {
    return false;
  }
}

export function loginRoutes(state: TeamsState): Route[] {
  return [
    route('POST', '/:tenant/oauth2/v2.0/token', async ({ res, params, body }) => {
      const form = new URLSearchParams(body);
      if (params['tenant'] !== state.o.tenantId) {
        return send(res, 400, { error: 'invalid_request', error_description: 'AADSTS90002: Tenant not found.' });
      }
      if (form.get('grant_type') !== 'client_credentials') {
        return send(res, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: only client_credentials is supported here.' });
      }
      const proven = form.has('client_assertion') ? await assertionValid(state, form, `${state.origins.login}/${params['tenant']}/oauth2/v2.0/token`) : form.get('client_secret') === state.o.clientSecret;
      if (form.get('client_id') !== state.o.appId || !proven) {
        return send(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      }
      const resource = resourceOf(state, form.get('scope'));
      if (!resource) return send(res, 400, { error: 'invalid_scope', error_description: 'AADSTS1002012: The provided value for scope is not valid.' });
      send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: await state.keys.accessToken(resource) });
    }),
    route('GET', '/v1/.well-known/openidconfiguration', ({ res }) =>
      send(res, 200, {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: `${state.origins.login}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      }),
    ),
    route('GET', '/v1/.well-known/keys', async ({ res }) => send(res, 200, await state.keys.jwks())),
  ];
}
