// Tells people of a newly raised alert, after its transaction committed: the
// admins of the channel where its newest fact happened, privately in chat, in
// the rule's plain words with a count and a link to the alert's console page.
// No patient, asset or user is named. An alert with no channel (a sign-in
// spike, the audit chain, a dead job) goes to the workspace admins of its
// workspace, or of every workspace when it belongs to none, in their direct
// messages with Loupe. Best effort: chat trouble is logged, never thrown.
import type { Logger } from '../logging.js';
import { describeError } from '../core/errors.js';
import type { Database } from '../storage/database.js';
import type { RaisedAlert } from './evaluate-alerts.js';
import type { ViewerDirectory } from './ports/viewer-directory.js';

export interface AlertDelivery {
  db: Database;
  directory: Pick<ViewerDirectory, 'alertAdmins' | 'alertWorkspaceAdmins'>;
  publicUrl: URL;
  logger: Logger;
}

export function alertHref(alertId: string): string {
  return `/admin/alerts/${alertId}`;
}

export async function deliverAlerts(d: AlertDelivery, raised: readonly RaisedAlert[]): Promise<void> {
  for (const alert of raised) {
    const notice = { kind: 'breach_alert', rule: alert.rule, count: alert.count, alertUrl: new URL(alertHref(alert.id), d.publicUrl).href } as const;
    const failed = (error: unknown) => d.logger.warn({ err: describeError(error), alertId: alert.id, rule: alert.rule }, 'breach alert not delivered in chat');
    const consult = alert.consultId ? await d.db.prisma.consult.findUnique({ where: { id: alert.consultId }, select: { channelId: true, workspaceId: true } }) : null;
    if (consult && consult.workspaceId === alert.workspaceId) {
      await d.directory.alertAdmins(consult.workspaceId, consult.channelId, notice).catch(failed);
      continue;
    }
    // No channel: the workspace's own admins, or (sign-in spike, audit chain) every workspace's.
    const workspaces = alert.workspaceId ? [{ id: alert.workspaceId }] : await d.db.prisma.workspace.findMany({ select: { id: true } });
    for (const w of workspaces) await d.directory.alertWorkspaceAdmins(w.id, notice).catch(failed);
  }
}
