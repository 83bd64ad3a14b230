// A TCP proxy on loopback in front of a real server, for a server that fails
// mid-upload: once told to, it cuts (resets) every connection that has sent
// more than a given number of bytes upstream, as a store that dies or a
// network that drops under a large request would. Small requests (an abort, a
// listing) still pass, as they would to a store that is only failing writes.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** From now on, connections that send more than `bytes` upstream (counted from now) are reset; undefined: none are. */
  cutAfter(bytes: number | undefined): void;
  /** Connections cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

export async function startCuttingProxy(target: URL): Promise<CuttingProxy> {
  let limit: number | undefined;
  // Bytes are counted per connection from the latest cutAfter, so a kept-alive connection's earlier requests do not count.
  let generation = 0;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let sent = 0;
    let counted = generation;
    const cut = () => {
      cuts++;
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (counted !== generation) [sent, counted] = [0, generation];
      sent += chunk.length;
      if (limit !== undefined && sent > limit) return cut();
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    for (const s of [client, upstream]) {
      s.on('error', () => (client.destroy(), upstream.destroy()));
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cutAfter: (bytes) => {
      limit = bytes;
      generation++;
    },
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
