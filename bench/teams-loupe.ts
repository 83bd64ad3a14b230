// A whole Loupe against the local Teams stand-in, for the benchmarks that go
// through chat: configured with the ordinary Teams settings (only the
// endpoints point at the stand-in), listening, with interception on for the
// whole workspace.
import { TEAMS_DEMO_TENANT_ID, TeamsStandIn } from '../src/demo/teams/index.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/logging.js';
import { createLoupe, type Loupe } from '../src/main.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../src/storage/workspaces.js';

const APP_ID = '4d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
const SECRET = 'bench-teams-client-secret';

export interface TeamsBenchLoupe {
  loupe: Loupe;
  teams: TeamsStandIn;
  config: Config;
  stop(): Promise<void>;
}

export async function startTeamsBenchLoupe(env: NodeJS.ProcessEnv): Promise<TeamsBenchLoupe> {
  const teams = await TeamsStandIn.start({ appId: APP_ID, tenantId: TEAMS_DEMO_TENANT_ID, clientSecret: SECRET });
  const config = loadConfig({
    ...env,
    LOG_LEVEL: 'silent',
    PORT: '0',
    ...teams.loupeEnv(),
  });
  const loupe = await createLoupe(config, createLogger('silent'));
  const { port } = await loupe.listen();
  teams.deliverTo(`http://127.0.0.1:${port}/api/messages`);
  const { storage } = loupe.services;
  const workspace = await storage.workspaces.ensure('teams', TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_TENANT_ID, { type: 'admin', id: 'bench' });
  await storage.policies.change(workspace.id, WORKSPACE_DEFAULT_CHANNEL, { interception: true }, { type: 'admin', id: 'bench' });
  return {
    loupe,
    teams,
    config,
    stop: async () => {
      await loupe.stop();
      await teams.close();
    },
  };
}
