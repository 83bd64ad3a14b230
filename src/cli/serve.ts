import type { Command } from 'commander';
import { createLoupe } from '../main.js';
import { createLogger } from '../logging.js';
import { loadConfig } from '../config.js';
import { describeError } from '../core/errors.js';
import { startDemo } from '../demo/start-demo.js';
import { CliExit, type CliIo } from './context.js';

export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('start the HTTP server and the job worker (the embedded default needs no set-up)')
    .action(async () => {
      const config = loadConfig(io.env);
      const logger = createLogger(config.logLevel);
      const loupe = config.demo ? await startDemo(config, logger) : await createLoupe(config, logger);
      await loupe.listen().catch(async (error: unknown) => {
        // Half started (the port taken, Slack unreachable): stop what did start, so the process can exit.
        await loupe.stop().catch(() => {});
        throw error;
      });
      const clean = await new Promise<boolean>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping');
          loupe.stop().then(
            () => resolve(true),
            (error: unknown) => {
              logger.error({ err: describeError(error) }, 'unclean stop');
              resolve(false);
            },
          );
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      if (!clean) throw new CliExit(1);
    });
}
