// What the chat-facing use cases share: storage, the queue, the clock and the
// registry of chat platforms. Built once in main.ts.
import type { Clock } from '../core/clock.js';
import type { JobQueue } from '../storage/job-queue.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { Database } from '../storage/database.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { ChatPlatforms } from './ports/chat-platforms.js';
import type { CardPreviewDeps } from './card-preview.js';

export interface ChatUseCaseDeps {
  db: Database;
  audit: AuditLog;
  queue: JobQueue;
  clock: Clock;
  platforms: ChatPlatforms;
  /** The effective channel policy, for what a redrawn card says (its consent rule). */
  policies: Pick<ChannelPolicies, 'effective'>;
  /** The viewer's link for a card's one-card token. */
  viewUrl: (token: string) => string;
  /** What a card's preview is made with (channel policy preview mode "deidentified"). */
  previews: CardPreviewDeps;
}
