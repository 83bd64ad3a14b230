// Who calls a console use case, and the checks every one of them makes: the
// console action for the exact place it touches, a channel id of the
// platforms' shape, and each refusal recorded the same way. An unknown
// workspace or a malformed id is "not found" and not audited, so no text a
// URL or form carried ever reaches the (unalterable) trail.
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import type { ConsoleAction } from '../../core/console/roles.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { Storage } from '../../storage/services.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';
import type { ConsoleAccess, ConsolePlace } from './console-access.js';

/** A channel id as the platforms write them (Slack C…, Teams 19:…@thread…), or "*". */
const CHANNEL_ID = /^[A-Za-z0-9:@._-]{1,128}$/;

export interface ConsoleCaller {
  storage: Storage;
  /** For the cards' redraws a change queues (a consent's, for one). */
  queue: Pick<JobQueue, 'enqueue'>;
  access: ConsoleAccess;
  actor: AuditActor;
  requestId: string;
  clock: Clock;
}

/** Why the console refused: no console role, a password-only sign-in, a form not from a console page, or an action not allowed there. */
export type ConsoleRefusalReason = 'no_role' | 'mfa_required' | 'csrf' | 'not_allowed';

export interface ConsoleRefusal {
  /** not_allowed unless said. */
  reason?: ConsoleRefusalReason;
  /** The console action refused, when one was asked for. */
  action?: ConsoleAction;
  /** Only a workspace known to exist. */
  workspaceId?: string | undefined;
  /** Further ids Loupe itself made (a session, a hold), never text a URL or form carried. */
  details?: Record<string, string>;
}

/** Records a console refusal: why, the action, the workspace and Loupe's own ids only. */
export async function refused(audit: Pick<AuditLog, 'record'>, who: { actor: AuditActor; requestId?: string | undefined }, r: ConsoleRefusal): Promise<void> {
  await audit.record({
    actor: who.actor,
    action: AuditAction.ConsoleRefused,
    outcome: 'denied',
    reason: r.reason ?? 'not_allowed',
    requestId: who.requestId ?? null,
    ...(r.workspaceId ? { workspaceId: r.workspaceId } : {}),
    details: { ...(r.action ? { action: r.action } : {}), ...r.details },
  });
}

/** Checks the workspace exists, then refuses (audited) unless the core allows the action in this place: the whole workspace, or one channel. */
export async function requireConsoleAction(c: ConsoleCaller, action: ConsoleAction, place: ConsolePlace): Promise<void> {
  const { workspaceId } = place;
  // Unknown first, and not audited: whatever text a URL carries never reaches the trail.
  if (!(await c.storage.db.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } }))) throw new LoupeError(ErrorCode.NotFound, 'no such workspace');
  if (!c.access.may(action, place).allow) {
    // Not the channel id either: it came from a URL or form, and may be any text of its shape.
    await refused(c.storage.audit, c, { action, workspaceId });
    throw new LoupeError(ErrorCode.Forbidden, 'not allowed in this workspace');
  }
}

/** Refuses (audited) unless the core allows the action somewhere at all: a page that is not for this person's roles. */
export async function requireConsoleActionAnywhere(c: Pick<ConsoleCaller, 'storage' | 'access' | 'actor' | 'requestId'>, action: ConsoleAction): Promise<void> {
  if (c.access.may(action).allow) return;
  await refused(c.storage.audit, c, { action });
  throw new LoupeError(ErrorCode.Forbidden, 'not allowed');
}

export function checkChannelId(channelId: string): void {
  if (channelId !== WORKSPACE_DEFAULT_CHANNEL && !CHANNEL_ID.test(channelId)) throw new LoupeError(ErrorCode.NotFound, 'no such channel');
}
