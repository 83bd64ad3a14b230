// Legal holds from the console: placing one on a channel (or the whole
// workspace), a patient or an asset, with a reason, and lifting it with a
// reason; each only for someone the core lets hold in that very place. A
// hold's place: its channel, its asset's channel, or (a patient's, whose
// images may be in any channel; the whole workspace's) the whole workspace.
// The reasons stay in the hold: the audit events name ids only.
import { ErrorCode, LoupeError, isLoupeError } from '../../core/errors.js';
import { MAX_HOLD_REASON, type HoldScope, type LegalHold } from '../../storage/legal-holds.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';
import { consoleChannels } from './channels.js';
import type { ConsolePlace } from './console-access.js';
import { isLoupeId } from '../../core/ids.js';
import { checkChannelId, refused, requireConsoleAction, type ConsoleCaller } from './console-caller.js';

export { MAX_HOLD_REASON };

export interface HoldsView {
  inForce: LegalHold[];
  lifted: LegalHold[];
  /** Display names of the people who set or lifted holds, by sign-in subject, where Loupe saw them sign in. */
  names: Map<string, string>;
  /**
   * The workspaces holds may be placed in, with their channels for the form;
   * `whole`: the whole workspace (patients, assets outside a channel, "*"), not only some channels.
   */
  workspaces: { id: string; name: string; channels: string[]; whole: boolean }[];
  /** Each hold's place, for deciding who may lift it. */
  placeOf: Map<string, ConsolePlace>;
}

/** The channel each asset was posted in (none for an asset outside a consult). */
async function channelsOfAssets(c: ConsoleCaller, assetIds: readonly string[]): Promise<Map<string, string | undefined>> {
  if (assetIds.length === 0) return new Map();
  const found = await c.storage.db.prisma.asset.findMany({ where: { id: { in: [...assetIds] } }, select: { id: true, consult: { select: { channelId: true } } } });
  return new Map(found.map((a) => [a.id, a.consult?.channelId]));
}

const placeFor = (h: Pick<LegalHold, 'workspaceId' | 'scope' | 'targetId'>, assetChannel: Map<string, string | undefined>): ConsolePlace => {
  if (h.scope === 'channel') return { workspaceId: h.workspaceId, channelId: h.targetId };
  if (h.scope === 'asset') return { workspaceId: h.workspaceId, channelId: assetChannel.get(h.targetId) };
  return { workspaceId: h.workspaceId };
};

export async function holdsView(c: ConsoleCaller): Promise<HoldsView> {
  const workspaces = [];
  for (const w of await c.storage.workspaces.list()) {
    const whole = c.access.may('set_legal_hold', { workspaceId: w.id }).allow;
    const channels = whole ? await consoleChannels(c.storage.db, w.id) : c.access.channelsFor('set_legal_hold', w.id);
    if (channels.length) workspaces.push({ id: w.id, name: w.name, channels, whole });
  }
  const listed = await c.storage.legalHolds.list(workspaces.map((w) => w.id), true);
  const assetChannel = await channelsOfAssets(c, listed.filter((h) => h.scope === 'asset').map((h) => h.targetId));
  const placeOf = new Map(listed.map((h) => [h.id, placeFor(h, assetChannel)]));
  // Someone who holds in some channels only sees the holds on those channels and their images.
  const holds = listed.filter((h) => c.access.may('set_legal_hold', placeOf.get(h.id)).allow);
  const people = [...new Set(holds.flatMap((h) => [h.setBy, h.liftedBy ?? '']).filter(Boolean))];
  const names = new Map<string, string>();
  for (const subject of people) {
    const s = await c.storage.db.prisma.viewerSession.findFirst({ where: { oidcSubject: subject, displayName: { not: '' } }, orderBy: { createdAt: 'desc' }, select: { displayName: true } });
    if (s) names.set(subject, s.displayName);
  }
  return { inForce: holds.filter((h) => !h.liftedAt), lifted: holds.filter((h) => h.liftedAt).sort((a, b) => b.liftedAt!.getTime() - a.liftedAt!.getTime()), names, workspaces, placeOf };
}

