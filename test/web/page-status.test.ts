// What an open viewer page is told: go on until the session would lock, or
// why its image must go, in the few words the page turns into a sentence.
import { describe, expect, it } from 'vitest';
import { deny, type ViewDecision } from '../../src/core/access/types.js';
import { pageStatus } from '../../src/web/viewer/page-status.js';
import type { SessionState } from '../../src/storage/viewer-sessions.js';

const now = new Date('2026-11-30T10:00:00Z');
const active: SessionState = {
  state: 'active',
  id: 's1',
  chatUserId: 'U1',
  workspaceId: 'W1',
  expiresAt: new Date(now.getTime() + 3600_000),
  idle: { locksAt: new Date(now.getTime() + 42_000), seconds: 900 },
  identity: { issuer: 'https://idp.example', subject: 'sub', displayName: 'Dr Test', email: undefined, acr: undefined, amr: [], identityLinkId: undefined },
};
const allowed: ViewDecision = { allow: true, reason: 'allowed', via: 'requester', grantId: 'g1', consent: 'implied', consentId: null };

describe('the open page’s status', () => {
  it('lets a live image stay, saying when the session will lock if nothing more happens', () => {
    expect(pageStatus(active, now, allowed)).toEqual({ state: 'ok', idleMs: 42_000, idleSeconds: 900 });
    expect(pageStatus(active, now)).toEqual({ state: 'ok', idleMs: 42_000, idleSeconds: 900 });
  });

  it('names a revocation, an expiry, a deletion under retention, the patient’s consent, and any other end of access', () => {
    for (const reason of ['token_revoked', 'card_revoked', 'asset_revoked'] as const) expect(pageStatus(active, now, deny(reason)).state).toBe('revoked');
    for (const reason of ['token_expired', 'asset_failed'] as const) expect(pageStatus(active, now, deny(reason)).state).toBe('expired');
    expect(pageStatus(active, now, deny('asset_shredded')).state).toBe('deleted');
    for (const reason of ['consent_refused', 'consent_missing'] as const) expect(pageStatus(active, now, deny(reason)).state).toBe('consent');
    expect(pageStatus(active, now, deny('no_grant')).state).toBe('denied');
    expect(pageStatus(active, now, 'no_viewer').state).toBe('denied');
  });

  it('says the session locked or ended before anything about the image', () => {
    expect(pageStatus({ state: 'locked' }, now, deny('card_revoked'))).toEqual({ state: 'locked' });
    expect(pageStatus({ state: 'expired' }, now)).toEqual({ state: 'ended' });
    expect(pageStatus({ state: 'none' }, now)).toEqual({ state: 'ended' });
  });
});
