// Bolt's logger interface over Loupe's. Bolt's debug and info output can
// quote request bodies (patient data), so only its warnings and errors pass,
// and errors only as their PHI-free description.
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';

export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'slack' });
  return {
    debug: () => {},
    info: () => {},
    warn: (...args: unknown[]) => log.warn({ bolt: args.filter((a) => typeof a === 'string').join(' ').slice(0, 200) }, 'Slack adapter warning'),
    error: (...args: unknown[]) => log.error({ err: describeError(args.find((a) => a instanceof Error) ?? args[0]) }, 'Slack adapter error'),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}
