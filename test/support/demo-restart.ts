// A demo run twice on the same data folder, as `loupe serve` started again:
// the first run stops once every job it queued has run, its saved chat is
// checked, and the second starts on what it left.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startDemo } from '../../src/demo/start-demo.js';
import { createLogger } from '../../src/logging.js';
import type { Loupe } from '../../src/main.js';
import { drained } from './drain.js';
import { createInstanceEnv } from './instance.js';

type Run<T> = (loupe: Loupe, port: number) => Promise<T>;

export async function acrossRestart<T>(o: { chatFolder: string; env?: NodeJS.ProcessEnv }, before: Run<T>, after: (loupe: Loupe, port: number, earlier: T) => Promise<void>): Promise<void> {
  const own = await createInstanceEnv('pglite', o.env);
  const start = async () => {
    const loupe = await startDemo(loadConfig(own.env), createLogger('silent'));
    running = loupe;
    return { loupe, port: (await loupe.listen()).port };
  };
  let running: Loupe | undefined;
  try {
    const first = await start();
    const earlier = await before(first.loupe, first.port);
    // A photo's clean-up follows its card and starts a sandbox child: on a busy machine that has taken more than the default 20 s.
    await drained(first.loupe, 90_000);
    running = undefined;
    await first.loupe.stop();
    // The chat is saved under the data folder; the files Loupe took out of the chat left no bytes there.
    expect(await readdir(join(own.dataDir, o.chatFolder))).toEqual(expect.arrayContaining(['state.json', 'files']));
    expect(await readdir(join(own.dataDir, o.chatFolder, 'files'))).toEqual([]);
    const second = await start();
    await after(second.loupe, second.port, earlier);
  } finally {
    await running?.stop();
    await own.cleanup();
  }
}
