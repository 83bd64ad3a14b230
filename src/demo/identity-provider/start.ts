// The provider in its own http server, for tests and for running it alone.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdentityProvider } from './create.js';
import type { RunningIdentityProvider, StartOptions } from './types.js';

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startIdentityProvider(o: StartOptions): Promise<RunningIdentityProvider> {
  const { host = '127.0.0.1', port = 0, path = '', ...rest } = o;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  const base = path ? `/${path.replace(/^\/+|\/+$/g, '')}` : '';
  const issuer = `http://${hostForUrl(host)}:${actualPort}${base}`;
  ({ handler } = createIdentityProvider({ ...rest, issuer }));
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
