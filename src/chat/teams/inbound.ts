// What Loupe does with an authenticated Teams activity. Every one first
// records how to reach its conversation. A person's message with images
// becomes accepted uploads and queued ingests before Teams gets its answer,
// so a retried or duplicated activity finds them accepted and adds nothing.
// Commands are answered in the thread; card buttons and dialogs come back
// as invokes (card-actions.ts).
import { acceptUpload, type AcceptUploadDeps } from '../../app/accept-upload.js';
import { AppJob } from '../../app/job-names.js';
import type { ChatConversations } from '../../storage/chat-conversations.js';
import { kindOf, threadConversation, whereabouts, type OutgoingActivity, type TeamsActivity } from './activity.js';
import type { BotFramework } from './bot-framework.js';
import { says, type cardActions } from './card-actions.js';
import { answerCommand, type CommandDeps } from './commands.js';
import { CARD_CONTENT_TYPE } from './adaptive-card.js';
import type { TeamsDirectory } from './directory.js';
import { uploadsIn } from './uploads.js';

export interface InboundDeps {
  /** The tenant's workspace in Loupe. */
  workspaceId: () => Promise<string>;
  appId: string;
  accept: AcceptUploadDeps;
  conversations: ChatConversations;
  directory: TeamsDirectory;
  actions: ReturnType<typeof cardActions>;
  commands: CommandDeps;
  framework: BotFramework;
}

/** The words of a message, without markup (Teams sends HTML). */
const plainText = (a: TeamsActivity) => (a.text ?? '').replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim();

export function teamsInbound(d: InboundDeps) {
  async function onMessage(a: TeamsActivity, workspace: string): Promise<void> {
    const where = whereabouts(a);
    const userId = a.from?.aadObjectId?.toLowerCase();
    // Loupe's own messages, and anything not from a person of the tenant, are not uploads.
    if (!where || !userId || a.from?.id === `28:${d.appId}`) return;
    const uploads = uploadsIn(a, where.kind);
    for (const upload of uploads) {
      await acceptUpload(d.accept, {
        workspaceId: workspace,
        channelId: where.channelId,
        threadId: where.threadId,
        messageId: where.messageId,
        uploaderId: userId,
        sourceRef: upload.sourceRef,
        messageText: plainText(a) || undefined,
        filesInMessage: uploads.length,
        ingestJob: AppJob.Ingest,
        sourceLocator: JSON.stringify(upload.locator),
      });
    }
    // An edit is not a new command; its files were looked at above.
    if (uploads.length || a.type !== 'message') return;
    const answer = await answerCommand(d.commands, a, where, workspace, userId);
    if (!answer) return;
    const reply: OutgoingActivity = typeof answer === 'string' ? { type: 'message', text: answer, textFormat: 'markdown' } : { type: 'message', attachments: [{ contentType: CARD_CONTENT_TYPE, content: answer.card }] };
    await d.framework.connector(a.serviceUrl).send(threadConversation(where.kind, where.channelId, where.threadId), reply);
  }

  async function onInvoke(a: TeamsActivity, workspace: string): Promise<unknown> {
    const userId = a.from?.aadObjectId?.toLowerCase();
    if (!userId) return says('Loupe could not tell who you are.');
    const press = { workspaceId: workspace, userId, channelId: whereabouts(a)?.channelId ?? a.conversation.id, kind: kindOf(a) };
    if (a.name === 'adaptiveCard/action') {
      const action = (a.value as { action?: { verb?: unknown; data?: Record<string, unknown> } } | undefined)?.action;
      if (!action || typeof action.verb !== 'string') return says('Loupe could not read this action.');
      return d.actions.onExecute(press, action.verb, action.data ?? {});
    }
    if (a.name === 'task/fetch' || a.name === 'task/submit') {
      return d.actions.onDialog(press, a.name, (a.value as { data?: Record<string, unknown> } | undefined)?.data ?? {});
    }
    return undefined;
  }

  return async (a: TeamsActivity): Promise<unknown> => {
    const workspace = await d.workspaceId();
    const where = whereabouts(a);
    const kind = kindOf(a);
    await d.conversations.remember({
      workspaceId: workspace,
      conversationId: where?.channelId ?? a.conversation.id,
      kind,
      serviceUrl: a.serviceUrl,
      teamId: a.channelData?.team?.aadGroupId?.toLowerCase() ?? null,
      userId: kind === 'personal' ? (a.from?.aadObjectId?.toLowerCase() ?? null) : null,
    });
    // An edited message may have gained an image: it is looked at again, and what it already had is found accepted.
    if (a.type === 'message' || a.type === 'messageUpdate') return onMessage(a, workspace);
    if (a.type === 'invoke') return onInvoke(a, workspace);
    return undefined;
  };
}
