// The provider as one Node request listener, served under the issuer's path
// whether express mounted it there or a plain http server hands it every request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildConfiguration } from './configuration.js';
import { interactionRoutes } from './interactions.js';
import { Provider } from './load-provider.js';
import { DEFAULT_ONE_TIME_CODE } from './people.js';
import type { IdentityProvider, IdentityProviderOptions } from './types.js';

type Request = IncomingMessage & { originalUrl?: string };

/** The part of `url` under `base` ('/auth?x' for '/demo/idp/auth?x'), or undefined if outside it. */
export function underBase(url: string, base: string): string | undefined {
  if (!base) return url;
  if (url === base) return '/';
  if (url.startsWith(`${base}/`)) return url.slice(base.length);
  if (url.startsWith(`${base}?`)) return `/${url.slice(base.length)}`;
  return undefined;
}

export function createIdentityProvider(o: IdentityProviderOptions): IdentityProvider {
  const issuer = o.issuer.replace(/\/+$/, '');
  const basePath = new URL(issuer).pathname.replace(/\/+$/, '');
  const onError = o.onError ?? (() => {});
  const provider = new Provider(issuer, buildConfiguration({ clients: o.clients, people: o.people, lifetimes: o.lifetimes, basePath }));
  provider.proxy = o.trustProxy ?? false;
  provider.use(interactionRoutes({ provider, people: o.people, oneTimeCode: o.oneTimeCode ?? DEFAULT_ONE_TIME_CODE, basePath, onError }));
  // oidc-provider reports its own server errors as events; anything else reaches Koa, whose default prints it.
  provider.on('server_error', (_ctx, error) => onError(error));
  (provider as unknown as NodeJS.EventEmitter).on('error', (error: { status?: number; expose?: boolean }) => {
    if (!error.expose) onError(error);
  });
  const callback = provider.callback();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const r = req as Request;
    // express sets originalUrl and strips its mount path from url; a plain server gives the full path.
    const full = r.originalUrl ?? r.url ?? '/';
    const rest = underBase(full, basePath);
    if (rest === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    r.originalUrl = full;
    r.url = rest;
    void callback(req, res);
  };
  return { handler, issuer };
}
