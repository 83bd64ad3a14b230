// A load balancer on loopback in front of several Loupe instances: each HTTP
// request goes to the next instance in turn, with no stickiness, as an
// ingress balancing requests (not connections) would. Whatever one instance
// started (a sign-in, a viewer session, a job), the next request may land on
// another. It counts what each instance served.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  url: string;
  /** Per upstream port, the paths of the requests it served, in order. */
  served: Map<number, string[]>;
  /** Sends the requests whose path `to` picks to the port it names instead of the next in turn (a test's way to make a step land elsewhere). */
  steer(to: ((path: string) => number | undefined) | undefined): void;
  close(): Promise<void>;
}

/** `upstreams`: the ports of the instances taking requests now. */
export async function startRoundRobin(upstreams: () => number[]): Promise<RoundRobin> {
  let next = 0;
  let steering: ((path: string) => number | undefined) | undefined;
  const served = new Map<number, string[]>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const ports = upstreams();
    const port = steering?.(req.url ?? '') ?? ports[next++ % ports.length]!;
    served.set(port, [...(served.get(port) ?? []), req.url ?? '']);
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
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
    steer: (to) => (steering = to),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
