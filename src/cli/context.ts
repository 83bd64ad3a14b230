import { pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logging.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
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
