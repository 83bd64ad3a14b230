// Revoking a card: only its uploader or an admin; its links stop working, its
// asset can no longer be viewed, the refusal and the change are audited, and
// the card's redraw is queued with the change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppJob } from '../../src/app/job-names.js';
import { revokeCard } from '../../src/app/revoke-card.js';
import { issueLinkToken } from '../../src/intake/link-token.js';
import { transaction } from '../../src/storage/transaction.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { consultWithCard, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };

describe.each(testEngines())('revokeCard on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  it('refuses anyone but the uploader or an admin, then revokes for the uploader', async () => {
    const { deps } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    await transaction(s.db, (tx) => issueLinkToken(tx, c.cardId, new Date(NOW.getTime() + 3600_000), NOW));
    await expect(revokeCard(deps, { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: 'UOTHER', isAdmin: false } })).rejects.toMatchObject({ code: 'LOUPE_FORBIDDEN' });
    expect((await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } })).state).toBe('active');
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: c.assetId, action: 'asset.revoked', outcome: 'denied' } })).toBe(1);

    await revokeCard(deps, { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: REQUESTER, isAdmin: false } });
    expect((await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } })).state).toBe('revoked');
    expect((await s.db.prisma.asset.findUniqueOrThrow({ where: { id: c.assetId } })).status).toBe('revoked');
    expect(await s.db.prisma.linkToken.count({ where: { cardId: c.cardId, revokedAt: null } })).toBe(0);
    expect((await queued(s, AppJob.UpdateCard)).filter((j) => (j.payload as { cardId: string }).cardId === c.cardId)).toHaveLength(1);
  });

  it('does not find a card of another workspace, not even for that workspace’s admin', async () => {
    const { deps } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    const elsewhere = await consultWithCard(s, NOW, { platform: 'teams', team: 'TENANT-OTHER' });
    await expect(revokeCard(deps, { cardId: c.cardId, who: { workspaceId: elsewhere.workspaceId, userId: 'UADMIN', isAdmin: true } })).rejects.toMatchObject({ code: 'LOUPE_NOT_FOUND' });
    expect((await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } })).state).toBe('active');
  });

  it('lets an admin revoke anyone’s card', async () => {
    const { deps } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    await revokeCard(deps, { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: 'UADMIN', isAdmin: true } });
    expect((await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } })).state).toBe('revoked');
  });
});
