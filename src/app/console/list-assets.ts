// The console's asset list: what Loupe holds, row by row, without patient
// pixels or PHI (kind, channel, uploader's chat id, state, removal outcome,
// card expiry, retention end, holds, whether a patient is linked). Paged by
// a keyset on (received, id) so a large hospital's list is never loaded whole.
import type { ConsoleAccess } from './console-access.js';
import { isLoupeId } from '../../core/ids.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { retentionEnd } from '../../core/policy/retention.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import type { Database } from '../../storage/database.js';
import type { HeldFacts } from '../../storage/legal-holds.js';
import type { Prisma } from '../../storage/prisma/client.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';

export const ASSET_STATES = ['received', 'processing', 'stored', 'failed', 'revoked', 'shredded'] as const;
export type AssetState = (typeof ASSET_STATES)[number];
export type CardStateName = 'pending' | 'waiting_for_patient' | 'active' | 'expired' | 'revoked' | 'deleted';
/** What became of the upload in the chat: removed, the sender asked to remove it, it could not be removed, or not yet known. */
export type RemovalOutcome = 'removed' | 'requested' | 'not_removed' | 'pending';

export interface AssetRow {
  id: string;
  receivedAt: Date;
  kind: 'photo' | 'dicom' | null;
  /** The DICOM modality from the stored non-identifying facts, when known. */
  modality: string | null;
  workspaceId: string;
  channelId: string | null;
  /** The uploader's chat user id. */
  uploaderId: string;
  state: AssetState;
  /** The state of the asset's latest card, if it has one. */
  cardState: CardStateName | null;
  cardExpiresAt: Date | null;
  removal: RemovalOutcome;
  /** Undefined: kept until someone sets a retention. */
  retentionEnd: Date | undefined;
  held: HeldFacts;
  patientLinked: boolean;
  shreddedAt: Date | null;
}

export interface AssetFilter {
  workspaceId?: string | undefined;
  channelId?: string | undefined;
  state?: AssetState | undefined;
}

/** A position in the list: an asset's received time and id (no patient data). */
export interface AssetCursor {
  at: Date;
  id: string;
}

export interface AssetPage {
  rows: AssetRow[];
  /** Where the next (older) page starts, if there is one. */
  older: AssetCursor | undefined;
  /** Where the previous (newer) page ends, if there is one. */
  newer: AssetCursor | undefined;
}

export interface ListAssetsDeps {
  db: Database;
  policies: Pick<ChannelPolicies, 'resolved'>;
}

const MAX_PAGE = 100;

export function encodeCursor(c: AssetCursor): string {
  return `${c.at.getTime()}_${c.id}`;
}

/** A cursor from a query string; anything malformed is no cursor (the first page). */
export function decodeCursor(value: unknown): AssetCursor | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{1,15})_(.+)$/.exec(value);
  if (!m || !isLoupeId(m[2]!)) return undefined;
  return { at: new Date(Number(m[1])), id: m[2]! };
}

const ROW_SELECT = {
  id: true,
  createdAt: true,
  kind: true,
  metadata: true,
  workspaceId: true,
  uploaderId: true,
  status: true,
  removal: true,
  patientId: true,
  shreddedAt: true,
  consult: { select: { channelId: true } },
  cards: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 1, select: { state: true, expiresAt: true } },
} satisfies Prisma.AssetSelect;

type Selected = Prisma.AssetGetPayload<{ select: typeof ROW_SELECT }>;

/** One page of the assets in the workspaces the person may list, newest first. */
export async function listAssets(
  deps: ListAssetsDeps,
  o: { access: Pick<ConsoleAccess, 'workspacesFor' | 'channelsFor'>; allWorkspaceIds: readonly string[]; filter: AssetFilter; after?: AssetCursor | undefined; before?: AssetCursor | undefined; limit: number },
): Promise<AssetPage> {
  const whole = o.access.workspacesFor('list_assets', o.allWorkspaceIds);
  // Channel by channel where the person runs some channels only (a Teams team's owner).
  const partial = o.allWorkspaceIds.filter((w) => !whole.includes(w)).map((workspaceId) => ({ workspaceId, channels: o.access.channelsFor('list_assets', workspaceId) })).filter((p) => p.channels.length > 0);
  const named = o.filter.workspaceId;
  if (named !== undefined && !whole.includes(named) && !partial.some((p) => p.workspaceId === named)) {
    throw new LoupeError(ErrorCode.Forbidden, 'you may not list the assets of that workspace');
  }
  const scope: Prisma.AssetWhereInput[] = [
    ...whole.filter((w) => named === undefined || w === named).map((w): Prisma.AssetWhereInput => ({ workspaceId: w })),
    ...partial.filter((p) => named === undefined || p.workspaceId === named).map((p): Prisma.AssetWhereInput => ({ workspaceId: p.workspaceId, consult: { channelId: { in: p.channels } } })),
  ];
  if (scope.length === 0) return { rows: [], older: undefined, newer: undefined };
  const limit = Math.min(Math.max(1, Math.floor(o.limit)), MAX_PAGE);
  const newerFirst = o.before === undefined;
  const cursor = o.before ?? o.after;
  const where: Prisma.AssetWhereInput = {
    AND: [{ OR: scope }, ...(o.filter.channelId !== undefined ? [{ consult: { channelId: o.filter.channelId } }] : [])],
    ...(o.filter.state !== undefined ? { status: o.filter.state } : {}),
    ...(cursor ? { OR: newerFirst ? [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] : [{ createdAt: { gt: cursor.at } }, { createdAt: cursor.at, id: { gt: cursor.id } }] } : {}),
  };
  const dir = newerFirst ? 'desc' : 'asc';
  const found = await deps.db.prisma.asset.findMany({ where, orderBy: [{ createdAt: dir }, { id: dir }], take: limit + 1, select: ROW_SELECT });
  const more = found.length > limit;
  const page = found.slice(0, limit);
  if (!newerFirst) page.reverse();
  const rows = await describeAssets(deps, page);
  const first = rows[0];
  const last = rows.at(-1);
  const at = (r: AssetRow | undefined) => (r ? { at: r.receivedAt, id: r.id } : undefined);
  return {
    rows,
    older: newerFirst ? (more ? at(last) : undefined) : at(last),
    newer: newerFirst ? (cursor ? at(first) : undefined) : more ? at(first) : undefined,
  };
}

