// What revoking and expiring cards need.
import type { Clock } from '../core/clock.js';
import type { JobQueue } from '../storage/job-queue.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { Database } from '../storage/database.js';

export interface CardLifecycleDeps {
  db: Database;
  audit: AuditLog;
  queue: JobQueue;
  clock: Clock;
}