export interface PlaceHoldInput {
  workspaceId: string;
  scope: string;
  targetId: string;
  reason: string;
}

/** `names_patient`: the reason names a patient identifier (reasons are kept readable: a matter or case reference only). */
export type HoldResult = { ok: true } | { ok: false; problem: 'reason' | 'names_patient' | 'target' | 'lifted' };

const goodReason = (r: string) => r.trim().length > 0 && r.trim().length <= MAX_HOLD_REASON;

export async function placeHold(c: ConsoleCaller, input: PlaceHoldInput): Promise<HoldResult> {
  const scope = input.scope as HoldScope;
  const targetId = input.targetId.trim();
  if (scope === 'channel') checkChannelId(targetId);
  else if (!((scope === 'asset' || scope === 'patient') && isLoupeId(targetId))) {
    // Still refused (audited) first if they may not hold anywhere in the workspace.
    const somewhere = c.access.channelsFor('set_legal_hold', input.workspaceId)[0];
    await requireConsoleAction(c, 'set_legal_hold', { workspaceId: input.workspaceId, channelId: somewhere ?? WORKSPACE_DEFAULT_CHANNEL });
    return { ok: false, problem: 'target' };
  }
  await requireConsoleAction(c, 'set_legal_hold', await holdPlace(c, input.workspaceId, scope, targetId));
  if (!goodReason(input.reason)) return { ok: false, problem: 'reason' };
  try {
    await c.storage.legalHolds.place(input.workspaceId, { scope, targetId: scope === 'channel' ? targetId : targetId.toLowerCase() }, input.reason, c.actor, c.requestId);
  } catch (error) {
    if (isLoupeError(error, ErrorCode.NotFound)) return { ok: false, problem: 'target' };
    if (isLoupeError(error, ErrorCode.HoldReasonNamesPatient)) return { ok: false, problem: 'names_patient' };
    throw error;
  }
  return { ok: true };
}

/** Lifts a hold in force; the hold's own workspace decides who may. */
export async function liftHold(c: ConsoleCaller, input: { holdId: string; reason: string }): Promise<HoldResult> {
  const hold = isLoupeId(input.holdId) ? await c.storage.db.prisma.legalHold.findUnique({ where: { id: input.holdId } }) : null;
  if (!hold) throw new LoupeError(ErrorCode.NotFound, 'no such legal hold');
  const place = await holdPlace(c, hold.workspaceId, hold.scope, hold.targetId);
  await requireConsoleAction(c, 'set_legal_hold', place);
  if (!c.access.mayLift(place, hold.setBy)) {
    await refused(c.storage.audit, c, { action: 'lift_legal_hold', workspaceId: hold.workspaceId, details: { hold: hold.id } });
    throw new LoupeError(ErrorCode.Forbidden, 'only a privacy officer, or whoever placed it, may lift this hold');
  }
  if (!goodReason(input.reason)) return { ok: false, problem: 'reason' };
  if (hold.liftedAt) return { ok: false, problem: 'lifted' };
  try {
    await c.storage.legalHolds.lift(hold.workspaceId, hold.id, input.reason, c.actor, c.requestId);
  } catch (error) {
    // Someone else lifted it meanwhile.
    if (isLoupeError(error, ErrorCode.NotFound)) return { ok: false, problem: 'lifted' };
    if (isLoupeError(error, ErrorCode.HoldReasonNamesPatient)) return { ok: false, problem: 'names_patient' };
    throw error;
  }
  return { ok: true };
}

/** Where holding this target is decided: its channel, its asset's channel (an asset of another workspace has none), or the whole workspace. */
async function holdPlace(c: ConsoleCaller, workspaceId: string, scope: HoldScope, targetId: string): Promise<ConsolePlace> {
  if (scope === 'channel') return { workspaceId, channelId: targetId };
  if (scope === 'patient') return { workspaceId };
  const asset = await c.storage.db.prisma.asset.findFirst({ where: { id: targetId.toLowerCase(), workspaceId }, select: { consult: { select: { channelId: true } } } });
  return { workspaceId, channelId: asset?.consult?.channelId };
}
