// Who may record consent from chat: the pure rules, deny by default.
import { describe, expect, it } from 'vitest';
import type { GrantFacts, ParticipantFacts } from '../../src/core/access/types.js';
import { mayRecordConsentForPatient, mayRecordConsentFromCard, mayUseConsentCommand, type CardConsentFacts } from '../../src/core/consent/recording.js';

const now = new Date('2026-12-01T10:00:00Z');
const later = new Date('2026-12-02T10:00:00Z');
const earlier = new Date('2026-11-30T10:00:00Z');
const who = { userId: 'U1', isAdmin: false };
const participant: ParticipantFacts = { userId: 'U1', role: 'member', removedAt: null };
const grant = (source: GrantFacts['source'], o: Partial<GrantFacts> = {}): GrantFacts => ({ id: 'g', consultId: 'c', userId: 'U1', source, hop: 0, expiresAt: later, revokedAt: null, ...o });
const live: CardConsentFacts = { cardState: 'active', cardExpiresAt: later, assetStatus: 'stored', assetPatientId: 'p1', participant: null, grants: [] };

describe('recording consent from chat', () => {
  it('allows admins, participants still in the consult, and holders of a live grant of its chain', () => {
    expect(mayRecordConsentFromCard({ ...who, isAdmin: true }, live, now)).toEqual({ allow: true });
    expect(mayRecordConsentFromCard(who, { ...live, participant }, now)).toEqual({ allow: true });
    expect(mayRecordConsentFromCard(who, { ...live, participant: { ...participant, role: 'specialist' } }, now)).toEqual({ allow: true });
    expect(mayRecordConsentFromCard(who, { ...live, grants: [grant('invitation', { hop: 1 })] }, now)).toEqual({ allow: true });
  });

  it('refuses everyone else: a removed participant, break-glass or channel-member access, an expired or revoked grant, someone else’s', () => {
    const refused = { allow: false, reason: 'no_standing' };
    expect(mayRecordConsentFromCard(who, live, now)).toEqual(refused);
    expect(mayRecordConsentFromCard(who, { ...live, participant: { ...participant, removedAt: earlier } }, now)).toEqual(refused);
    expect(mayRecordConsentFromCard(who, { ...live, participant: { ...participant, userId: 'U2' } }, now)).toEqual(refused);
    for (const g of [grant('break_glass'), grant('channel_member'), grant('participant', { expiresAt: earlier }), grant('participant', { revokedAt: earlier }), grant('participant', { userId: 'U2' })]) {
      expect(mayRecordConsentFromCard(who, { ...live, grants: [g] }, now)).toEqual(refused);
    }
  });

  it('refuses a stale card and one with no patient yet, even for an admin', () => {
    const admin = { ...who, isAdmin: true };
    expect(mayRecordConsentFromCard(admin, { ...live, cardState: 'deleted' }, now)).toEqual({ allow: false, reason: 'asset_shredded' });
    expect(mayRecordConsentFromCard(admin, { ...live, assetStatus: 'shredded' }, now)).toEqual({ allow: false, reason: 'asset_shredded' });
    expect(mayRecordConsentFromCard(admin, { ...live, cardState: 'revoked' }, now)).toEqual({ allow: false, reason: 'card_revoked' });
    expect(mayRecordConsentFromCard(admin, { ...live, cardExpiresAt: earlier }, now)).toEqual({ allow: false, reason: 'card_expired' });
    expect(mayRecordConsentFromCard(admin, { ...live, cardState: 'waiting_for_patient', assetPatientId: null }, now)).toEqual({ allow: false, reason: 'no_patient' });
  });

  it('lets only admins and people taking part in a consult use the command', () => {
    expect(mayUseConsentCommand(who, 0)).toEqual({ allow: false, reason: 'no_standing' });
    expect(mayUseConsentCommand(who, 1)).toEqual({ allow: true });
    expect(mayUseConsentCommand({ ...who, isAdmin: true }, 0)).toEqual({ allow: true });
  });

  it('lets a typed patient’s consent be read and changed only with standing on a consult holding their images (or before they have any)', () => {
    const stranger = { participant: null, grants: [] };
    expect(mayRecordConsentForPatient(who, [stranger], now)).toEqual({ allow: false, reason: 'not_their_patient' });
    expect(mayRecordConsentForPatient(who, [stranger, { participant: { ...participant, removedAt: earlier }, grants: [grant('channel_member'), grant('break_glass')] }], now)).toEqual({ allow: false, reason: 'not_their_patient' });
    expect(mayRecordConsentForPatient(who, [stranger, { participant, grants: [] }], now)).toEqual({ allow: true });
    expect(mayRecordConsentForPatient(who, [{ participant: null, grants: [grant('invitation')] }], now)).toEqual({ allow: true });
    expect(mayRecordConsentForPatient(who, [{ participant: null, grants: [grant('invitation', { expiresAt: earlier })] }], now)).toEqual({ allow: false, reason: 'not_their_patient' });
    expect(mayRecordConsentForPatient({ ...who, isAdmin: true }, [stranger], now)).toEqual({ allow: true });
    expect(mayRecordConsentForPatient(who, [], now)).toEqual({ allow: true });
  });
});
