// Legal holds as stored: on a channel (or, with "*", every channel of a
// workspace), a patient or an asset, each with its reason and who set it.
// While a hold is not lifted, nothing it covers is shredded. Placing and
// lifting are audited in the same transaction (ids only: the reason, which
// an admin writes freely, stays in the hold).
import { AuditAction, type AuditActionName, type AuditActor, type AuditEventInput } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { DEFAULT_POLICY, identifierIn } from '../core/policy/channel-policy.js';
import type { AuditLog } from './audit-log.js';
import type { Database } from './database.js';
import type { LegalHold } from './prisma/client.js';
import { transaction, type Tx } from './transaction.js';
import { WORKSPACE_DEFAULT_CHANNEL } from './workspaces.js';

export type HoldScope = 'channel' | 'patient' | 'asset';
export type { LegalHold };

export interface HoldTarget {
  scope: HoldScope;
  /** A channel id ("*" for the whole workspace), a patient id or an asset id. */
  targetId: string;
}

/** Which holds cover one asset: on itself, on its patient, on its channel (or workspace). */
export interface HeldFacts {
  asset: boolean;
  patient: boolean;
  channel: boolean;
}

type Reader = Pick<Tx, 'legalHold' | 'asset'>;

/** Arbitrary constant naming the legal-hold lock among advisory locks (the audit head has its own). */
const HOLD_LOCK = 0x4c484c44;

/**
 * Placing a hold and shredding take turns per workspace: without it, a hold
 * committed while a shred had already read "no holds" would not save the asset.
 */
export async function lockHolds(tx: Tx, workspaceId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${HOLD_LOCK}::int, hashtext(${workspaceId}))`;
}

/** The longest reason a hold (or its lifting) takes. */
export const MAX_HOLD_REASON = 500;

/** The holds in force on a channel (its own, or the whole workspace's "*"), as a filter on a workspace's holds. */
export function channelHoldsWhere(channelId: string) {
  return { scope: 'channel' as const, targetId: { in: [WORKSPACE_DEFAULT_CHANNEL, channelId] }, liftedAt: null };
}

/** The holds in force on an asset, read in the caller's transaction (the shredder's, under its row lock). */
export async function holdsOnAsset(db: Reader, assetId: string): Promise<HeldFacts> {
  const asset = await db.asset.findUnique({ where: { id: assetId }, select: { workspaceId: true, patientId: true, consult: { select: { channelId: true } } } });
  if (!asset) return { asset: false, patient: false, channel: false };
  const holds = await db.legalHold.findMany({
    where: {
      workspaceId: asset.workspaceId,
      liftedAt: null,
      OR: [
        { scope: 'asset', targetId: assetId },
        ...(asset.patientId ? [{ scope: 'patient' as const, targetId: asset.patientId }] : []),
        { scope: 'channel', targetId: { in: [WORKSPACE_DEFAULT_CHANNEL, ...(asset.consult ? [asset.consult.channelId] : [])] } },
      ],
    },
    select: { scope: true },
  });
  return { asset: holds.some((h) => h.scope === 'asset'), patient: holds.some((h) => h.scope === 'patient'), channel: holds.some((h) => h.scope === 'channel') };
}

/** A hold's audit event: ids only (what it holds, by the column that names it), never its reason. */
function holdEvent(hold: LegalHold, action: AuditActionName, actor: AuditActor, requestId: string | undefined): AuditEventInput {
  const { scope, targetId } = hold;
  return {
    actor,
    action,
    outcome: 'success',
    workspaceId: hold.workspaceId,
    requestId: requestId ?? null,
    ...(scope === 'patient' ? { patientId: targetId } : scope === 'asset' ? { assetId: targetId } : {}),
    details: { hold: hold.id, scope, ...(scope === 'channel' ? { channelId: targetId } : {}) },
  };
}

export class LegalHolds {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /**
   * A reason is kept readable (the console shows it), so it must be a matter
   * or case reference, never a patient: one that an identifier pattern of the
   * workspace finds in it is refused, with a stable code the form explains.
   */
  private async checkReason(workspaceId: string, why: string, what: string): Promise<void> {
    if (!why || why.length > MAX_HOLD_REASON) throw new LoupeError(ErrorCode.InvalidInput, `${what} needs a reason of at most ${MAX_HOLD_REASON} characters`);
    const patterns = await this.db.prisma.channelPolicy.findMany({ where: { workspaceId, identifierPattern: { not: null } }, select: { identifierPattern: true }, distinct: ['identifierPattern'] });
    if (patterns.some((p) => identifierIn({ ...DEFAULT_POLICY, identifierPattern: p.identifierPattern }, why) !== undefined)) {
      throw new LoupeError(ErrorCode.HoldReasonNamesPatient, 'the reason names a patient identifier');
    }
  }

  /** Places a hold; the target must belong to the workspace. */
  async place(workspaceId: string, target: HoldTarget, reason: string, actor: AuditActor, requestId?: string): Promise<LegalHold> {
    const why = reason.trim();
    await this.checkReason(workspaceId, why, 'a legal hold');
    return transaction(this.db, async (tx) => {
      await lockHolds(tx, workspaceId);
      await this.checkTarget(tx, workspaceId, target);
      const hold = await tx.legalHold.create({
        data: { workspaceId, scope: target.scope, targetId: target.targetId, reason: why, setBy: actor.id ?? 'unknown', setAt: this.clock.now() },
      });
      await this.audit.append(tx, holdEvent(hold, AuditAction.LegalHoldPlaced, actor, requestId));
      return hold;
    });
  }

  /** Lifts a hold still in force; lifting twice is refused, not repeated. */
  async lift(workspaceId: string, holdId: string, reason: string, actor: AuditActor, requestId?: string): Promise<LegalHold> {
    const why = reason.trim();
    await this.checkReason(workspaceId, why, 'lifting a legal hold');
    return transaction(this.db, async (tx) => {
      const lifted = await tx.legalHold.updateMany({
        where: { id: holdId, workspaceId, liftedAt: null },
        data: { liftedAt: this.clock.now(), liftedBy: actor.id ?? 'unknown', liftReason: why },
      });
      if (lifted.count !== 1) throw new LoupeError(ErrorCode.NotFound, 'no such legal hold in force');
      const hold = await tx.legalHold.findUniqueOrThrow({ where: { id: holdId } });
      await this.audit.append(tx, holdEvent(hold, AuditAction.LegalHoldLifted, actor, requestId));
      return hold;
    });
  }

  /** Holds of some workspaces, those in force first, newest first. */
  async list(workspaceIds: readonly string[], includeLifted = false): Promise<LegalHold[]> {
    return this.db.prisma.legalHold.findMany({
      where: { workspaceId: { in: [...workspaceIds] }, ...(includeLifted ? {} : { liftedAt: null }) },
      orderBy: [{ liftedAt: { sort: 'desc', nulls: 'first' } }, { setAt: 'desc' }],
      take: 500,
    });
  }

  private async checkTarget(tx: Tx, workspaceId: string, target: HoldTarget): Promise<void> {
    const found =
      target.scope === 'channel'
        ? target.targetId.length > 0 && target.targetId.length <= 128
        : target.scope === 'patient'
          ? (await tx.patient.count({ where: { id: target.targetId, workspaceId } })) === 1
          : // A shredded asset has nothing left to keep.
            (await tx.asset.count({ where: { id: target.targetId, workspaceId, shreddedAt: null } })) === 1;
    if (!found) throw new LoupeError(ErrorCode.NotFound, 'nothing to hold by that id in this workspace');
  }
}
