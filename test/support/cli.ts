import { runCli } from '../../src/cli/program.js';

/** Runs the `loupe` command in-process, as a shell would, and collects what it printed. */
export async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}
