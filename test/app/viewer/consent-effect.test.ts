// A consent change takes effect at once, on both database engines: after a
// withdrawal the next pixels request for that patient's image is refused,
// and audited, and the allow after a new permit is audited again (the
// viewer's audit memory follows consent changes), other patients' are
// untouched; the patient's live cards are queued for a redraw, which
// shows "Consent withdrawn" without View on Slack and Teams and leaves the
// links given out working (the viewer refuses by the consent); a new permit's
// redraw brings View back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../../src/app/consent/record-consent.js';
import { withdrawConsent } from '../../../src/app/consent/withdraw-consent.js';
import type { ConsentDeps } from '../../../src/app/consent/consent-deps.js';
import { AppJob } from '../../../src/app/job-names.js';
import { redrawCard } from '../../../src/app/redraw-card.js';
import { authorizeView, viewDecisionsFollowing, type ViewAuthorization, type ViewerContext } from '../../../src/app/viewer/authorize-view.js';
import { ViewDecisions } from '../../../src/app/viewer/view-decisions.js';
import { AuditAction } from '../../../src/core/audit/event.js';
import { cardBlocks } from '../../../src/chat/slack/card-blocks.js';
import { adaptiveCard } from '../../../src/chat/teams/adaptive-card.js';
import { cardView } from '../../../src/intake/card-view.js';
import { issueLinkToken } from '../../../src/intake/link-token.js';
import { transaction } from '../../../src/storage/transaction.js';
import { testEngines } from '../../support/engines.js';
import { chatDeps, queued } from '../chat-deps.js';
import { ADMIN, CHANNEL, SENDER, viewerFixture, type ViewerFixture } from './viewer-fixture.js';

const outcome = (v: ViewAuthorization) => (v.outcome === 'decided' ? (v.decision.allow ? 'allowed' : v.decision.reason) : v.outcome);
const nurse = { kind: 'chat_user', id: 'U0NURSE001' } as const;
const CARE = { decision: 'permit', purposes: ['care'], parties: ['care_team'], dataKinds: ['photo'] };

