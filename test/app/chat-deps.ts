// The use cases' dependencies on a test database, with a recording fake chat
// registered as the workspace's platform (no Slack in them).
import type { ChatUseCaseDeps } from '../../src/app/deps.js';
import { ChatPlatforms } from '../../src/app/ports/chat-platforms.js';
import type { Clock } from '../../src/core/clock.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import type { Storage } from '../../src/storage/services.js';
import { DEFAULT_SANDBOX, ImagingSandbox } from '../../src/imaging/sandbox/sandbox.js';
import { RecordingChat, type RecordingChatOptions } from '../support/recording-chat.js';

export function chatDeps(s: Storage, clock: Clock, o: RecordingChatOptions = {}): { deps: ChatUseCaseDeps; chat: RecordingChat; queue: JobQueue } {
  const chat = new RecordingChat(o);
  const platforms = new ChatPlatforms(s.db);
  platforms.register('slack', { gateway: chat.gateway, directory: chat.directory });
  const queue = new JobQueue({ db: s.db, clock, audit: s.audit });
  return { deps: { db: s.db, audit: s.audit, queue, clock, platforms, policies: s.policies, viewUrl: (token) => `https://loupe.example/view/${token}`, previews: { blobs: s.blobs, sandbox: new ImagingSandbox({ ...DEFAULT_SANDBOX, idleMs: 2000 }) } }, chat, queue };
}

/** The jobs queued of one type, oldest first. */
export const queued = (s: Storage, type: string) => s.db.prisma.job.findMany({ where: { type, status: 'queued' }, orderBy: { createdAt: 'asc' } });
