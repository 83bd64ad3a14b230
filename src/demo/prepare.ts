// Once Loupe listens: the stand-ins deliver their events to it, and the demo
// workspaces' consult channels start with interception on (in Teams, the
// workspace default: its channels, the group chat and personal chats).
import type { Storage } from '../storage/services.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../storage/workspaces.js';
import { TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_USERS } from './teams/index.js';
import type { Demo } from './stand-ins.js';

const DEMO_POLICY = { interception: true, identifierPattern: '\\b(MRN\\d{6})\\b', identifierIssuer: 'DEMO-HOSPITAL' };

async function intercept(storage: Storage, workspaceId: string, channels: string[], admin: { type: 'admin'; id: string }): Promise<void> {
  for (const channel of channels) {
    const policy = await storage.policies.effective(workspaceId, channel);
    if (!policy.interception) await storage.policies.change(workspaceId, channel, DEMO_POLICY, admin);
  }
}

export async function prepareDemo(demo: Demo, storage: Storage, port: number): Promise<void> {
  demo.slack.setEventsUrl(`http://127.0.0.1:${port}/slack/events`);
  demo.teams.deliverTo(`http://127.0.0.1:${port}/api/messages`);
  const admin = { type: 'admin' as const, id: demo.adminUserId };
  const slack = await storage.workspaces.ensure('slack', demo.teamId, demo.teamId, admin);
  await intercept(storage, slack.id, demo.interceptedChannels, admin);
  // The team's owner, as Teams would name them.
  const teamsAdmin = { type: 'admin' as const, id: TEAMS_DEMO_USERS.jordan.aadObjectId };
  const teams = await storage.workspaces.ensure('teams', TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_TENANT_ID, teamsAdmin);
  await intercept(storage, teams.id, [WORKSPACE_DEFAULT_CHANNEL], teamsAdmin);
}
