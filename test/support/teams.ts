// A whole Loupe instance wired to the local Teams stand-in, as an operator
// would configure it for a sovereign cloud: only the endpoints differ.
import { TEAMS_DEMO_TENANT_ID, TeamsStandIn } from '../../src/demo/teams/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe, type Loupe } from '../../src/main.js';
import type { Engine } from '../../src/storage/database.js';
import { createInstanceEnv, type InstanceEnv } from './instance.js';

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
export function teamsEnv(teams: TeamsStandIn): NodeJS.ProcessEnv {
  return {
    LOUPE_TEAMS_APP_ID: TEAMS_APP_ID,
    LOUPE_TEAMS_TENANT_ID: TEAMS_DEMO_TENANT_ID,
    LOUPE_TEAMS_CLIENT_SECRET: TEAMS_SECRET,
    LOUPE_TEAMS_LOGIN_URL: teams.origins.login,
    LOUPE_TEAMS_OPENID_METADATA_URL: teams.openIdMetadataUrl,
    LOUPE_TEAMS_GRAPH_URL: teams.graphUrl,
    LOUPE_TEAMS_SERVICE_URL_HOSTS: new URL(teams.serviceUrl).host,
    LOUPE_TEAMS_FILE_HOSTS: new URL(teams.origins.files).host,
  };
}

/** `certificate`: the app's registered certificate (PEM), for Loupe configured with its key instead of the secret. */
export async function startTeamsLoupe(engine: Engine, o: { dlp?: boolean; env?: NodeJS.ProcessEnv; certificate?: string; endorsements?: string[] } = {}): Promise<TeamsLoupe> {
  const teams = await TeamsStandIn.start({ appId: TEAMS_APP_ID, tenantId: TEAMS_DEMO_TENANT_ID, clientSecret: TEAMS_SECRET, dlp: o.dlp ?? true, ...(o.certificate ? { certificate: o.certificate } : {}), ...(o.endorsements ? { endorsements: o.endorsements } : {}) });
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