/** The assets matching `where` (at most `limit`), newest first, as rows: what the patient search shows. */
export async function assetRows(deps: ListAssetsDeps, where: Prisma.AssetWhereInput, limit: number): Promise<AssetRow[]> {
  const found = await deps.db.prisma.asset.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit, select: ROW_SELECT });
  return describeAssets(deps, found);
}

async function describeAssets(deps: ListAssetsDeps, assets: Selected[]): Promise<AssetRow[]> {
  if (assets.length === 0) return [];
  // One query for the page's holds, and one policy read per channel, rather than one of each per row.
  const holds = await deps.db.prisma.legalHold.findMany({
    where: {
      workspaceId: { in: [...new Set(assets.map((a) => a.workspaceId))] },
      liftedAt: null,
      OR: [
        { scope: 'asset', targetId: { in: assets.map((a) => a.id) } },
        { scope: 'patient', targetId: { in: assets.flatMap((a) => (a.patientId ? [a.patientId] : [])) } },
        { scope: 'channel' },
      ],
    },
    select: { workspaceId: true, scope: true, targetId: true },
  });
  const retention = new Map<string, Promise<number | null>>();
  const retentionDays = (workspaceId: string, channelId: string) => {
    const key = `${workspaceId}\0${channelId}`;
    if (!retention.has(key)) retention.set(key, deps.policies.resolved(workspaceId, channelId).then((r) => r.policy.retentionDays));
    return retention.get(key)!;
  };
  return Promise.all(
    assets.map(async (a): Promise<AssetRow> => {
      const channelId = a.consult?.channelId ?? null;
      const holdsHere = holds.filter((h) => h.workspaceId === a.workspaceId);
      const card = a.cards[0];
      const modality = (a.metadata as { modality?: unknown } | null)?.modality;
      return {
        id: a.id,
        receivedAt: a.createdAt,
        kind: a.kind === null ? null : a.kind === 'photo' ? 'photo' : 'dicom',
        modality: typeof modality === 'string' && /^[A-Z0-9]{1,16}$/.test(modality) ? modality : null,
        workspaceId: a.workspaceId,
        channelId,
        uploaderId: a.uploaderId,
        state: a.status,
        cardState: card?.state ?? null,
        cardExpiresAt: card?.expiresAt ?? null,
        removal: a.removal === 'removed' ? 'removed' : a.removal === 'requested' ? 'requested' : a.removal === 'pending' ? 'pending' : 'not_removed',
        retentionEnd: retentionEnd(a.createdAt, await retentionDays(a.workspaceId, channelId ?? WORKSPACE_DEFAULT_CHANNEL)),
        held: {
          asset: holdsHere.some((h) => h.scope === 'asset' && h.targetId === a.id),
          patient: a.patientId !== null && holdsHere.some((h) => h.scope === 'patient' && h.targetId === a.patientId),
          channel: holdsHere.some((h) => h.scope === 'channel' && (h.targetId === WORKSPACE_DEFAULT_CHANNEL || h.targetId === channelId)),
        },
        patientLinked: a.patientId !== null,
        shreddedAt: a.shreddedAt,
      };
    }),
  );
}

/** The workspaces the asset and patient named belong to (none for ids of nothing), so a page can refuse ids from a workspace the reader may not see. */
export async function workspacesOfRecords(db: Database, ids: { assetId?: string | undefined; patientId?: string | undefined }): Promise<string[]> {
  const [asset, patient] = await Promise.all([
    ids.assetId ? db.prisma.asset.findUnique({ where: { id: ids.assetId }, select: { workspaceId: true } }) : null,
    ids.patientId ? db.prisma.patient.findUnique({ where: { id: ids.patientId }, select: { workspaceId: true } }) : null,
  ]);
  return [asset?.workspaceId, patient?.workspaceId].filter((w): w is string => w !== undefined);
}
