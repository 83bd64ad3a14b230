// Creates an embedded database folder (PGlite's initdb) in a process of its
// own, run by openDatabase on first start: initdb leaves several hundred MB
// of WebAssembly heaps behind that only a full garbage collection would
// return, and a server at rest never runs one. Exiting returns them at once.
import { PGlite } from '@electric-sql/pglite';
import { EMBEDDED_SETTINGS } from './embedded-settings.js';

// A parent that dies (kill -9) takes this child with it: the next start makes the folder again.
process.on('disconnect', () => process.exit(1));
// Listening for it keeps the channel (and so this process) up: unref it, so the child exits when initdb is done.
process.channel?.unref();

const dataDir = process.argv[2];
if (!dataDir) {
  process.exitCode = 2;
} else {
  const pglite = await PGlite.create({ dataDir, startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  await pglite.close();
}
