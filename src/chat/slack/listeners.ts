// Bolt listeners: a file posted in a channel becomes an accepted upload and a
// queued ingest. Slack gets its acknowledgement first (AfterAck): under a
// burst, waiting for the database would make Slack retry. A crash after the
// ack loses nothing: the channel's cursor has not moved past the message, and
// the reconciliation finds it; a retry or a second announcement finds the
// upload already accepted.
import type { App, MessageShortcut } from '@slack/bolt';
import { AppJob } from '../../app/job-names.js';
import type { AuditActor } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import { acceptUpload, isUploadKnown, type AcceptUploadDeps } from '../../app/accept-upload.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { Workspaces } from '../../storage/workspaces.js';
import { advanceCursorByEvent } from '../../storage/channel-cursors.js';
import { FILE_SHARED_JOB } from './file-shared.js';
import type { AfterAck } from '../after-ack.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { Remembered } from './replay-guard.js';

export interface ListenerDeps {
  accept: AcceptUploadDeps;
  afterAck: AfterAck;
  clock: Clock;
  workspaces: Workspaces;
  queue: JobQueue;
}

const SLACK: AuditActor = { type: 'system', id: 'slack' };
/** The callback id of the message shortcut, as in manifests/slack/manifest.yaml. */
export const SECURE_SHORTCUT = 'loupe_secure';
/** How long a file_shared event waits for its message event, which carries the thread and text. */
const FILE_SHARED_GRACE_MS = 5_000;

/** A message carrying files, as events and conversations.history give it. */
export interface FileShareMessage {
  subtype?: string;
  bot_id?: string;
  user?: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  files?: { id: string; mode?: string }[];
}

/** A person's message with files still in it (a deleted file is a tombstone). */
export const isFileShare = (m: FileShareMessage) =>
  (m.subtype === 'file_share' || m.subtype === undefined) && !m.bot_id && Boolean(m.user) && (m.files ?? []).some((f) => f.mode !== 'tombstone');

/** Each file of the message becomes an accepted upload (or is found already accepted); returns how many were new. */
export async function acceptMessageFiles(accept: AcceptUploadDeps, workspaceId: string, channelId: string, m: FileShareMessage, requestedBy: string | undefined): Promise<number> {
  let accepted = 0;
  const files = (m.files ?? []).filter((f) => f.mode !== 'tombstone');
  for (const file of files) {
    const result = await acceptUpload(accept, {
      workspaceId,
      channelId,
      threadId: m.thread_ts ?? m.ts,
      messageId: m.ts,
      uploaderId: m.user!,
      sourceRef: file.id,
      messageText: m.text,
      filesInMessage: m.files?.length ?? 0,
      ingestJob: AppJob.Ingest,
      ...(requestedBy ? { requestedBy } : {}),
    });
    if (result.outcome === 'accepted') accepted++;
  }
  return accepted;
}

/**
 * Whether an acknowledged delivery is this request's first (see replay-guard.ts): false for a replay another instance
 * had taken; throws when it could not be recorded, so the reconciliation looks again. Socket Mode has no replays to refuse.
 */
async function takenFirst(context: Record<string, unknown>): Promise<boolean> {
  const remembered = context['remembered'];
  if (!(remembered instanceof Promise)) return true;
  const verdict = (await remembered) as Remembered;
  if (verdict === 'unrecorded') throw new LoupeError(ErrorCode.DbUnreachable, 'could not record a Slack request');
  return verdict === 'first';
}

export function registerUploadListeners(bolt: App, d: ListenerDeps): void {
  const workspaceOf = (teamId: string) => d.workspaces.ensure('slack', teamId, teamId, SLACK);
  // An event's work, after the acknowledgement, once the replay guard's database has it as this request's first.
  const afterAckOf = (context: Record<string, unknown>, work: () => Promise<void>) =>
    d.afterAck.run(async () => {
      if (await takenFirst(context)) await work();
    });

  bolt.event('message', async ({ event, body, context }) => {
    const m = event as unknown as FileShareMessage & { channel: string };
    if (m.subtype !== 'file_share' || !isFileShare(m)) return;
    afterAckOf(context, async () => {
      const workspace = await workspaceOf(body.team_id);
      await acceptMessageFiles(d.accept, workspace.id, m.channel, m, undefined);
      await advanceCursorByEvent(d.accept.db, workspace.id, m.channel, m.ts);
    });
  });

  // "Secure with Loupe" on a message: for files posted where interception is off, or before Loupe joined.
  bolt.shortcut<MessageShortcut>(SECURE_SHORTCUT, async ({ ack, shortcut, respond }) => {
    await ack();
    const m = shortcut.message as unknown as FileShareMessage;
    const files = m.files ?? [];
    if (!files.length || !m.user) return void (await respond({ response_type: 'ephemeral', text: 'This message has no file for Loupe to secure.' }));
    await acceptMessageFiles(d.accept, (await workspaceOf(shortcut.team?.id ?? '')).id, shortcut.channel.id, m, shortcut.user.id);
    await respond({ response_type: 'ephemeral', text: `Loupe is securing ${files.length === 1 ? 'this file' : `these ${files.length} files`}; a card will appear in the thread.` });
  });

  // Slack also sends file_shared; the message event usually wins. If it never comes, the file's shares say where it was posted.
  bolt.event('file_shared', async ({ event, body, context }) => {
    afterAckOf(context, async () => {
      const workspace = await workspaceOf(body.team_id);
      if (await isUploadKnown(d.accept, { workspaceId: workspace.id, sourceRef: event.file_id })) return;
      await d.queue.enqueue({
        type: FILE_SHARED_JOB,
        payload: { workspaceId: workspace.id, fileId: event.file_id, channelId: event.channel_id, userId: event.user_id },
        dedupeKey: `${FILE_SHARED_JOB}:${workspace.id}:${event.file_id}`,
        // The message event normally arrives meanwhile and makes this a no-op.
        runAt: new Date(d.clock.now().getTime() + FILE_SHARED_GRACE_MS),
      });
    });
  });
}
