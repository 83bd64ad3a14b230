// Server-side viewer sessions. The browser holds only a random cookie value;
// the database holds its hash, who signed in (and how: acr/amr), when the
// session was last used, and its hard end. Idle past the timeout, a session
// is locked (the viewer blanks its images) until its user signs in again.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Database } from './database.js';

export interface SessionIdentity {
  issuer: string;
  subject: string;
  displayName: string;
  email: string | undefined;
  acr: string | undefined;
  amr: string[];
  identityLinkId: string | undefined;
  /** The provider's groups or roles at sign-in: what makes a privacy officer in the console. */
  groups?: string[];
}

export interface ActiveSession {
  state: 'active';
  id: string;
  identity: SessionIdentity;
  chatUserId: string | undefined;
  workspaceId: string | undefined;
  expiresAt: Date;
  idle: SessionIdle;
}

export type SessionState = ActiveSession | { state: 'locked' | 'expired' | 'none' };

/** When the session locks if nothing more happens, and after how long idle it locks. */
export interface SessionIdle {
  locksAt: Date;
  seconds: number;
}

export interface SessionLimits {
  idleSeconds: number;
  maxSeconds: number;
}

const hash = (token: string) => createHash('sha256').update(`loupe-session/1\0${token}`).digest('hex');

export class ViewerSessions {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly limits: SessionLimits,
  ) {}

  /** Returns the cookie value; only its hash is stored. */
  async create(identity: SessionIdentity): Promise<{ token: string; id: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.limits.maxSeconds * 1000);
    const row = await this.db.prisma.viewerSession.create({
      data: {
        tokenHash: hash(token),
        identityLinkId: identity.identityLinkId ?? null,
        oidcIssuer: identity.issuer,
        oidcSubject: identity.subject,
        acr: identity.acr ?? null,
        amr: identity.amr,
        groups: identity.groups ?? [],
        displayName: identity.displayName,
        email: identity.email ?? null,
        lastSeenAt: now,
        idleTimeoutSeconds: this.limits.idleSeconds,
        expiresAt,
      },
    });
    return { token, id: row.id, expiresAt };
  }

  /** The session behind a cookie; an active one is touched (its idle clock restarts) unless `touch` is false. */
  async resolve(token: string | undefined, touch = true): Promise<SessionState> {
    if (!token) return { state: 'none' };
    const row = await this.db.prisma.viewerSession.findUnique({ where: { tokenHash: hash(token) }, include: { identityLink: true } });
    if (!row || row.endedAt) return { state: 'none' };
    const now = this.clock.now();
    if (now >= row.expiresAt) return { state: 'expired' };
    if (now.getTime() - row.lastSeenAt.getTime() > row.idleTimeoutSeconds * 1000) return { state: 'locked' };
    if (touch) await this.db.prisma.viewerSession.update({ where: { id: row.id }, data: { lastSeenAt: now } });
    const lastSeen = touch ? now : row.lastSeenAt;
    return {
      state: 'active',
      id: row.id,
      expiresAt: row.expiresAt,
      idle: { locksAt: new Date(lastSeen.getTime() + row.idleTimeoutSeconds * 1000), seconds: row.idleTimeoutSeconds },
      chatUserId: row.identityLink?.chatUserId,
      workspaceId: row.identityLink?.workspaceId,
      identity: {
        issuer: row.oidcIssuer,
        subject: row.oidcSubject,
        displayName: row.displayName,
        email: row.email ?? undefined,
        acr: row.acr ?? undefined,
        amr: row.amr,
        identityLinkId: row.identityLinkId ?? undefined,
        groups: row.groups ?? [],
      },
    };
  }

  /** Use of a session already resolved: its idle clock restarts now. */
  async touch(session: ActiveSession): Promise<ActiveSession> {
    const now = this.clock.now();
    await this.db.prisma.viewerSession.update({ where: { id: session.id }, data: { lastSeenAt: now } });
    return { ...session, idle: { ...session.idle, locksAt: new Date(now.getTime() + session.idle.seconds * 1000) } };
  }

  async end(token: string | undefined): Promise<void> {
    if (!token) return;
    await this.db.prisma.viewerSession.updateMany({ where: { tokenHash: hash(token), endedAt: null }, data: { endedAt: this.clock.now() } });
  }
}
