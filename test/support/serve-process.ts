// `loupe serve` as a separate process, the way an operator runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { LOUPE_CLI } from './build.js';

export interface ServeProcess {
  child: ChildProcess;
  /** Everything it printed on standard output (its JSON log lines). */
  output(): string;
  /** Everything it printed on standard error (a refused start's message). */
  errors(): string;
  /** Resolves with the port once it logs that it is listening; rejects if it exits first. */
  listening: Promise<number>;
  exited: Promise<number | null>;
}

export function spawnServe(env: NodeJS.ProcessEnv): ServeProcess {
  const child = spawn(process.execPath, [LOUPE_CLI, 'serve'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"Loupe is listening"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then((code) => reject(new Error(`serve exited early with ${code}`)));
  });
  return { child, output: () => out, errors: () => err, listening, exited };
}
