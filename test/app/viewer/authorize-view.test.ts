// The viewer's access decision as a use case: decided on every request (a
// revocation or an ended session takes effect at the next one), one audit
// event per viewer session and asset within the audit window, the session
// written and the chat directory asked at most once per few seconds.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeView, type ViewAuthorization, type ViewRequestKind } from '../../../src/app/viewer/authorize-view.js';
import { SESSION_TOUCH_MS } from '../../../src/app/viewer/authorize-view.js';
import { VIEW_AUDIT_WINDOW_MS, VIEW_SHORT_WINDOW_MS } from '../../../src/app/viewer/view-decisions.js';
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

  it('lets frames fetched ahead through without counting them as use: the idle clock stands still', async () => {
    const first = await ask(sender, 'pixels');
    const id = first.session.state === 'active' ? first.session.id : '';
    const lastSeen = async () => (await f.storage.db.prisma.viewerSession.findUniqueOrThrow({ where: { id } })).lastSeenAt;
    const seen = await lastSeen();
    f.clock.advance(SESSION_TOUCH_MS * 3);
    expect(outcome(await ask(sender, 'ahead'))).toBe('allowed');
    expect(await lastSeen()).toEqual(seen);
    // What the person does still is use.
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    expect(await lastSeen()).toEqual(f.clock.now());
  });

  it('audits one decision for a cine loop within the window, writes the session every few seconds, and audits again after it', async () => {
    const before = await viewed('success');
    const first = await ask(sender, 'pixels');
    expect(outcome(first)).toBe('allowed');
    const id = first.session.state === 'active' ? first.session.id : '';
    const lastSeen = async () => (await f.storage.db.prisma.viewerSession.findUniqueOrThrow({ where: { id } })).lastSeenAt;
    const signedInAt = await lastSeen();
    const frames = SESSION_TOUCH_MS / FRAME_MS - 1;
    for (let i = 0; i < frames; i++) {
      f.clock.advance(FRAME_MS);
      expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    }
    expect(await viewed('success')).toBe(before + 1);
    expect(await lastSeen()).toEqual(signedInAt);
    f.clock.advance(FRAME_MS);
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    expect(await lastSeen()).toEqual(f.clock.now());
    expect(await viewed('success')).toBe(before + 1);

    f.clock.advance(VIEW_AUDIT_WINDOW_MS);
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    expect(await viewed('success')).toBe(before + 2);
    // Another sign-in is another viewer session: audited at its first request.
    expect(outcome(await ask(await f.signIn(SENDER), 'pixels'))).toBe('allowed');
    expect(await viewed('success')).toBe(before + 3);
  });

  it('refuses a revoked card at the next request, audited, and audits the allow after it again', async () => {
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    const allowsBefore = await viewed('success');
    const refusalsBefore = await viewed('denied');
    await f.storage.db.prisma.card.update({ where: { id: f.cardId }, data: { state: 'revoked' } });
    try {
      f.clock.advance(FRAME_MS);
      expect(outcome(await ask(sender, 'pixels'))).toBe('card_revoked');
      expect(outcome(await ask(sender, 'patient'))).toBe('card_revoked');
      expect(await viewed('denied')).toBe(refusalsBefore + 2);
    } finally {
      await f.storage.db.prisma.card.update({ where: { id: f.cardId }, data: { state: 'active' } });
    }
    expect(outcome(await ask(sender, 'pixels'))).toBe('allowed');
    expect(await viewed('success')).toBe(allowsBefore + 1);
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
    f.clock.advance(VIEW_SHORT_WINDOW_MS);
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

  it('writes a channel member’s grant together with its audit event, and asks the directory once per few seconds', async () => {
    await f.storage.policies.change(f.workspaceId, CHANNEL, { membersMayView: true }, ADMIN);
    f.directory.members.add(OTHER);
    const grants = () => f.storage.db.prisma.grant.findMany({ where: { userId: OTHER, source: 'channel_member' } });
    const added = () => f.count(AuditAction.ParticipantAdded, 'success');
    try {
      const member = await f.signIn(OTHER);
      const addedBefore = await added();
      const checksBefore = f.directory.memberChecks.length;
      // The audit event cannot be written: the grant is not written either.
      const failing: AuditLog = Object.create(f.storage.audit, {
        append: { value: async () => Promise.reject(new Error('audit unavailable')) },
      });
      await expect(ask(member, 'pixels', { ctx: { ...f.ctx, storage: { ...f.storage, audit: failing } } })).rejects.toThrow('audit unavailable');
      expect(await grants()).toEqual([]);

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
      f.clock.advance(VIEW_SHORT_WINDOW_MS);
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
