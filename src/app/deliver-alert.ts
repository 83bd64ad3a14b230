// Tells people of a newly raised alert, after its transaction committed: the
// admins of the channel where its newest fact happened, privately in chat, in
// the rule's plain words with a count and a link to the alert's console page.
// No patient, asset or user is named. Alerts with no channel (a sign-in spike,
// the audit chain, a dead job) are not sent in chat: the console, /metrics and
// the SIEM export carry them. Best effort: chat trouble is logged, never thrown.
import type { Logger } from '../logging.js';
import { describeError } from '../core/errors.js';
import type { Database } from '../storage/database.js';
import type { RaisedAlert } from './evaluate-alerts.js';
import type { ViewerDirectory } from './ports/viewer-directory.js';

export interface AlertDelivery {
  db: Database;
  directory: Pick<ViewerDirectory, 'alertAdmins'>;
  publicUrl: URL;
  logger: Logger;
}

export function alertHref(alertId: string): string {
  return `/admin/alerts/${alertId}`;
}

export async function deliverAlerts(d: AlertDelivery, raised: readonly RaisedAlert[]): Promise<void> {
  for (const alert of raised) {
    if (!alert.workspaceId || !alert.consultId) continue;
    const consult = await d.db.prisma.consult.findUnique({ where: { id: alert.consultId }, select: { channelId: true, workspaceId: true } });
    if (!consult || consult.workspaceId !== alert.workspaceId) continue;
    const notice = { kind: 'breach_alert', rule: alert.rule, count: alert.count, alertUrl: new URL(alertHref(alert.id), d.publicUrl).href } as const;
    await d.directory.alertAdmins(alert.workspaceId, consult.channelId, notice).catch((error: unknown) => d.logger.warn({ err: describeError(error), alertId: alert.id, rule: alert.rule }, 'breach alert not delivered in chat'));
  }
}
