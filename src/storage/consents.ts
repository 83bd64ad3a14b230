// Consent versions. Rows are only ever added, and marked superseded once:
// a version's terms are never changed in place (see migration 0009).
import type { ConsentActorKind, ConsentChangeReason } from '../core/consent/terms.js';
import type { Database } from './database.js';
import type { Consent, Prisma } from './prisma/client.js';
import type { Tx } from './transaction.js';

type Client = Tx | Database['prisma'];

/** A version with its patient's workspace, for the FHIR export. */
export type ExportedConsent = Consent & { patient: { workspaceId: string } };

export interface Supersession {
  at: Date;
  by: string;
  byKind: ConsentActorKind;
  reason: ConsentChangeReason;
}

export class Consents {
  constructor(private readonly db: Database) {}

  /** A patient's versions, each chain's in order, chains in the order they began. */
  async ofPatient(client: Client, patientId: string): Promise<Consent[]> {
    const rows = await client.consent.findMany({ where: { patientId }, orderBy: [{ recordedAt: 'asc' }, { version: 'asc' }] });
    // A chain's first version is the earliest it has: its position orders the chains.
    const began = new Map<string, number>();
    for (const [i, r] of rows.entries()) if (!began.has(r.chainId)) began.set(r.chainId, i);
    return rows.sort((a, b) => began.get(a.chainId)! - began.get(b.chainId)! || a.version - b.version);
  }

  /** One version, only if its patient is in this workspace. */
  inWorkspace(tx: Tx, id: string, workspaceId: string): Promise<Consent | null> {
    return tx.consent.findFirst({ where: { id, patient: { workspaceId } } });
  }

  /** Whether this asset (a photo of the signed form) belongs to the workspace. */
  /** The patient's stored photos in the workspace, newest first: what the console offers as a signed form's evidence. */
  evidencePhotos(patientId: string, workspaceId: string): Promise<{ id: string; uploaderId: string; createdAt: Date }[]> {
    return this.db.prisma.asset.findMany({ where: { patientId, workspaceId, kind: 'photo', status: 'stored' }, select: { id: true, uploaderId: true, createdAt: true }, orderBy: { createdAt: 'desc' }, take: 50 });
  }

  /** A photo of the workspace, stored (not failed, revoked or shredded), and not another patient's: what can be a signed form's evidence. */
  async isEvidencePhoto(tx: Tx, assetId: string, workspaceId: string, patientId: string | null): Promise<boolean> {
    const patients = patientId === null ? [{ patientId: null }] : [{ patientId: null }, { patientId }];
    return (await tx.asset.count({ where: { id: assetId, workspaceId, kind: 'photo', status: 'stored', OR: patients } })) === 1;
  }

  add(tx: Tx, data: Prisma.ConsentUncheckedCreateInput): Promise<Consent> {
    return tx.consent.create({ data });
  }

  /** Marks a version superseded; false when it already was (a change or withdrawal won the race). */
  async supersede(tx: Tx, id: string, s: Supersession): Promise<boolean> {
    const done = await tx.consent.updateMany({
      where: { id, supersededAt: null },
      data: { supersededAt: s.at, supersededBy: s.by, supersededByKind: s.byKind, supersededReason: s.reason },
    });
    return done.count === 1;
  }

  /** For each version after a chain's first, the one it replaced and why; keyed by the later version's id. */
  async predecessors(versions: readonly Consent[]): Promise<Map<string, { id: string; reason: string | null }>> {
    const later = versions.filter((v) => v.version > 1);
    const out = new Map<string, { id: string; reason: string | null }>();
    if (later.length === 0) return out;
    const rows = await this.db.prisma.consent.findMany({
      where: { OR: later.map((v) => ({ chainId: v.chainId, version: v.version - 1 })) },
      select: { id: true, chainId: true, version: true, supersededReason: true },
    });
    const byKey = new Map(rows.map((r) => [`${r.chainId}#${r.version}`, r]));
    for (const v of later) {
      const p = byKey.get(`${v.chainId}#${v.version - 1}`);
      if (p) out.set(v.id, { id: p.id, reason: p.supersededReason });
    }
    return out;
  }

  /**
   * Versions for the export, oldest first, a page at a time: all, or one
   * patient's; with `since`, those recorded or superseded since then (a
   * superseded version's status changed, so it is sent again).
   */
  async *forExport(filter: { patientId?: string | undefined; since?: Date | undefined }, pageSize = 500): AsyncGenerator<ExportedConsent[]> {
    const where: Prisma.ConsentWhereInput = {
      ...(filter.patientId ? { patientId: filter.patientId } : {}),
      ...(filter.since ? { OR: [{ recordedAt: { gte: filter.since } }, { supersededAt: { gte: filter.since } }] } : {}),
    };
    let cursor: string | undefined;
    for (;;) {
      const page = await this.db.prisma.consent.findMany({
        where,
        include: { patient: { select: { workspaceId: true } } },
        orderBy: [{ recordedAt: 'asc' }, { id: 'asc' }],
        take: pageSize,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      cursor = page.at(-1)!.id;
    }
  }
}
