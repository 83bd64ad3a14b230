// Card buttons in Teams (Action.Execute, answered with the pressing user's
// own drawing of the card, a form, or a short message; Revoke asks first and
// acts on its second press; Record consent and its form in
// consent-form.ts) and the Link patient dialog
// (task/fetch, task/submit). Every press is decided again by the use cases:
// a stale button, or one drawn for somebody else, does nothing it may not.
import { cardAsSeenBy, type CardAsSeen } from '../../app/card-as-seen-by.js';
import type { CardPreviewDeps } from '../../app/card-preview.js';
import type { ChatGateway } from '../../app/ports/chat-gateway.js';
import { inviteSpecialist, type InviteDeps } from '../../app/invite-specialist.js';
import { linkPatientForm } from '../../app/link-patient-form.js';
import { linkPatient, type LinkPatientDeps } from '../../app/link-patient.js';
import { reportOriginalDeleted } from '../../app/report-original-deleted.js';
import { revokeCard } from '../../app/revoke-card.js';
import type { CardLifecycleDeps } from '../../app/card-lifecycle-deps.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import type { ChatConversations } from '../../storage/chat-conversations.js';
import { cardPlace } from '../../app/card-place.js';
import type { ConversationKind } from './activity.js';
import type { TeamsDirectory } from './directory.js';
import { CORRECTION_REFUSED, INVITE_REFUSED, LINK_REFUSED, PROMPT_DONE, linkRefusalOf, plain } from '../answer-text.js';
import { correctPatientForm } from '../../app/correct-patient-form.js';
import { correctPatient } from '../../app/correct-patient.js';
import { CARD_CONTENT_TYPE, CardVerb, adaptiveCard } from './adaptive-card.js';
import type { cardAudiences } from './audience.js';
import { correctForm, inviteForm, linkDialog, linkForm, revokeConfirmForm } from './forms.js';
import type { ConsentFormDeps } from '../../app/consent/consent-form.js';
import { ConsentVerb, onConsentPress } from './consent-form.js';
import type { TeachingDeps } from '../../app/teaching/teaching-deps.js';
import { teachingAction, TeachingVerb } from './teaching-action.js';
import type { PacsDeps } from '../../app/pacs/pacs-deps.js';
import { requestPacsExport } from '../../app/pacs/request-pacs-export.js';
import { pacsAnswer } from '../pacs-text.js';

/** A button press as Teams delivered it: who, and in which conversation (Teams sets both; the button's data is the client's). */
export interface Press {
  workspaceId: string;
  userId: string;
  /** The conversation it was pressed in, without its thread. */
  channelId: string;
  kind: ConversationKind;
}

export interface CardActionDeps {
  lifecycle: CardLifecycleDeps;
  link: LinkPatientDeps;
  invite: InviteDeps;
  consent: ConsentFormDeps;
  policies: ChannelPolicies;
  conversations: ChatConversations;
  directory: TeamsDirectory;
  audiences: ReturnType<typeof cardAudiences>;
  gateway: ChatGateway;
  viewUrl: (token: string) => string;
  /** A card's preview in each user's own drawing, where the channel allows one. */
  previews?: CardPreviewDeps | undefined;
  /** Share for teaching; its button does nothing where it is not given. */
  teaching?: TeachingDeps | undefined;
  /** Send to PACS, where a PACS is configured. */
  pacs?: PacsDeps | undefined;
}

const MESSAGE = 'application/vnd.microsoft.activity.message';
/** An answer that shows the pressing user a short message. */
export const says = (text: string) => ({ statusCode: 200, type: MESSAGE, value: text });
export const shows = (card: Record<string, unknown>) => ({ statusCode: 200, type: CARD_CONTENT_TYPE, value: card });

const text = (v: unknown) => (typeof v === 'string' ? v : '');
/** A card id from elsewhere (another conversation, workspace, or none at all): nothing about it is said. */
const NOT_HERE = 'This button does not belong to a card of this conversation.';
const NO_LONGER_KNOWN = 'This card is no longer known to Loupe.';
const REVOKE_REFUSED = 'Only the sender of this image or an admin can revoke it.';

