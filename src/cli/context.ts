import { pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logging.js';
import { openServices, type Services } from '../main.js';

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

/** Opens database, keys and storage for one command, and closes them after. */
export async function withServices<T>(io: CliIo, fn: (services: Services) => Promise<T>): Promise<T> {
  const { config, logger } = cliConfig(io);
  const services = await openServices(config, logger);
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}