describe.each(testEngines())('a consent change on %s', (engine) => {
  let f: ViewerFixture;
  let ctx: ViewerContext;
  let consentDeps: ConsentDeps;
  let chat: ReturnType<typeof chatDeps>;
  /** Another patient's image, in its own consult, with its own live link. */
  let other: { cardId: string; token: string };
  let messageId: string;

  beforeAll(async () => {
    f = await viewerFixture(engine);
    const { storage, clock } = f;
    const { prisma } = storage.db;
    ctx = { ...f.ctx, decisions: viewDecisionsFollowing(storage.consentChanges, clock) };
    chat = chatDeps(storage, clock);
    consentDeps = { ...storage, clock, queue: chat.queue };
    await storage.policies.change(f.workspaceId, CHANNEL, { consentRule: 'always_required' }, ADMIN);

    const patientId = await storage.patients.link(f.workspaceId, { identifier: 'MRN-2', issuer: 'HOSP' }, { type: 'system', id: 'test' });
    const expiresAt = new Date(clock.now().getTime() + 48 * 3600_000);
    const consult = await prisma.consult.create({ data: { workspaceId: f.workspaceId, channelId: CHANNEL, threadId: '2.0002', requesterId: SENDER, patientId } });
    await prisma.consultParticipant.create({ data: { consultId: consult.id, userId: SENDER, role: 'requester' } });
    await prisma.grant.create({ data: { consultId: consult.id, userId: SENDER, source: 'participant', hop: 0, expiresAt } });
    const asset = await prisma.asset.create({ data: { workspaceId: f.workspaceId, consultId: consult.id, patientId, uploaderId: SENDER, kind: 'photo', status: 'stored', sourceRef: 'F0002' } });
    const card = await prisma.card.create({ data: { workspaceId: f.workspaceId, assetId: asset.id, consultId: consult.id, channelId: CHANNEL, threadId: '2.0002', state: 'active', expiresAt, messageId: 'M-OTHER' } });
    other = { cardId: card.id, token: await transaction(storage.db, (tx) => issueLinkToken(tx, card.id, expiresAt, clock.now())) };

    // The first patient's card is posted in the chat.
    const row = await prisma.card.findUniqueOrThrow({ where: { id: f.cardId }, include: { asset: true } });
    messageId = await chat.chat.gateway.postCard(cardView(row, row.asset), 'https://loupe.example/view/FIRST');
    await prisma.card.update({ where: { id: f.cardId }, data: { messageId } });
  });
  afterAll(() => f?.storage.cleanup());

  const ask = (context: ViewerContext, sessionToken: string, token = f.token) => authorizeView({ ...context, sessionToken, token, request: 'pixels' });
  const permit = (identifier: string) =>
    recordConsent(consentDeps, { workspaceId: f.workspaceId, patient: { identifier, issuer: 'HOSP' }, terms: { ...CARE, validFrom: new Date(f.clock.now().getTime() - 3600_000) }, recorder: nurse, via: 'chat_slack' });
  const refusedFor = (assetId: string) => f.storage.db.prisma.auditEvent.findMany({ where: { action: AuditAction.AssetViewed, outcome: 'denied', assetId } });
  const drawn = () => chat.chat.messages.find((m) => m.id === messageId)!;

  it('refuses the next pixels request after a withdrawal, audited, while another patient’s remembered allow stands', async () => {
    const mine = await permit('MRN-1');
    await permit('MRN-2');
    // Decisions read in the very millisecond of a change are not kept: these read after it.
    f.clock.advance(1);
    const sender = await f.signIn(SENDER);
    // The same person through a viewer whose audit memory is not told of consent changes.
    const untold: ViewerContext = { ...f.ctx, decisions: new ViewDecisions(f.clock) };
    expect(outcome(await ask(ctx, sender))).toBe('allowed');
    expect(outcome(await ask(untold, sender))).toBe('allowed');
    expect(outcome(await ask(ctx, sender, other.token))).toBe('allowed');
    const allowsBefore = await f.count(AuditAction.AssetViewed, 'success');

    f.clock.advance(100);
    await withdrawConsent(consentDeps, { workspaceId: f.workspaceId, consentId: mine.id, recorder: nurse, via: 'chat_slack', reason: 'patient_withdrew' });
    f.clock.advance(100);

    expect(outcome(await ask(ctx, sender))).toBe('consent_missing');
    const refusals = await refusedFor(f.assetId);
    expect(refusals.map((e) => e.reason)).toEqual(['consent_missing']);
    // The other patient's image: decided again, allowed, its audit event already written in this window.
    expect(outcome(await ask(ctx, sender, other.token))).toBe('allowed');
    expect(await f.count(AuditAction.AssetViewed, 'success')).toBe(allowsBefore);
    // Every request is decided afresh: a viewer not told of the change refuses as well.
    expect(outcome(await ask(untold, sender))).toBe('consent_missing');
  });

  it('queues a redraw of the patient’s live cards only, which says "Consent withdrawn" without View on Slack and Teams', async () => {
    const jobs = await queued(f.storage, AppJob.UpdateCard);
    const cards = jobs.map((j) => (j.payload as { cardId: string }).cardId);
    // The first patient's card: once for the permit, once for the withdrawal; the other patient's: once for its permit only.
    expect(cards.filter((c) => c === f.cardId)).toHaveLength(2);
    expect(cards.filter((c) => c === other.cardId)).toHaveLength(1);
    expect(JSON.stringify(jobs.map((j) => j.payload))).not.toContain('MRN');
    // Links already given out stand: an open viewer is refused for the consent, not for a revoked link.
    expect(jobs.at(-1)!.payload).toEqual({ cardId: f.cardId, keepLinks: true });

    await redrawCard(chat.deps, { cardId: f.cardId, keepLinks: true });
    expect(outcome(await ask(ctx, await f.signIn(SENDER)))).toBe('consent_missing');
    const card = drawn().card!;
    expect(card.consentWithdrawn).toBe(true);
    const slack = JSON.stringify(cardBlocks(card, 'https://loupe.example/view/NEW'));
    expect(slack).toContain('Consent withdrawn');
    expect(slack).not.toContain('loupe_view');
    expect(slack).not.toContain('/view/NEW');
    expect(slack).not.toContain('MRN');
    const teams = JSON.stringify(adaptiveCard(card, 'https://loupe.example/view/NEW', { uploader: undefined, manage: true, refreshFor: [] }));
    expect(teams).toContain('Consent withdrawn');
    expect(teams).not.toContain('Action.OpenUrl');
    expect(teams).not.toContain('MRN');
  });

  it('brings View back at the redraw after a new permit, and lets the open page see the image again', async () => {
    await permit('MRN-1');
    await redrawCard(chat.deps, { cardId: f.cardId, keepLinks: true });
    const card = drawn().card!;
    expect(card.consentWithdrawn).toBe(false);
    expect(JSON.stringify(cardBlocks(card, 'https://loupe.example/view/NEW'))).toContain('loupe_view');
    expect(JSON.stringify(adaptiveCard(card, 'https://loupe.example/view/NEW', { uploader: undefined, manage: false, refreshFor: [] }))).toContain('Action.OpenUrl');
    // Through the link the page was opened with, and through the redrawn card's.
    const session = await f.signIn(SENDER);
    expect(outcome(await ask(ctx, session))).toBe('allowed');
    const token = /\/view\/([A-Za-z0-9_-]+)/.exec(drawn().body)![1]!;
    expect(outcome(await ask(ctx, session, token))).toBe('allowed');
  });
});
