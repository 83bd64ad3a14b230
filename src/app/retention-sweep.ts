// The retention sweep (issue 12): crypto-shreds every asset past the
// retention of its channel policy, unless a legal hold covers it. It looks at
// everything overdue, so a run after downtime catches up; it pages through
// candidates by (createdAt, id), so it never loads them all; each shredding
// takes the asset's row lock, so several instances sweeping at once shred an
// asset once. A dry run plans the same and changes (and audits) nothing.
import { DEFAULT_RETENTION_DAYS, type ChannelPolicy } from '../core/policy/channel-policy.js';
import { mayShredForRetention } from '../core/policy/retention.js';
import type { AuditActor } from '../core/audit/event.js';
import { ErrorCode, isLoupeError } from '../core/errors.js';
import { repeatEvery } from '../jobs/schedule-every.js';
import type { JobHandler } from '../jobs/worker.js';
import type { Logger } from '../logging.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { Database } from '../storage/database.js';
import { holdsOnAsset } from '../storage/legal-holds.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../storage/workspaces.js';
import { shredAsset, type ShredAssetDeps } from './shred-asset.js';

export const RETENTION_SWEEP_JOB = 'retention.sweep';

const DAY_MS = 24 * 3600 * 1000;
const ACTOR: AuditActor = { type: 'system', id: 'retention' };
/** What a finished upload can be in; one still being secured belongs to its ingest. */
export const SETTLED = ['stored', 'failed', 'revoked'] as const;

export interface RetentionDeps extends ShredAssetDeps {
  db: Database;
  policies: ChannelPolicies;
}

/** One asset looked at: ids and dates only, nothing about the patient. */
export interface RetentionItem {
  assetId: string;
  kind: string | null;
  workspaceId: string;
  /** Its consult's channel; null for an asset without a consult (the workspace default applies). */
  channelId: string | null;
  receivedAt: Date;
  retentionDays: number | null;
}

export type RetentionOutcome = 'would_shred' | 'shredded' | 'held' | 'already_shredded' | 'failed' | 'kept';

export interface RetentionCounts {
  /** Past retention and not held when looked at. */
  due: number;
  shredded: number;
  /** Past retention but under a legal hold (also one placed while the sweep ran). */
  held: number;
  /** Shredded meanwhile by someone else (another instance's sweep). */
  alreadyShredded: number;
  failed: number;
}

export interface RetentionRun {
  dryRun: boolean;
  now?: Date;
  /** How many assets will be looked at, before the first. */
  onPlanned?: (total: number) => void | Promise<void>;
  /** Each asset looked at, with what happened to it ('kept': not due, or no retention). */
  onAsset?: (item: RetentionItem, outcome: RetentionOutcome) => void | Promise<void>;
  pageSize?: number;
  /** Stops between assets (the worker stopping); what is done stays done. */
  signal?: AbortSignal;
}

/**
 * The oldest receipt date a retention in force could have ended: assets
 * received before `now` minus the smallest retention anywhere. Undefined when
 * no retention is in force at all.
 */
async function cutoff(db: Database, now: Date): Promise<Date | undefined> {
  const prisma = db.prisma;
  const set = await prisma.channelPolicy.aggregate({ where: { setFields: { has: 'retentionDays' }, retentionDays: { gt: 0 } }, _min: { retentionDays: true } });
  // A workspace whose default sets no retention has Loupe's (and so may its channels).
  const onLoupeDefault = await prisma.workspace.count({ where: { policies: { none: { channelId: WORKSPACE_DEFAULT_CHANNEL, setFields: { has: 'retentionDays' } } } } });
  const days = [set._min.retentionDays, onLoupeDefault > 0 ? DEFAULT_RETENTION_DAYS : null].filter((d): d is number => typeof d === 'number');
  if (days.length === 0) return undefined;
  return new Date(now.getTime() - Math.min(...days) * DAY_MS);
}

const NOT_HELD = { asset: false, patient: false, channel: false } as const;

