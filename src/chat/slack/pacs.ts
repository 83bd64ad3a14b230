// "Send to PACS" in Slack: the card's button asks the use case; the answer
// (on its way, or why not) is an ephemeral message to the requester alone.
// The outcome shows on the card once the PACS has answered.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { PacsDeps } from '../../app/pacs/pacs-deps.js';
import { requestPacsExport } from '../../app/pacs/request-pacs-export.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import { pacsAnswer } from '../pacs-text.js';
import { CardAction } from './card-blocks.js';

type Requester = (body: { user: { id: string; team_id?: string }; team: { id: string } | null }) => Promise<WorkspaceRequester>;

export function registerSendToPacs(bolt: App, deps: PacsDeps, requester: Requester): void {
  bolt.action<BlockAction<ButtonAction>>(CardAction.SendToPacs, async ({ ack, body, action, client }) => {
    await ack();
    try {
      const result = await requestPacsExport(deps, { cardId: action.value ?? '', who: await requester(body) });
      await client.chat.postEphemeral({ channel: result.channelId, user: body.user.id, text: pacsAnswer(result) });
    } catch (error) {
      // A card unknown here (another workspace's, or gone) is ignored, as other buttons do.
      if (!isLoupeError(error, ErrorCode.NotFound)) throw error;
    }
  });
}
