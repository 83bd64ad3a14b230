import { createHmac } from 'node:crypto';
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { AuditActor } from '../core/audit/event.js';
import { AuditAction } from '../core/audit/event.js';
import type { AuditLog } from './audit-log.js';
import type { DataKeys } from './data-keys.js';
import type { Database } from './database.js';
import type { Platform, Workspace } from './prisma/client.js';
import { transaction, type Tx } from './transaction.js';
import { isUniqueViolation } from './unique.js';

/** The channel id of a workspace's default channel policy. */
export const WORKSPACE_DEFAULT_CHANNEL = '*';

export class Workspaces {
  constructor(
    private readonly db: Database,
    private readonly dataKeys: DataKeys,
    private readonly audit: AuditLog,
  ) {}

  /** Every workspace Loupe serves, by name: the console lists them and matches its users in each. */
  async list(): Promise<{ id: string; platform: Platform; name: string }[]> {
    return this.db.prisma.workspace.findMany({ select: { id: true, platform: true, name: true }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  }

  /** Finds or creates the workspace, with its secret and its default channel policy. */
  async ensure(platform: Platform, externalId: string, name: string, actor: AuditActor): Promise<Workspace> {
    const where = { platform_externalId: { platform, externalId } };
    const existing = await this.db.prisma.workspace.findUnique({ where });
    if (existing) return existing;
    return transaction(this.db, async (tx) => {
      const secret = await this.dataKeys.create(tx, 'workspace_secret', null);
      const workspace = await tx.workspace.create({
        data: { platform, externalId, name, secretKeyId: secret.id },
      });
      await tx.channelPolicy.create({ data: { workspaceId: workspace.id, channelId: WORKSPACE_DEFAULT_CHANNEL } });
      await this.audit.append(tx, {
        actor,
        action: AuditAction.WorkspaceCreated,
        outcome: 'success',
        workspaceId: workspace.id,
        details: { platform },
      });
      return workspace;
    }).catch(async (error: unknown) => {
      if (isUniqueViolation(error)) return this.db.prisma.workspace.findUniqueOrThrow({ where });
      throw error;
    });
  }

  /** A keyed one-way hash under the workspace secret: finds records without storing the value. */
  async keyedHash(tx: Tx, workspaceId: string, label: string, value: string): Promise<string> {
    const secret = await this.secret(workspaceId, tx);
    return createHmac('sha256', secret).update(`${label}\0${value}`).digest('hex');
  }

  /** The workspace's own secret (UID replacement and date shifts in de-identified copies, keyed hashes). */
  async secret(workspaceId: string, tx?: Tx): Promise<Buffer> {
    const ws = await (tx ?? this.db.prisma).workspace.findUniqueOrThrow({ where: { id: workspaceId }, include: { secretKey: true } });
    if (!ws.secretKey) throw new LoupeError(ErrorCode.NotFound, 'workspace has no secret');
    return this.dataKeys.unwrap(ws.secretKey);
  }
}
