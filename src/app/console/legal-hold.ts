// Legal holds from the console: placing one on a channel (or the whole
// workspace), a patient or an asset, with a reason, and lifting it with a
// reason; each only for someone the core lets hold in that very workspace.
// The reasons stay in the hold: the audit events name ids only.
import { AuditAction } from '../../core/audit/event.js';
import { ErrorCode, LoupeError, isLoupeError } from '../../core/errors.js';
import { MAX_HOLD_REASON, type HoldScope, type LegalHold } from '../../storage/legal-holds.js';

export { MAX_HOLD_REASON };
import { consoleChannels } from './channels.js';
import { checkChannelId, requireConsoleAction, type ConsoleCaller } from './change-policy.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface HoldsView {
  inForce: LegalHold[];
  lifted: LegalHold[];
  /** Display names of the people who set or lifted holds, by sign-in subject, where Loupe saw them sign in. */
  names: Map<string, string>;
  /** The workspaces holds may be placed in, with their channels for the form. */
  workspaces: { id: string; name: string; channels: string[] }[];
}

export async function holdsView(c: ConsoleCaller): Promise<HoldsView> {
  const all = await c.storage.workspaces.list();
  const allowed = all.filter((w) => c.access.may('set_legal_hold', w.id).allow);
  const holds = await c.storage.legalHolds.list(allowed.map((w) => w.id), true);
  const people = [...new Set(holds.flatMap((h) => [h.setBy, h.liftedBy ?? '']).filter(Boolean))];
  const names = new Map<string, string>();
  for (const subject of people) {
    const s = await c.storage.db.prisma.viewerSession.findFirst({ where: { oidcSubject: subject, displayName: { not: '' } }, orderBy: { createdAt: 'desc' }, select: { displayName: true } });
    if (s) names.set(subject, s.displayName);
  }
  const workspaces = [];
  for (const w of allowed) workspaces.push({ id: w.id, name: w.name, channels: await consoleChannels(c.storage.db, w.id) });
  return { inForce: holds.filter((h) => !h.liftedAt), lifted: holds.filter((h) => h.liftedAt).sort((a, b) => b.liftedAt!.getTime() - a.liftedAt!.getTime()), names, workspaces };
}

export interface PlaceHoldInput {
  workspaceId: string;
  scope: string;
  targetId: string;
  reason: string;
}

export type HoldResult = { ok: true } | { ok: false; problem: 'reason' | 'target' | 'lifted' };

const goodReason = (r: string) => r.trim().length > 0 && r.trim().length <= MAX_HOLD_REASON;

export async function placeHold(c: ConsoleCaller, input: PlaceHoldInput): Promise<HoldResult> {
  await requireConsoleAction(c, 'set_legal_hold', input.workspaceId);
  const scope = input.scope as HoldScope;
  const targetId = input.targetId.trim();
  if (scope === 'channel') checkChannelId(targetId);
  else if (!((scope === 'asset' || scope === 'patient') && UUID.test(targetId))) return { ok: false, problem: 'target' };
  if (!goodReason(input.reason)) return { ok: false, problem: 'reason' };
  try {
    await c.storage.legalHolds.place(input.workspaceId, { scope, targetId: scope === 'channel' ? targetId : targetId.toLowerCase() }, input.reason, c.actor, c.requestId);
  } catch (error) {
    if (isLoupeError(error, ErrorCode.NotFound)) return { ok: false, problem: 'target' };
    throw error;
  }
  return { ok: true };
}

/** Lifts a hold in force; the hold's own workspace decides who may. */
export async function liftHold(c: ConsoleCaller, input: { holdId: string; reason: string }): Promise<HoldResult> {
  const hold = UUID.test(input.holdId) ? await c.storage.db.prisma.legalHold.findUnique({ where: { id: input.holdId } }) : null;
  if (!hold) throw new LoupeError(ErrorCode.NotFound, 'no such legal hold');
  await requireConsoleAction(c, 'set_legal_hold', hold.workspaceId);
  if (!c.access.mayLift(hold.workspaceId, hold.setBy)) {
    await c.storage.audit.record({ actor: c.actor, action: AuditAction.ConsoleRefused, outcome: 'denied', reason: 'not_allowed', requestId: c.requestId, workspaceId: hold.workspaceId, details: { action: 'lift_legal_hold', hold: hold.id } });
    throw new LoupeError(ErrorCode.Forbidden, 'only a privacy officer, or whoever placed it, may lift this hold');
  }
  if (!goodReason(input.reason)) return { ok: false, problem: 'reason' };
  if (hold.liftedAt) return { ok: false, problem: 'lifted' };
  try {
    await c.storage.legalHolds.lift(hold.workspaceId, hold.id, input.reason, c.actor, c.requestId);
  } catch (error) {
    // Someone else lifted it meanwhile.
    if (isLoupeError(error, ErrorCode.NotFound)) return { ok: false, problem: 'lifted' };
    throw error;
  }
  return { ok: true };
}
