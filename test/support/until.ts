// Polls for what happens off the request path, up to a deadline: the test
// fails if it never happens, and goes on as soon as it does.
import { setTimeout as sleep } from 'node:timers/promises';

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
