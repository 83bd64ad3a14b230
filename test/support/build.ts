// Compiles Loupe from the current source before any test runs, as
// `npm run build` does, so no test runs against a stale build: the browser
// code into dist/browser (the server serves the viewer's page script from
// there even when it runs from source), and the server into dist, which the
// tests that start Loupe as a separate process run, as `npm start` and the
// container image do (and without tsx compiling it again at every start).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

/** The compiled CLI, relative to the project root (the tests' working directory). */
export const LOUPE_CLI = 'dist/cli/index.js';

async function compile(project: string, what: string): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(`${what} does not compile:\n${(error as { stdout?: string }).stdout ?? ''}`);
  }
}

export async function buildLoupe(): Promise<void> {
  await Promise.all([compile('tsconfig.json', 'the server'), compile('tsconfig.client.json', 'the browser code')]);
}
