import type { IncomingMessage, ServerResponse } from 'node:http';

export interface DemoPerson {
  /** Stable subject identifier. */
  sub: string;
  email: string;
  name: string;
  /** The password the sign-in form accepts for this person (demo only). */
  password: string;
  /** Whether this person has a second factor (a one-time code, below). */
  hasSecondFactor: boolean;
  /** Their Entra object id (`oid`), as Entra ID gives it, when they have a Teams account. */
  objectId?: string;
  /** The Entra tenant (`tid`) their object id belongs to. */
  tenantId?: string;
  /** Groups the directory puts them in (the `groups` claim, as Entra ID and Keycloak give it). */
  groups?: string[];
}

export interface DemoClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /**
   * How the client authenticates at the token endpoint. A client is registered
   * with exactly one method (RFC 7591); default 'client_secret_basic'.
   */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}

export interface Lifetimes {
  /** ID tokens (and the access token beside them). Default 600. */
  idTokenSeconds?: number;
  /** The sign-in session at the provider. Default 8 hours. */
  sessionSeconds?: number;
  /** A sign-in in progress (the form). Default 10 minutes. */
  interactionSeconds?: number;
}

export interface IdentityProviderOptions {
  /** The issuer URL, e.g. 'http://127.0.0.1:4010' or 'http://localhost:3000/demo/idp' (may include a path). */
  issuer: string;
  clients: DemoClient[];
  people: DemoPerson[];
  /** The one-time code the sign-in form accepts as second factor (demo only). Default '123456'. */
  oneTimeCode?: string;
  /** For tests: how long ID tokens, sessions and sign-ins live; defaults sensible. */
  lifetimes?: Lifetimes;
  /** Trust X-Forwarded-Proto/-Host, as behind a TLS-terminating reverse proxy. Default false. */
  trustProxy?: boolean;
  /** Told about unexpected (server) errors; the provider itself logs nothing. */
  onError?: (error: unknown) => void;
}

export interface IdentityProvider {
  /**
   * A Node request listener serving the whole provider under the issuer's
   * path: mount it at that path in express (`app.use('/demo/idp', ip.handler)`)
   * or give it to a plain http server.
   */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  issuer: string;
}

export type StartOptions = Omit<IdentityProviderOptions, 'issuer'> & { host?: string; port?: number; path?: string };

export interface RunningIdentityProvider {
  issuer: string;
  close(): Promise<void>;
}
