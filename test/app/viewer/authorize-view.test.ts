// The viewer's access decision as a use case: one decision (and one audit
// event, one session write, one directory call) per viewer session and asset
// within a short window, decided afresh after it; refusals never reused.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeView, type ViewAuthorization, type ViewRequestKind } from '../../../src/app/viewer/authorize-view.js';
import { VIEW_DECISION_WINDOW_MS } from '../../../src/app/viewer/view-decisions.js';
import { AuditAction } from '../../../src/core/audit/event.js';
import type { AuditLog } from '../../../src/storage/audit-log.js';
import { testEngines } from '../../support/engines.js';
import { ADMIN, CHANNEL, OTHER, SENDER, viewerFixture, type ViewerFixture } from './viewer-fixture.js';

const FRAME_MS = 100;
const outcome = (v: ViewAuthorization) => (v.outcome === 'decided' ? (v.decision.allow ? 'allowed' : v.decision.reason) : v.outcome);

describe.each(testEngines())('authorizing a view on %s', (engine) => {
  let f: ViewerFixture;
  let sender: string;
  const ask = (sessionToken: string, request: ViewRequestKind, o: { ctx?: ViewerFixture['ctx']; siblingAssetId?: string } = {}) =>
    authorizeView({ ...(o.ctx ?? f.ctx), sessionToken, token: f.token, siblingAssetId: o.siblingAssetId, request });
  const viewed = (outcome: 'success' | 'denied') => f.count(AuditAction.AssetViewed, outcome);

  beforeAll(async () => {
    f = await viewerFixture(engine);
  });
  afterAll(() => f?.storage.cleanup());
  beforeEach(async () => {
    // A new sign-in each test: its own window.
    sender = await f.signIn(SENDER);
  });

  it('audits one decision for a cine loop within the window, writes the session once, and decides again after it', async () => {
    const before = await viewed('success');
    const first = await ask(sender, 'pixels');
    expect(outcome(first)).toBe('allowed');
    const touchedAt = f.clock.now();
    const frames = VIEW_DECISION_WINDOW_MS / FRAME_MS - 1;
    for (let i = 0; i < frames; i++) {
      f.clock.advance(FRAME_MS);
      expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    }
    expect(await viewed('success')).toBe(before + 1);
    const row = await f.storage.db.prisma.viewerSession.findFirstOrThrow({ where: { id: first.session.state === 'active' ? first.session.id : '' } });
    expect(row.lastSeenAt).toEqual(touchedAt);

    f.clock.advance(FRAME_MS);
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    expect(await viewed('success')).toBe(before + 2);
    expect((await f.storage.db.prisma.viewerSession.findUniqueOrThrow({ where: { id: row.id } })).lastSeenAt).toEqual(f.clock.now());
  });

  it('refuses a revoked card after the window at the latest, and at once for the patient’s details', async () => {
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    await f.storage.db.prisma.card.update({ where: { id: f.cardId }, data: { state: 'revoked' } });
    try {
      // Within the window the pixels may still come from the decision just made; the patient never does.
      expect(outcome(await ask(sender, 'patient'))).toBe('card_revoked');
      // That refusal ended the reuse for this session and asset.
      expect(outcome(await ask(sender, 'pixels'))).toBe('card_revoked');

      const other = await f.signIn(SENDER);
      f.clock.advance(FRAME_MS);
      await f.storage.db.prisma.card.update({ where: { id: f.cardId }, data: { state: 'active' } });
      expect(outcome(await ask(other, 'pixels'))).toBe('allowed');
      await f.storage.db.prisma.card.update({ where: { id: f.cardId }, data: { state: 'revoked' } });
      f.clock.advance(VIEW_DECISION_WINDOW_MS);
      expect(outcome(await ask(other, 'pixels'))).toBe('card_revoked');
    } finally {
      await f.storage.db.prisma.card.update({ where: { id: f.cardId }, data: { state: 'active' } });
    }
  });

  it('refuses an ended session at once, even within the window', async () => {
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    await f.sessions.end(sender);
    expect(outcome(await ask(sender, 'pixels'))).toBe('sign_in');
  });

  it('audits every refused request for pixels, but a refused status poll once per window', async () => {
    const outsider = await f.signIn(OTHER);
    const before = await viewed('denied');
    for (let i = 0; i < 3; i++) expect(outcome(await ask(outsider, 'pixels'))).toBe('no_grant');
    expect(await viewed('denied')).toBe(before + 3);
    const polls = await f.signIn(OTHER);
    for (let i = 0; i < 3; i++) {
      expect(outcome(await ask(polls, 'poll'))).toBe('no_grant');
      f.clock.advance(FRAME_MS);
    }
    expect(await viewed('denied')).toBe(before + 4);
    f.clock.advance(VIEW_DECISION_WINDOW_MS);
    expect(outcome(await ask(polls, 'poll'))).toBe('no_grant');
    expect(await viewed('denied')).toBe(before + 5);
  });

  it('does not audit an allowing status poll, nor count it as use of the session', async () => {
    const before = await viewed('success');
    const poll = await ask(sender, 'poll');
    expect(outcome(poll)).toBe('allowed');
    expect(await viewed('success')).toBe(before);
    // Nor does it stand in for an audited decision: the pixels after it are decided and audited.
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    expect(await viewed('success')).toBe(before + 1);
  });

  it('writes a channel member’s grant together with its audit event, and asks the directory once per window', async () => {
    await f.storage.policies.change(f.workspaceId, CHANNEL, { membersMayView: true }, ADMIN);
    f.directory.members.add(OTHER);
    const grants = () => f.storage.db.prisma.grant.findMany({ where: { userId: OTHER, source: 'channel_member' } });
    const added = () => f.count(AuditAction.ParticipantAdded, 'success');
    try {
      const member = await f.signIn(OTHER);
      const addedBefore = await added();
      // The audit event cannot be written: the grant is not written either.
      const failing: AuditLog = Object.create(f.storage.audit, {
        append: { value: async () => Promise.reject(new Error('audit unavailable')) },
      });
      await expect(ask(member, 'pixels', { ctx: { ...f.ctx, storage: { ...f.storage, audit: failing } } })).rejects.toThrow('audit unavailable');
      expect(await grants()).toEqual([]);

      const checksBefore = f.directory.memberChecks.length;
      const view = await ask(member, 'pixels');
      expect(view.outcome === 'decided' && view.decision.allow && view.decision.via).toBe('channel_member');
      expect(await grants()).toHaveLength(1);
      const events = await f.storage.db.prisma.auditEvent.findMany({ where: { action: AuditAction.ParticipantAdded }, orderBy: { seq: 'asc' } });
      expect(events).toHaveLength(addedBefore + 1);
      expect(events.at(-1)).toMatchObject({ consultId: view.outcome === 'decided' ? view.card?.consultId : undefined, details: { participant: OTHER, source: 'channel_member' } });
      for (let i = 0; i < 10; i++) {
        f.clock.advance(FRAME_MS);
        await ask(member, 'pixels');
      }
      expect(f.directory.memberChecks.length).toBe(checksBefore + 1);
      // The next window asks again, and uses the grant already written.
      f.clock.advance(VIEW_DECISION_WINDOW_MS);
      expect(outcome(await ask(member, 'pixels'))).toBe('allowed');
      expect(f.directory.memberChecks.length).toBe(checksBefore + 2);
      expect(await grants()).toHaveLength(1);
      expect(await added()).toBe(addedBefore + 1);
    } finally {
      f.directory.members.delete(OTHER);
      await f.storage.policies.change(f.workspaceId, CHANNEL, { membersMayView: false }, ADMIN);
    }
  });

  it('treats another consult’s asset as an unknown link, and a session from no matching account as such', async () => {
    const elsewhere = await f.storage.db.prisma.asset.create({ data: { workspaceId: f.workspaceId, uploaderId: SENDER, kind: 'photo', status: 'stored', sourceRef: 'F0002' } });
    expect(outcome(await ask(sender, 'pixels', { siblingAssetId: elsewhere.id }))).toBe('token_unknown');
    expect(outcome(await authorizeView({ ...f.ctx, sessionToken: sender, token: 'not-a-link', request: 'page' }))).toBe('unknown_token');
    expect(outcome(await ask('not-a-session', 'page'))).toBe('sign_in');
  });
});
