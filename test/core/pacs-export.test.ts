// Who may send an image to the PACS, and when: deny by default.
import { describe, expect, it } from 'vitest';
import { pacsExportRefusal, POLICY_STANDING, type PacsExportFacts } from '../../src/core/access/pacs-export.js';

const now = new Date('2026-12-01T10:00:00Z');
const allowed: PacsExportFacts = {
  configured: true,
  card: { state: 'active', expiresAt: new Date('2026-12-02T10:00:00Z') },
  asset: { status: 'stored', patientId: 'p1', kind: 'photo' },
  standing: { allow: true },
  consentCoversCare: true,
  current: null,
};

describe('sending an image to the PACS', () => {
  it('is allowed for a stored, linked image on a live card, with standing and consent; again after a failure', () => {
    expect(pacsExportRefusal(allowed, now)).toBeUndefined();
    expect(pacsExportRefusal({ ...allowed, current: { status: 'failed' } }, now)).toBeUndefined();
  });

  it('is refused, each for its own reason, whenever one condition fails', () => {
    const cases: [Partial<PacsExportFacts>, string][] = [
      [{ configured: false }, 'pacs_not_configured'],
      [{ card: { state: 'deleted', expiresAt: allowed.card.expiresAt } }, 'asset_shredded'],
      [{ asset: { ...allowed.asset, status: 'shredded' } }, 'asset_shredded'],
      [{ card: { state: 'expired', expiresAt: allowed.card.expiresAt } }, 'card_stale'],
      [{ card: { state: 'active', expiresAt: now } }, 'card_stale'],
      [{ card: { state: 'revoked', expiresAt: allowed.card.expiresAt } }, 'card_stale'],
      [{ standing: { allow: false, reason: 'not_participant' } }, 'not_participant'],
      [{ standing: { allow: false, reason: 'no_live_grant' } }, 'no_live_grant'],
      [{ asset: { ...allowed.asset, status: 'received' } }, 'asset_not_stored'],
      [{ card: { state: 'pending', expiresAt: allowed.card.expiresAt } }, 'asset_not_stored'],
      [{ asset: { ...allowed.asset, patientId: null } }, 'no_patient'],
      [{ card: { state: 'waiting_for_patient', expiresAt: allowed.card.expiresAt } }, 'no_patient'],
      [{ consentCoversCare: false }, 'consent_refused'],
      [{ current: { status: 'sent' } }, 'already_sent'],
      [{ current: { status: 'queued' } }, 'in_progress'],
    ];
    for (const [change, reason] of cases) expect({ change, refusal: pacsExportRefusal({ ...allowed, ...change }, now) }).toEqual({ change, refusal: reason });
  });

  it('is asked the same way by a channel policy that sends every image: its standing stands in for a person’s, nothing else does', () => {
    const byPolicy = { ...allowed, standing: POLICY_STANDING };
    expect(pacsExportRefusal(byPolicy, now)).toBeUndefined();
    expect(pacsExportRefusal({ ...byPolicy, configured: false }, now)).toBe('pacs_not_configured');
    expect(pacsExportRefusal({ ...byPolicy, consentCoversCare: false }, now)).toBe('consent_refused');
    expect(pacsExportRefusal({ ...byPolicy, card: { state: 'waiting_for_patient', expiresAt: allowed.card.expiresAt } }, now)).toBe('no_patient');
    expect(pacsExportRefusal({ ...byPolicy, asset: { ...allowed.asset, status: 'shredded' } }, now)).toBe('asset_shredded');
    expect(pacsExportRefusal({ ...byPolicy, card: { state: 'expired', expiresAt: allowed.card.expiresAt } }, now)).toBe('card_stale');
  });
});
