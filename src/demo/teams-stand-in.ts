// The demo's Teams: the local Teams stand-in with the demo tenant, and the
// ordinary Teams configuration (endpoints, a generated app id and client
// secret) that points Loupe's real Teams adapter at it.
import { randomBytes, randomUUID } from 'node:crypto';
import type { TeamsConfig } from '../config.js';
import { TEAMS_DEMO_TENANT_ID, TeamsStandIn } from './teams/index.js';

export async function startTeamsStandIn(): Promise<{ teams: TeamsStandIn; config: TeamsConfig }> {
  const appId = randomUUID();
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
