// Tests start the server from source, and the server serves the page script
// compiled into dist/browser: compile it from the current source first, as
// `npm run build` does, so that no test runs against a stale build.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export function buildClient(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.client.json'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    throw new Error(`the browser code does not compile:\n${(error as { stdout?: string }).stdout ?? ''}`);
  }
}
