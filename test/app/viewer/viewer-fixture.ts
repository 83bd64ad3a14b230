// A card with a live link in a stored consult, signed-in viewer sessions and
// a recording chat directory: what the viewer's use cases run against.
import type { ViewDecided, ViewerContext } from '../../../src/app/viewer/authorize-view.js';
import { ViewDecisions } from '../../../src/app/viewer/view-decisions.js';
import type { Clock } from '../../../src/core/clock.js';
import { issueLinkToken } from '../../../src/intake/link-token.js';
import { transaction } from '../../../src/storage/transaction.js';
import { ViewerSessions } from '../../../src/storage/viewer-sessions.js';
import type { Engine } from '../../../src/storage/database.js';
import { createTestStorage, type TestStorage } from '../../support/storage.js';

export const CHANNEL = 'C0RADIOL01';
export const SENDER = 'U0CLIN0001';
export const OTHER = 'U0CLIN0002';
export const ADMIN = { type: 'admin' as const, id: 'U0ADMIN001' };

/** A clock the test moves. */
export class TestClock implements Clock {
  constructor(private at: number) {}
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** Who is asked whether they are in the channel, and what it answers. */
export class RecordingDirectory {
  readonly memberChecks: string[] = [];
  members = new Set<string>();
  async isChannelMember(_workspaceId: string, _channelId: string, userId: string): Promise<boolean> {
    this.memberChecks.push(userId);
    return this.members.has(userId);
  }
}

export interface ViewerFixture {
  storage: TestStorage;
  clock: TestClock;
  directory: RecordingDirectory;
  sessions: ViewerSessions;
  ctx: ViewerContext;
  workspaceId: string;
  cardId: string;
  assetId: string;
  token: string;
  /** A signed-in session cookie for this chat user of the workspace. */
  signIn(chatUserId: string): Promise<string>;
  count(action: string, outcome?: 'success' | 'denied'): Promise<number>;
}

export async function viewerFixture(engine: Engine): Promise<ViewerFixture> {
  const clock = new TestClock(Date.parse('2026-11-30T09:00:00Z'));
  const storage = await createTestStorage(engine, { clock });
  const directory = new RecordingDirectory();
  const sessions = new ViewerSessions(storage.db, clock, { idleSeconds: 900, maxSeconds: 8 * 3600 });
  const ws = await storage.workspaces.ensure('slack', 'T0VIEWER', 'Test Hospital', { type: 'system', id: 'test' });
  const patientId = await storage.patients.link(ws.id, { identifier: 'MRN-1', issuer: 'HOSP' }, { type: 'system', id: 'test' });
  const { prisma } = storage.db;
  const expiresAt = new Date(clock.now().getTime() + 48 * 3600_000);
  const consult = await prisma.consult.create({ data: { workspaceId: ws.id, channelId: CHANNEL, threadId: '1.0001', requesterId: SENDER, patientId } });
  await prisma.consultParticipant.create({ data: { consultId: consult.id, userId: SENDER, role: 'requester' } });
  await prisma.grant.create({ data: { consultId: consult.id, userId: SENDER, source: 'participant', hop: 0, expiresAt } });
  const asset = await prisma.asset.create({ data: { workspaceId: ws.id, consultId: consult.id, patientId, uploaderId: SENDER, kind: 'photo', status: 'stored', sourceRef: 'F0001' } });
  const card = await prisma.card.create({ data: { workspaceId: ws.id, assetId: asset.id, consultId: consult.id, channelId: CHANNEL, threadId: '1.0001', state: 'active', expiresAt } });
  const token = await transaction(storage.db, (tx) => issueLinkToken(tx, card.id, expiresAt, clock.now()));
  let people = 0;
  return {
    storage,
    clock,
    directory,
    sessions,
    ctx: { storage, sessions, directory, clock, mfaAcr: '', decisions: new ViewDecisions(clock) },
    workspaceId: ws.id,
    cardId: card.id,
    assetId: asset.id,
    token,
    async signIn(chatUserId) {
      const subject = `sub-${++people}`;
      const issuer = 'https://idp.example';
      const identityLinkId = await storage.viewer.identityLinks.link({ workspaceId: ws.id, chatUserId, issuer, subject, method: 'email', verifiedAt: clock.now() });
      const session = await sessions.create({ issuer, subject, displayName: 'Dr Test', email: `${subject}@hospital.example`, acr: undefined, amr: ['pwd'], identityLinkId });
      return session.token;
    },
    count: (action, outcome) => prisma.auditEvent.count({ where: { action, ...(outcome ? { outcome } : {}) } }),
  };
}