export async function runRetention(deps: RetentionDeps, run: RetentionRun): Promise<RetentionCounts> {
  const now = run.now ?? deps.clock.now();
  const counts: RetentionCounts = { due: 0, shredded: 0, held: 0, alreadyShredded: 0, failed: 0 };
  const before = await cutoff(deps.db, now);
  if (!before) {
    await run.onPlanned?.(0);
    return counts;
  }
  // shreddedAt too: a shredded asset whose status something later overwrote is still a tombstone.
  const where = { status: { in: [...SETTLED] }, shreddedAt: null, createdAt: { lt: before } };
  await run.onPlanned?.(await deps.db.prisma.asset.count({ where }));
  const policies = new Map<string, Promise<ChannelPolicy>>();
  const policyOf = (workspaceId: string, channelId: string) => {
    const key = `${workspaceId}\n${channelId}`;
    if (!policies.has(key)) policies.set(key, deps.policies.effective(workspaceId, channelId));
    return policies.get(key)!;
  };
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const page = await deps.db.prisma.asset.findMany({
      where: { ...where, ...(after ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: run.pageSize ?? 100,
      select: { id: true, kind: true, status: true, workspaceId: true, createdAt: true, consult: { select: { channelId: true } } },
    });
    for (const asset of page) {
      if (run.signal?.aborted) return counts;
      const channelId = asset.consult?.channelId ?? null;
      const policy = await policyOf(asset.workspaceId, channelId ?? WORKSPACE_DEFAULT_CHANNEL);
      const item: RetentionItem = { assetId: asset.id, kind: asset.kind, workspaceId: asset.workspaceId, channelId, receivedAt: asset.createdAt, retentionDays: policy.retentionDays };
      const unheld = { status: asset.status, receivedAt: asset.createdAt, retentionDays: policy.retentionDays, held: NOT_HELD };
      // Holds are read only for an asset that is due: most assets a run looks at are not.
      const facts = mayShredForRetention(unheld, now).allow ? { ...unheld, held: await holdsOnAsset(deps.db.prisma, asset.id) } : unheld;
      const outcome = await decide(deps, run.dryRun, facts, now, asset.id);
      tally(counts, outcome, mayShredForRetention(facts, now).allow);
      await run.onAsset?.(item, outcome);
    }
    const last = page.at(-1);
    if (!last || page.length < (run.pageSize ?? 100)) return counts;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

async function decide(deps: RetentionDeps, dryRun: boolean, facts: Parameters<typeof mayShredForRetention>[0], now: Date, assetId: string): Promise<RetentionOutcome> {
  const rule = mayShredForRetention(facts, now);
  if (!rule.allow) {
    // Held is worth saying only of an asset whose retention is over.
    const dueButHeld = rule.reason === 'held' && mayShredForRetention({ ...facts, held: NOT_HELD }, now).allow;
    return dueButHeld ? 'held' : rule.reason === 'already_shredded' ? 'already_shredded' : 'kept';
  }
  if (dryRun) return 'would_shred';
  try {
    return (await shredAsset(deps, { assetId, actor: ACTOR, reason: 'retention' })) ? 'shredded' : 'already_shredded';
  } catch (error) {
    // A hold placed since the asset was looked at: shredding checked again under the row lock.
    if (isLoupeError(error, ErrorCode.LegalHold)) return 'held';
    return 'failed';
  }
}

function tally(counts: RetentionCounts, outcome: RetentionOutcome, due: boolean): void {
  if (due) counts.due++;
  if (outcome === 'shredded') counts.shredded++;
  else if (outcome === 'held') counts.held++;
  else if (outcome === 'already_shredded') counts.alreadyShredded++;
  else if (outcome === 'failed') counts.failed++;
}

export function retentionSweepHandler(deps: RetentionDeps, periodMs: number, logger?: Logger): JobHandler {
  return repeatEvery(deps, { type: RETENTION_SWEEP_JOB, periodMs }, async (_payload, context) => {
    const counts = await runRetention(deps, { dryRun: false, signal: context.signal });
    // Counts only; a failed asset is simply looked at again by the next run.
    if (counts.failed > 0) logger?.warn({ ...counts }, 'retention sweep: some assets could not be shredded');
  });
}
