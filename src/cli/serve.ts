import type { Command } from 'commander';
import { createLoupe } from '../main.js';
import { createLogger } from '../logging.js';
import { loadConfig } from '../config.js';
import type { CliIo } from './context.js';

export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('start the HTTP server and the job worker (the embedded default needs no set-up)')
    .action(async () => {
      const config = loadConfig(io.env);
      const logger = createLogger(config.logLevel);
      const loupe = await createLoupe(config, logger);
      await loupe.listen();
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping');
          loupe.stop().then(resolve, (error: unknown) => {
            logger.error({ err: error }, 'unclean stop');
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
