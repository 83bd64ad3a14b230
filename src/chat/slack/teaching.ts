// "Share for teaching" in Slack: the card's button asks the use case; an
// image that may show identifiers first opens a modal where the sharer
// confirms they checked it. Every answer (the link, or why not) is an
// ephemeral message to the sharer alone, never a post in the thread.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ShareForTeachingResult } from '../../app/teaching/share-for-teaching.js';
import { shareForTeaching } from '../../app/teaching/share-for-teaching.js';
import type { TeachingDeps } from '../../app/teaching/teaching-deps.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import { TEACHING_CONFIRM, TEACHING_REFUSED, teachingShared } from '../teaching-text.js';
import { CardAction } from './card-blocks.js';

export const TEACHING_MODAL = 'loupe_teaching_confirm_modal';
const CONFIRM_BLOCK = 'confirm';
const CONFIRMED = 'checked';

type Requester = (body: { user: { id: string; team_id?: string }; team: { id: string } | null }) => Promise<WorkspaceRequester>;
type Client = App['client'];

export function registerTeachingShare(bolt: App, deps: TeachingDeps, requester: Requester): void {
  /** Runs the use case and answers the sharer privately; a card unknown here is ignored, as other buttons do. */
  async function share(client: Client, userId: string, cardId: string, who: WorkspaceRequester, confirmed: boolean, triggerId?: string): Promise<void> {
    let result: ShareForTeachingResult;
    try {
      result = await shareForTeaching(deps, { cardId, who, confirmed });
    } catch (error) {
      if (isLoupeError(error, ErrorCode.NotFound)) return;
      throw error;
    }
    if (result.outcome === 'needs_confirmation' && triggerId) return void (await client.views.open({ trigger_id: triggerId, view: confirmModal(cardId) }));
    const text = result.outcome === 'shared' ? teachingShared(result.url, result.expiresAt) : result.outcome === 'refused' ? TEACHING_REFUSED[result.reason] : TEACHING_CONFIRM.missing;
    await client.chat.postEphemeral({ channel: result.channelId, user: userId, text });
  }

  bolt.action<BlockAction<ButtonAction>>(CardAction.Teach, async ({ ack, body, action, client }) => {
    await ack();
    await share(client, body.user.id, action.value ?? '', await requester(body), false, body.trigger_id);
  });

  bolt.view(TEACHING_MODAL, async ({ ack, body, view, client }) => {
    const ticked = view.state.values[CONFIRM_BLOCK]?.['value']?.selected_options?.some((o) => o.value === CONFIRMED);
    if (!ticked) return void (await ack({ response_action: 'errors', errors: { [CONFIRM_BLOCK]: TEACHING_CONFIRM.missing } }));
    // Making the copy may take longer than Slack waits for a modal's answer: the link follows privately.
    await ack();
    await share(client, body.user.id, view.private_metadata, await requester(body), true);
  });
}

function confirmModal(cardId: string) {
  return {
    type: 'modal' as const,
    callback_id: TEACHING_MODAL,
    private_metadata: cardId,
    title: { type: 'plain_text' as const, text: TEACHING_CONFIRM.title },
    submit: { type: 'plain_text' as const, text: TEACHING_CONFIRM.submit },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: TEACHING_CONFIRM.intro } },
      {
        type: 'input',
        block_id: CONFIRM_BLOCK,
        label: { type: 'plain_text', text: 'Checked' },
        element: { type: 'checkboxes', action_id: 'value', options: [{ text: { type: 'plain_text', text: TEACHING_CONFIRM.checkbox }, value: CONFIRMED }] },
      },
    ],
  };
}
