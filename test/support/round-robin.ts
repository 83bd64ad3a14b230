// A load balancer on loopback in front of several Loupe instances: each HTTP
// request goes to the next instance in turn, with no stickiness, as an
// ingress balancing requests (not connections) would. Whatever one instance
// started (a sign-in, a viewer session, a job), the next request may land on
// another. It counts what each instance served.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  url: string;
  /** Per instance (in the order given), the paths of the requests it served. */
  served: string[][];
  close(): Promise<void>;
}

export async function startRoundRobin(upstreams: () => number[]): Promise<RoundRobin> {
  let next = 0;
  const served: string[][] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const ports = upstreams();
    const index = next++ % ports.length;
    (served[index] ??= []).push(req.url ?? '');
    const upstream = request(
      { host: '127.0.0.1', port: ports[index], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
