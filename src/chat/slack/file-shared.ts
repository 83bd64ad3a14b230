// Slack-only recovery: a file_shared event whose message event never came.
// The file's shares say where it was posted; it is then accepted as from a
// live event (a no-op when the message event got there first).
import type { webApi } from '@slack/bolt';
import { AppJob } from '../../app/job-names.js';
import { acceptUpload, isUploadKnown, type AcceptUploadDeps } from '../../app/accept-upload.js';
import type { JobHandler } from '../../jobs/worker.js';

export const FILE_SHARED_JOB = 'slack.file_shared';

type Shares = Record<string, { ts?: string; thread_ts?: string }[]>;

export function fileSharedHandler(d: { bot: webApi.WebClient; accept: AcceptUploadDeps }): JobHandler {
  return async (payload) => {
    const p = payload as { workspaceId: string; fileId: string; channelId: string; userId: string };
    // The message event usually accepted it meanwhile (both are taken after Slack's acknowledgement, side by side);
    // asking Slack then would fail once the original has left the chat, and be retried for nothing.
    if (await isUploadKnown(d.accept, { workspaceId: p.workspaceId, sourceRef: p.fileId })) return;
    const info = await d.bot.files.info({ file: p.fileId });
    const shares = (info.file?.shares as { public?: Shares; private?: Shares } | undefined) ?? {};
    const share = shares.public?.[p.channelId]?.[0] ?? shares.private?.[p.channelId]?.[0];
    if (!share?.ts) return;
    await acceptUpload(d.accept, {
      workspaceId: p.workspaceId,
      channelId: p.channelId,
      threadId: share.thread_ts ?? share.ts,
      messageId: share.ts,
      uploaderId: p.userId,
      sourceRef: p.fileId,
      messageText: undefined,
      ingestJob: AppJob.Ingest,
    });
  };
}
