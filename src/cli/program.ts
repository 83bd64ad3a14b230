import { Command, CommanderError } from 'commander';
import { isLoupeError } from '../core/errors.js';
import { registerAudit } from './audit.js';
import { registerConsent } from './consent.js';
import { registerDeidentify } from './deidentify.js';
import { CliExit, type CliIo } from './context.js';
import { registerKeys } from './keys.js';
import { registerMigrate } from './migrate.js';
import { registerPatient } from './patient.js';
import { registerRetention } from './retention.js';
import { registerServe } from './serve.js';
import { registerTeaching } from './teaching.js';
import { describeSystemFailure } from './system-errors.js';

export function createProgram(io: CliIo): Command {
  const program = new Command('loupe')
    .description('Loupe: clinical images out of chat, into an encrypted, audited store')
    .version(io.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerServe(program, io);
  registerMigrate(program, io);
  registerKeys(program, io);
  registerAudit(program, io);
  registerConsent(program, io);
  registerDeidentify(program, io);
  registerPatient(program, io);
  registerTeaching(program, io);
  registerRetention(program, { terminal: process.stdout.isTTY ? process.stdout : undefined, ...io });
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns its exit status instead of exiting, so tests can call it. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CliExit) return error.status;
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const known = isLoupeError(error) ? error : describeSystemFailure(error, io.env);
    if (known) {
      io.err(`loupe: ${known.message} [${known.code}]`);
      return 2;
    }
    // System errors carry a code (ECONNREFUSED, EACCES) that says enough without echoing input.
    const e = error as NodeJS.ErrnoException;
    io.err(`loupe: unexpected failure: ${e?.name ?? 'error'}${e?.code ? ` (${e.code})` : ''}`);
    return 2;
  }
}
