// Prepares an embedded database folder in a process of its own, run by
// openDatabase: PGlite's initdb on first start, then the migrations the
// folder lacks (sent by the parent), after which the folder is stamped with
// their digest. initdb and migrations leave hundreds of MB of WebAssembly
// heap behind (a WebAssembly memory never shrinks, and a server at rest never
// runs a full garbage collection); exiting returns them at once. The parent
// holds the folder's lock meanwhile.
import { writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pgliteRunner } from './pglite-runner.js';
import { EMBEDDED_SETTINGS } from './embedded-settings.js';
import { migrate, migrationsDigest, type Migration } from './migrate.js';

// A parent that dies (kill -9) takes this child with it: the next start prepares the folder again.
process.on('disconnect', () => process.exit(1));

const [dataDir, stamp] = process.argv.slice(2);
// Asked for once this process listens: a message sent before would be lost.
const message = new Promise<{ migrations: Migration[] }>((resolve) => process.once('message', resolve));
process.send?.({ ready: true });
if (!dataDir || !stamp) {
  process.exitCode = 2;
  process.disconnect?.();
} else {
  const { migrations } = await message;
  // Nothing more will come: unref the channel, so the child exits when the work is done.
  process.channel?.unref();
  const pglite = await PGlite.create({ dataDir, startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  let applied: string[] | undefined = [];
  if (migrations.length) {
    const run = pgliteRunner(pglite);
    // A migration that fails here fails again in the parent, which says why with its own error code.
    applied = await migrate({ withLock: (_lockId, fn) => fn(run) }, migrations).catch(() => undefined);
  }
  await pglite.close();
  if (migrations.length && applied) await writeFile(stamp, migrationsDigest(migrations), { mode: 0o600 });
  // For the parent's log ("database migrated").
  if (applied?.length) await new Promise((resolve) => process.send!({ applied }, resolve));
}
