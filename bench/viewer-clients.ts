// The viewer benchmark's browsers, on a thread of their own: what a browser
// spends sending its requests and reading the answers (a 12 MP photo is
// megabytes) is not the server's time, and on the server's thread it would
// be counted as such. Each message is one burst: every viewer asks for the
// image's description, then its first image, with its own session's cookie;
// the answer is each viewer's milliseconds from its first request to the
// last byte of its image.
import { parentPort, workerData } from 'node:worker_threads';

export interface Burst {
  paths: string[];
  cookies: string[];
}

const { port } = workerData as { port: number };

async function get(path: string, cookie: string): Promise<void> {
  const once = () => fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie } });
  // A kept-alive connection the server closed just as it was reused (a loaded machine, 50 at once): a GET is asked again, as a browser does; the time counts.
  const r = await once().catch((error: unknown) => {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return once();
  });
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
  await r.arrayBuffer();
}

parentPort!.on('message', (burst: Burst) => {
  Promise.all(
    burst.cookies.map(async (cookie) => {
      const t0 = performance.now();
      for (const path of burst.paths) await get(path, cookie);
      return performance.now() - t0;
    }),
  ).then(
    (times) => parentPort!.postMessage({ times }),
    (error: unknown) => parentPort!.postMessage({ error: String(error) }),
  );
});
