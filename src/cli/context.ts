import { pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logging.js';
import { openServices } from '../main.js';
import { requireEmbeddedDatabase } from '../storage/database.js';
import { ADMIN_COMMANDS, type AdminCommandName, type AdminIo, type AdminOptions } from './admin-commands.js';
import { runInServer } from './admin-socket.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Standard input, for what must not be on the command line (a patient identifier, with `-`). */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Standard output for bytes, not lines (a PDF). */
  stdout?: NodeJS.WritableStream | undefined;
}

/** Exit status: 0 done, 1 the check failed, 2 it could not run. */
export class CliExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

export function cliConfig(io: CliIo): { config: Config; logger: Logger } {
  const config = loadConfig(io.env);
  // Commands keep stdout for their output (an export is piped); logs go to stderr.
  return { config, logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2)) };
}

/**
 * Runs an admin command: inside a running `loupe serve` when it holds the
 * embedded database (over its admin socket), else on services of its own.
 * A data folder without a database is refused, never created.
 */
export async function runAdmin(
  io: CliIo,
  command: AdminCommandName,
  options: AdminOptions = {},
  out: AdminIo['out'] = io.out,
  progress?: AdminIo['progress'],
): Promise<void> {
  const { config, logger } = cliConfig(io);
  const adminIo: AdminIo = { out, err: io.err, ...(progress ? { progress } : {}) };
  let status: number | undefined;
  if (config.embedded) {
    await requireEmbeddedDatabase(config.dataDir);
    status = await runInServer(config.dataDir, command, options, adminIo);
  }
  if (status === undefined) {
    const services = await openServices(config, logger, { command: `loupe ${command}` });
    try {
      status = await ADMIN_COMMANDS[command](services, adminIo, options);
    } finally {
      await services.close();
    }
  }
  if (status !== 0) throw new CliExit(status);
}
