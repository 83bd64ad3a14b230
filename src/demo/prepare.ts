// Once Loupe listens: the stand-in delivers its events to it, and the demo
// workspace's consult channels start with interception on.
import type { Storage } from '../storage/services.js';
import type { Demo } from './stand-ins.js';

export async function prepareDemo(demo: Demo, storage: Storage, port: number): Promise<void> {
  demo.slack.setEventsUrl(`http://127.0.0.1:${port}/slack/events`);
  const admin = { type: 'admin' as const, id: demo.adminUserId };
  const workspace = await storage.workspaces.ensure('slack', demo.teamId, demo.teamId, admin);
  for (const channel of demo.interceptedChannels) {
    const policy = await storage.policies.effective(workspace.id, channel);
    if (!policy.interception) {
      await storage.policies.change(workspace.id, channel, { interception: true, identifierPattern: '\\b(MRN\\d{6})\\b', identifierIssuer: 'DEMO-HOSPITAL' }, admin);
    }
  }
}