export function cardActions(d: CardActionDeps) {
  /**
   * Who pressed, as the use cases see them, once the press is known to come
   * from where its card is: the card's own conversation, or its sender's
   * personal chat with Loupe (their private prompt). Whether they are an admin
   * is decided in the card's conversation, never the one the press came from.
   */
  async function requester(press: Press, cardId: string): Promise<WorkspaceRequester | undefined> {
    const place = await cardPlace({ db: d.lifecycle.db }, { cardId, workspaceId: press.workspaceId });
    if (!place) return undefined;
    const here = press.channelId === place.channelId || (press.kind === 'personal' && press.userId === place.uploaderId);
    if (!here) return undefined;
    return { workspaceId: press.workspaceId, userId: press.userId, isAdmin: await d.directory.isAdminIn(press.workspaceId, place.channelId, press.userId) };
  }

  const seenBy = (cardId: string, who: WorkspaceRequester) => cardAsSeenBy({ db: d.lifecycle.db, clock: d.lifecycle.clock, policies: d.policies, viewUrl: d.viewUrl, previews: d.previews }, { cardId, who });

  /** The card as this user sees it now. */
  async function drawn(workspaceId: string, cardId: string, who: WorkspaceRequester) {
    const seen = await seenBy(cardId, who);
    return seen ? drawing(workspaceId, seen) : says(NO_LONGER_KNOWN);
  }

  async function drawing(workspaceId: string, seen: CardAsSeen) {
    const c = await d.conversations.find(workspaceId, seen.view.channelId);
    const audience = c ? await d.audiences.audienceOf(c, seen.view.uploaderId, seen.mayManage) : { uploader: undefined, manage: seen.mayManage, refreshFor: [], pacs: d.pacs?.pacs !== undefined };
    return shows(adaptiveCard(seen.view, seen.viewUrl, audience));
  }

  /** Links the patient from a form's fields; a refusal's words, or undefined once linked. */
  async function link(cardId: string, who: WorkspaceRequester, f: Record<string, unknown>): Promise<string | undefined> {
    try {
      await linkPatient(d.link, { cardId, who, patient: { identifier: text(f['identifier']), issuer: text(f['issuer']), note: text(f['note']) } });
      return undefined;
    } catch (error) {
      const refusal = linkRefusalOf(error);
      if (!refusal) throw error;
      return refusal === 'invalid' ? 'Give the identifier and who issued it.' : plain(LINK_REFUSED[refusal]);
    }
  }

  async function onExecute(press: Press, verb: string, data: Record<string, unknown>): Promise<unknown> {
    const workspaceId = press.workspaceId;
    if (verb === CardVerb.RemovalDone) {
      // The use case believes only the asset's uploader.
      const result = await reportOriginalDeleted({ db: d.link.db, queue: d.link.queue }, { assetId: text(data['value']), userId: press.userId });
      return says(result === 'checking' ? 'Thank you: Loupe is checking that the original is gone.' : 'Only the sender of this upload can say so.');
    }
    if (verb === CardVerb.RecordConsent || verb === ConsentVerb.Submit || verb === ConsentVerb.Withdraw) {
      // A form of the consent command names no card: its sealed patient is good only for the person it was sealed for.
      const who = typeof data['consentForm'] === 'string' ? { workspaceId, userId: press.userId, isAdmin: await d.directory.isAdmin(workspaceId, press.userId) } : await requester(press, text(data['cardId']));
      if (!who) return says(NOT_HERE);
      const answer = await onConsentPress(d.consent, who, verb, data);
      return 'says' in answer ? says(answer.says) : shows(answer.card);
    }
    const cardId = text(data['cardId']);
    const who = await requester(press, cardId);
    if (!who) return says(NOT_HERE);
    switch (verb) {
      case CardVerb.Refresh:
        return drawn(workspaceId, cardId, who);
      case CardVerb.RevokeAsk: {
        // Nothing changes yet. A card no longer live (a stale button) is shown as it stands, someone who may not revoke is told so, and anyone else is asked; the question's own button revokes, decided below.
        const seen = await seenBy(cardId, who);
        if (!seen) return says(NO_LONGER_KNOWN);
        if (!seen.viewUrl) return drawing(workspaceId, seen);
        if (!seen.mayManage) return says(REVOKE_REFUSED);
        return shows(revokeConfirmForm(cardId));
      }
      case CardVerb.Revoke:
        try {
          await revokeCard(d.lifecycle, { cardId, who });
        } catch (error) {
          if (!isLoupeError(error, ErrorCode.Forbidden) && !isLoupeError(error, ErrorCode.NotFound)) throw error;
          return says(REVOKE_REFUSED);
        }
        return drawn(workspaceId, cardId, who);
      case CardVerb.Invite:
        return shows(inviteForm(cardId));
      case CardVerb.InviteSubmit: {
        const specialist = text(data['specialist']).toLowerCase();
        if (!specialist) return shows(inviteForm(cardId, 'Choose a person.'));
        // The picker offers people of the organisation; a forged answer naming anyone else is refused.
        if (!(await d.directory.isTenantUser(specialist))) return shows(inviteForm(cardId, 'Choose a person of your organisation.'));
        const result = await inviteSpecialist(d.invite, { cardId, who, specialistId: specialist });
        if (result.outcome === 'refused') return shows(inviteForm(cardId, INVITE_REFUSED[result.reason]));
        if (result.outcome === 'invited') await d.gateway.announce(result.thread, result.announce);
        return drawn(workspaceId, cardId, who);
      }
      case CardVerb.LinkPatient: {
        const form = await linkPatientForm({ ...d.link, policies: d.policies }, { cardId, who });
        if (form.outcome === 'no_card') return says(NO_LONGER_KNOWN);
        if (form.outcome === 'refused') return says(plain(LINK_REFUSED[form.reason]));
        return shows(linkForm(form.cardId, form.defaultIssuer));
      }
      case CardVerb.CorrectPatient: {
        const form = await correctPatientForm({ ...d.link, policies: d.policies }, { cardId, who });
        if (form.outcome === 'refused') return says(plain(CORRECTION_REFUSED[form.reason]));
        return shows(correctForm(form.cardId, form.defaultIssuer));
      }
      case CardVerb.CorrectPatientSubmit: {
        try {
          await correctPatient(d.link, { cardId, who, correction: { identifier: text(data['identifier']), issuer: text(data['issuer']), reason: text(data['reason']), explanation: text(data['explanation']) } });
        } catch (error) {
          if (isLoupeError(error, ErrorCode.Forbidden)) return says(plain(CORRECTION_REFUSED.forbidden));
          if (isLoupeError(error, ErrorCode.InvalidInput) || isLoupeError(error, ErrorCode.AlreadyLinked)) return shows(correctForm(cardId, text(data['issuer']), `Nothing was changed: ${error.message}.`));
          throw error;
        }
        return drawn(workspaceId, cardId, who);
      }
      case CardVerb.LinkPatientSubmit: {
        const refused = await link(cardId, who, data);
        if (refused) return shows(linkForm(cardId, text(data['issuer']), refused));
        return drawn(workspaceId, cardId, who);
      }
      case CardVerb.SendToPacs: {
        if (!d.pacs?.pacs) return says('Loupe does not know this action.');
        try {
          return says(plain(pacsAnswer(await requestPacsExport(d.pacs, { cardId, who }))));
        } catch (error) {
          if (isLoupeError(error, ErrorCode.NotFound)) return says(NO_LONGER_KNOWN);
          throw error;
        }
      }
      case TeachingVerb.Share:
      case TeachingVerb.Confirm:
        if (!d.teaching) return says('Loupe does not know this action.');
        return teachingAction(d.teaching, { says, shows }, { verb, cardId, who, data });
      default:
        return says('Loupe does not know this action.');
    }
  }

  /** The Link patient dialog, opened from the sender's private prompt. */
  async function onDialog(press: Press, name: 'task/fetch' | 'task/submit', data: Record<string, unknown>): Promise<unknown> {
    const cardId = text(data['cardId']);
    const who = await requester(press, cardId);
    if (!who) return { task: { type: 'message', value: NOT_HERE } };
    const form = await linkPatientForm({ ...d.link, policies: d.policies }, { cardId, who });
    if (form.outcome === 'no_card') return { task: { type: 'message', value: NO_LONGER_KNOWN } };
    if (form.outcome === 'refused') return { task: { type: 'message', value: plain(LINK_REFUSED[form.reason]) } };
    if (name === 'task/fetch') return linkDialog(form.cardId, form.defaultIssuer);
    const refused = await link(form.cardId, who, data);
    if (refused) return linkDialog(form.cardId, text(data['issuer']) || form.defaultIssuer, refused);
    return { task: { type: 'message', value: PROMPT_DONE } };
  }

  return { onExecute, onDialog };
}
