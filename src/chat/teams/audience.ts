// Who a card in a Teams conversation is drawn for: its sender (named by a
// mention) and the admins (the team's owners, and the configured admins who
// are in it), who get their own drawing through Teams' refresh (by their
// Teams ids, at most 60).
import type { TeamsConfig } from '../../config.js';
import type { ChatConversation } from '../../storage/chat-conversations.js';
import type { CardAudience } from './adaptive-card.js';
import type { BotFramework } from './bot-framework.js';
import type { Graph } from './graph.js';

const REFRESH_LIMIT = 60;

/** `pacs`: a PACS is configured, so drawings offer Send to PACS. */
export function cardAudiences(d: { teams: TeamsConfig; framework: BotFramework; graph: Graph; pacs?: boolean }) {
  const connectorOf = (c: ChatConversation) => d.framework.connector(c.serviceUrl);

  /** Entra object ids. */
  async function adminsOf(c: ChatConversation): Promise<string[]> {
    const owners = c.teamId ? await d.graph.teamOwners(c.teamId) : [];
    const configured = [];
    for (const id of d.teams.adminObjectIds) if (!owners.includes(id) && (await connectorOf(c).member(c.conversationId, id))) configured.push(id);
    return [...owners, ...configured];
  }

  async function audienceOf(c: ChatConversation, uploaderId: string, manage = false): Promise<CardAudience> {
    const uploader = await connectorOf(c).member(c.conversationId, uploaderId);
    const refreshFor = uploader ? [uploader.id] : [];
    for (const admin of await adminsOf(c).catch(() => [])) {
      if (refreshFor.length >= REFRESH_LIMIT) break;
      const member = await connectorOf(c).member(c.conversationId, admin);
      if (member && !refreshFor.includes(member.id)) refreshFor.push(member.id);
    }
    return { uploader: uploader && { id: uploader.id, name: uploader.name ?? 'its sender' }, manage, refreshFor, pacs: d.pacs === true };
  }

  return { adminsOf, audienceOf };
}
