// The demo's Teams: the local Teams stand-in with the demo tenant, and the
// ordinary Teams configuration (endpoints, the demo's app id and a generated
// client secret) that points Loupe's real Teams adapter at it.
import { randomBytes } from 'node:crypto';
import type { TeamsConfig } from '../config.js';
import { TEAMS_DEMO_TENANT_ID, TeamsStandIn } from './teams/index.js';

/** Fixed, as a registered bot's is: the saved chat's cards are the bot's ('28:<app id>') after a restart too. */
export const TEAMS_DEMO_APP_ID = '0f7c5d1e-7a10-4c55-9b3e-0000000000a1';

export async function startTeamsStandIn(): Promise<{ teams: TeamsStandIn; config: TeamsConfig }> {
  const appId = TEAMS_DEMO_APP_ID;
  const secret = randomBytes(24).toString('hex');
  const teams = await TeamsStandIn.start({ appId, tenantId: TEAMS_DEMO_TENANT_ID, clientSecret: secret });
  return {
    teams,
    config: {
      appId,
      tenantId: TEAMS_DEMO_TENANT_ID,
      credential: { kind: 'secret', secret },
      loginUrl: new URL(teams.origins.login),
      openIdMetadataUrl: new URL(teams.openIdMetadataUrl),
      tokenIssuer: 'https://api.botframework.com',
      botScope: 'https://api.botframework.com/.default',
      graphUrl: new URL(teams.graphUrl),
      serviceUrlHosts: [new URL(teams.serviceUrl).host],
      fileHosts: [new URL(teams.origins.files).host],
      adminObjectIds: [],
      removal: 'policy_violation',
    },
  };
}
