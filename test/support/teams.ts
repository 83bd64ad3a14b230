// A whole Loupe instance wired to the local Teams stand-in, as an operator
// would configure it for a sovereign cloud: only the endpoints differ.
import { TEAMS_DEMO_TENANT_ID, TeamsStandIn, type TeamsDirectory } from '../../src/demo/teams/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe, type Loupe } from '../../src/main.js';
import type { Engine } from '../../src/storage/database.js';
import { createInstanceEnv, type InstanceEnv } from './instance.js';
import { until } from './until.js';

export const TEAMS_APP_ID = '4d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
export const TEAMS_SECRET = 'teams-stand-in-client-secret';

export interface TeamsLoupe {
  inst: InstanceEnv;
  loupe: Loupe;
  teams: TeamsStandIn;
  workspaceId: string;
  close(): Promise<void>;
}

/** Loupe's Teams settings for a running stand-in. */
export const teamsEnv = (teams: TeamsStandIn): NodeJS.ProcessEnv => teams.loupeEnv();

/** `certificate`: the app's registered certificate (PEM), for Loupe configured with its key instead of the secret; `directory`: the tenant's people and teams (the demo's by default). */
export async function startTeamsLoupe(engine: Engine, o: { dlp?: boolean; env?: NodeJS.ProcessEnv; certificate?: string; endorsements?: string[]; directory?: TeamsDirectory } = {}): Promise<TeamsLoupe> {
  const teams = await TeamsStandIn.start({
    appId: TEAMS_APP_ID,
    tenantId: TEAMS_DEMO_TENANT_ID,
    clientSecret: TEAMS_SECRET,
    dlp: o.dlp ?? true,
    ...(o.certificate ? { certificate: o.certificate } : {}),
    ...(o.endorsements ? { endorsements: o.endorsements } : {}),
    ...(o.directory ? { directory: o.directory } : {}),
  });
  const inst = await createInstanceEnv(engine, { ...teamsEnv(teams), ...o.env });
  const loupe = await createLoupe(loadConfig(inst.env), createLogger('silent'));
  const { port } = await loupe.listen();
  teams.deliverTo(`http://127.0.0.1:${port}/api/messages`);
  const workspace = await loupe.services.storage.workspaces.ensure('teams', TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_TENANT_ID, { type: 'system', id: 'test' });
  return {
    inst,
    loupe,
    teams,
    workspaceId: workspace.id,
    close: async () => {
      await loupe.stop();
      await teams.close();
      await inst.cleanup();
    },
  };
}

/**
 * A photo posted by `user` in a team channel, once its card is posted and the
 * photo cleaned: the card's thread, message and row, and a press of one of
 * its buttons by the sender (the invoke's answer, as JSON).
 */
export async function postedPhotoCard(env: TeamsLoupe, o: { user: string; team: string; channel: string; photo: Buffer }) {
  const { teams, loupe } = env;
  const prisma = loupe.services.storage.db.prisma;
  const p = await teams.postFile({ user: o.user, place: { team: o.team, channel: o.channel }, name: 'photo.jpg', bytes: o.photo });
  const thread = `${o.channel};messageid=${p.messageId}`;
  const message = await until('the card', () => teams.messages.find((m) => m.byBot && m.conversationId === thread));
  const card = await until('the card row', async () => (await prisma.card.findFirst({ where: { threadId: p.messageId, messageId: { not: null } } })) ?? undefined);
  // Shared once cleaned: its card comes before its clean-up.
  await until('the photo cleaned', async () => (await prisma.asset.findFirst({ where: { id: card.assetId, status: 'stored' } })) ?? undefined);
  const press = async (verb: string, data: Record<string, unknown> = {}) =>
    JSON.stringify((await teams.invoke({ user: o.user, conversationId: thread, replyToId: message.id, name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data: { cardId: card.id, ...data } }, trigger: 'manual' } })).body ?? null);
  return { thread, message, card, press };
}
