// Inviting a specialist runs on the reshare rule: only a participant holding
// a live link of the grant chain may invite, one hop from the consult. A
// break-glass or expired grant gives no right to invite (the defect of issue 10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteSpecialist, type InviteDeps } from '../../src/app/invite-specialist.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { consultWithCard, participantWithGrant, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const HOUR = 3600_000;
const clock = { now: () => NOW };
const SPECIALIST = 'U0SPECIAL1';

describe.each(testEngines())('inviteSpecialist on %s', (engine) => {
  let s: TestStorage;
  let deps: InviteDeps;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
    deps = { db: s.db, audit: s.audit, clock, policies: s.policies };
  });
  afterAll(() => s?.cleanup());

  const invitesOf = (consultId: string, outcome: 'success' | 'denied') => s.db.prisma.auditEvent.count({ where: { consultId, action: 'consult.participant_invited', outcome } });

  it('lets a participant with a live grant invite at hop 1, chained to their grant, and says what to announce', async () => {
    const c = await consultWithCard(s, NOW);
    const parent = await participantWithGrant(s, c.consultId, REQUESTER, { source: 'participant', expiresAt: new Date(NOW.getTime() + HOUR) }, 'requester');
    const result = await inviteSpecialist(deps, { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: REQUESTER, isAdmin: false }, specialistId: SPECIALIST });
    expect(result).toMatchObject({ outcome: 'invited', announce: { kind: 'specialist_invited', specialistId: SPECIALIST, inviterId: REQUESTER } });
    const grant = await s.db.prisma.grant.findFirstOrThrow({ where: { consultId: c.consultId, userId: SPECIALIST } });
    expect([grant.source, grant.hop, grant.parentGrantId, grant.grantedBy]).toEqual(['invitation', 1, parent, REQUESTER]);
    // It cannot outlast the grant it hangs from (an hour here, less than a card's lifetime).
    expect(grant.expiresAt.getTime()).toBe(NOW.getTime() + HOUR);
    expect(await invitesOf(c.consultId, 'success')).toBe(1);
    // Asked again: already there, nothing new.
    expect((await inviteSpecialist(deps, { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: REQUESTER, isAdmin: false }, specialistId: SPECIALIST })).outcome).toBe('already_participant');
    // The specialist cannot invite further.
    expect(await inviteSpecialist(deps, { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: SPECIALIST, isAdmin: false }, specialistId: 'U0NURSE001' })).toMatchObject({ outcome: 'refused', reason: 'hop_limit' });
  });

  it.each([
    ['break-glass', { source: 'break_glass' as const, expiresAt: new Date(NOW.getTime() + HOUR) }, 'break_glass_cannot_reshare'],
    ['expired', { source: 'participant' as const, expiresAt: new Date(NOW.getTime() - 1) }, 'no_live_grant'],
    ['revoked', { source: 'participant' as const, expiresAt: new Date(NOW.getTime() + HOUR), revokedAt: new Date(NOW.getTime() - HOUR) }, 'no_live_grant'],
  ])('refuses a member whose only grant is %s, grants nothing, and audits the refusal', async (_name, grant, reason) => {
    const c = await consultWithCard(s, NOW);
    const member = 'U0MEMBER01';
    await participantWithGrant(s, c.consultId, member, grant);
    expect(await inviteSpecialist(deps, { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: member, isAdmin: false }, specialistId: SPECIALIST })).toMatchObject({ outcome: 'refused', reason });
    expect(await s.db.prisma.grant.count({ where: { consultId: c.consultId, userId: SPECIALIST } })).toBe(0);
    expect(await s.db.prisma.consultParticipant.count({ where: { consultId: c.consultId, userId: SPECIALIST } })).toBe(0);
    expect(await invitesOf(c.consultId, 'denied')).toBe(1);
  });

  it('lets an admin invite without a grant of their own', async () => {
    const c = await consultWithCard(s, NOW);
    expect((await inviteSpecialist(deps, { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: 'U0ADMIN001', isAdmin: true }, specialistId: SPECIALIST })).outcome).toBe('invited');
    const grant = await s.db.prisma.grant.findFirstOrThrow({ where: { consultId: c.consultId, userId: SPECIALIST } });
    expect([grant.hop, grant.parentGrantId]).toEqual([1, null]);
  });
});
