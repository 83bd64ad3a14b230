// Catching up on uploads Slack could not deliver while Loupe was down (it
// stops retrying after a few minutes). On start and then periodically, a
// durable job reads the recent history of every channel the bot is in where
// interception is on (users.conversations), from that channel's cursor less
// an overlap (first run: the last day), with conversations.history and, for
// threads with replies since then, conversations.replies. Each file found
// goes through acceptUpload, as from a live event: one asset per Slack file,
// so what was already taken is found and skipped. Pages follow Slack's
// cursors; the WebClient waits out rate limits (429) and retries.
import type { webApi } from '@slack/bolt';
import type { AuditActor } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { openConsultThreads } from '../../app/open-consult-threads.js';
import type { AcceptUploadDeps } from '../../app/accept-upload.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { JobHandler } from '../../jobs/worker.js';
import type { Logger } from '../../logging.js';
import type { Workspaces } from '../../storage/workspaces.js';
import { CURSOR_OVERLAP_SECONDS, laterTs, readCursor, setCursor, toTs } from '../../storage/channel-cursors.js';
import { acceptMessageFiles, isFileShare, type FileShareMessage } from './listeners.js';

export const RECONCILE_JOB = 'slack.reconcile';
/** How often the history is read while Loupe runs. */
export const RECONCILE_PERIOD_MS = 5 * 60_000;
/** A channel never read before: how far back its first reconciliation looks. */
export const FIRST_LOOKBACK_SECONDS = 24 * 3600;
/** Threads whose first message is this recent are looked into for new replies. */
const THREAD_LOOKBACK_SECONDS = 24 * 3600;
/** Open consults started this recently have their threads read too, however old their first message. */
const CONSULT_LOOKBACK_SECONDS = 7 * 24 * 3600;
const PAGE = 200;

const SLACK: AuditActor = { type: 'system', id: 'slack-reconcile' };

export interface ReconcileDeps {
  bot: webApi.WebClient;
  accept: AcceptUploadDeps;
  workspaces: Workspaces;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
}

interface HistoryMessage extends FileShareMessage {
  reply_count?: number;
  latest_reply?: string;
}

type Page = { messages?: unknown[]; channels?: unknown[]; response_metadata?: { next_cursor?: string } };

/** Every page of a cursor-paginated method. */
async function* pages(call: (cursor: string | undefined) => Promise<Page>): AsyncGenerator<Page> {
  let cursor: string | undefined;
  do {
    const page = await call(cursor);
    yield page;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
}

const after = (ts: string, oldest: string) => Number(ts) > Number(oldest);

export async function reconcileSlack(d: ReconcileDeps): Promise<{ channels: number; accepted: number }> {
  const auth = await d.bot.auth.test();
  if (!auth.team_id) throw new LoupeError(ErrorCode.InvalidInput, 'Slack named no workspace for the bot token');
  const workspace = await d.workspaces.ensure('slack', auth.team_id, auth.team_id, SLACK);
  let channels = 0;
  let accepted = 0;
  for await (const page of pages((cursor) => d.bot.users.conversations({ types: 'public_channel,private_channel', exclude_archived: true, limit: PAGE, ...(cursor ? { cursor } : {}) }))) {
    for (const channel of (page.channels ?? []) as { id?: string }[]) {
      if (!channel.id) continue;
      const policy = await d.accept.policies.effective(workspace.id, channel.id);
      if (!policy.interception) continue;
      channels++;
      accepted += await reconcileChannel(d, workspace.id, channel.id);
    }
  }
  if (accepted) d.logger.info({ channels, accepted }, 'reconciliation found uploads Slack had not delivered');
  return { channels, accepted };
}

async function reconcileChannel(d: ReconcileDeps, workspaceId: string, channelId: string): Promise<number> {
  const now = d.clock.now();
  const nowSeconds = now.getTime() / 1000;
  const cursor = await readCursor(d.accept.db, workspaceId, channelId);
  const oldest = cursor === undefined ? toTs(new Date((nowSeconds - FIRST_LOOKBACK_SECONDS) * 1000)) : (Number(cursor) - CURSOR_OVERLAP_SECONDS).toFixed(6);
  // Thread parents are read further back than files: a consult started yesterday may have had a reply while Loupe was down.
  const parentsFrom = Math.min(Number(oldest), nowSeconds - THREAD_LOOKBACK_SECONDS).toFixed(6);
  let newest: string | undefined;
  let accepted = 0;
  const take = async (m: HistoryMessage) => {
    if (!after(m.ts, oldest)) return;
    newest = laterTs(newest, m.ts);
    if (isFileShare(m)) accepted += await acceptMessageFiles(d.accept, workspaceId, channelId, m, undefined);
  };
  const readThread = async (parentTs: string) => {
    for await (const thread of pages((c) => d.bot.conversations.replies({ channel: channelId, ts: parentTs, oldest, limit: PAGE, ...(c ? { cursor: c } : {}) }))) {
      for (const r of (thread.messages ?? []) as HistoryMessage[]) if (r.ts !== parentTs) await take(r);
    }
  };
  const threadsRead = new Set<string>();
  for await (const page of pages((c) => d.bot.conversations.history({ channel: channelId, oldest: parentsFrom, limit: PAGE, ...(c ? { cursor: c } : {}) }))) {
    for (const m of (page.messages ?? []) as HistoryMessage[]) {
      await take(m);
      if (m.reply_count && m.latest_reply && after(m.latest_reply, oldest)) {
        threadsRead.add(m.ts);
        await readThread(m.ts);
      }
    }
  }
  // Consults Loupe already holds, started before that window: their threads may have had uploads meanwhile too.
  for (const threadId of await openConsultThreads(d.accept.db, { workspaceId, channelId, since: new Date(now.getTime() - CONSULT_LOOKBACK_SECONDS * 1000) })) {
    if (threadsRead.has(threadId) || !after(threadId, '0') || Number(threadId) >= Number(parentsFrom)) continue;
    await readThread(threadId).catch((error: unknown) => {
      // A thread whose every message is gone has nothing left to take.
      if ((error as { data?: { error?: string } }).data?.error !== 'thread_not_found') throw error;
    });
  }
  // Read up to now; the overlap covers a message posted while this ran.
  await setCursor(d.accept.db, workspaceId, channelId, laterTs(newest, toTs(now)));
  return accepted;
}

/** Queues a reconciliation now (on start) or at the next period boundary; one per boundary however many instances ask. */
export async function scheduleReconcile(queue: JobQueue, now: Date, when: 'now' | 'next'): Promise<void> {
  if (when === 'now') {
    await queue.enqueue({ type: RECONCILE_JOB, dedupeKey: `${RECONCILE_JOB}:start:${now.getTime()}` });
    return;
  }
  const next = Math.ceil((now.getTime() + 1) / RECONCILE_PERIOD_MS) * RECONCILE_PERIOD_MS;
  await queue.enqueue({ type: RECONCILE_JOB, dedupeKey: `${RECONCILE_JOB}:${next}`, runAt: new Date(next) });
}

export function reconcileHandler(d: ReconcileDeps): JobHandler {
  return async () => {
    // The next run is queued first, so a run that fails (Slack unreachable) does not end the series.
    await scheduleReconcile(d.queue, d.clock.now(), 'next');
    await reconcileSlack(d);
  };
}
