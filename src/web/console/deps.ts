// What the console's routes are built from, in src/main.ts.
import type { ConsoleRules } from '../../core/console/roles.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../logging.js';
import type { Storage } from '../../storage/services.js';
import type { ViewerSessions } from '../../storage/viewer-sessions.js';
import type { ViewerDirectory } from '../../app/ports/viewer-directory.js';
import type { JobQueue } from '../../storage/job-queue.js';

export interface ConsoleDeps {
  storage: Storage;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  sessions: ViewerSessions;
  directory: ViewerDirectory;
  rules: ConsoleRules;
  /** acr values trusted as multi-factor. */
  mfaAcr: readonly string[];
  publicUrl: URL;
  /** A PACS is configured (LOUPE_PACS_URL): the policy form says so when none is. */
  pacsConfigured: boolean;
}
