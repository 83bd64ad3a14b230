// The rules for linking an image to a patient once, and for correcting it.
import { describe, expect, it } from 'vitest';
import { consultPatientAfterCorrection, mayCorrectPatient, mayLinkPatient, type LinkFacts } from '../../src/core/consult/patient-link.js';

const now = new Date('2026-11-30T12:00:00Z');
const waiting: LinkFacts = { uploaderId: 'U1', assetPatientId: null, assetStatus: 'stored', cardState: 'waiting_for_patient', cardExpiresAt: new Date(now.getTime() + 3600_000) };
const sender = { userId: 'U1', isAdmin: false };
const admin = { userId: 'UA', isAdmin: true };
const stranger = { userId: 'U2', isAdmin: false };

describe('linking an image to a patient', () => {
  it('lets its sender or an admin link a waiting image on a live card', () => {
    expect(mayLinkPatient(sender, waiting, now)).toEqual({ allow: true });
    expect(mayLinkPatient(admin, waiting, now)).toEqual({ allow: true });
    expect(mayLinkPatient(stranger, waiting, now)).toEqual({ allow: false, reason: 'forbidden' });
  });

  it('refuses once the image has a patient: a stale button or form changes nothing', () => {
    expect(mayLinkPatient(sender, { ...waiting, assetPatientId: 'P1', cardState: 'active' }, now)).toEqual({ allow: false, reason: 'already_linked' });
    expect(mayLinkPatient(admin, { ...waiting, assetPatientId: 'P1' }, now)).toEqual({ allow: false, reason: 'already_linked' });
  });

  it('refuses on an expired card, even before the sweep marked it, on a revoked card, and on an image deleted under retention', () => {
    expect(mayLinkPatient(sender, { ...waiting, cardState: 'expired' }, now)).toEqual({ allow: false, reason: 'card_expired' });
    expect(mayLinkPatient(sender, { ...waiting, cardExpiresAt: now }, now)).toEqual({ allow: false, reason: 'card_expired' });
    expect(mayLinkPatient(sender, { ...waiting, cardState: 'revoked' }, now)).toEqual({ allow: false, reason: 'card_revoked' });
    expect(mayLinkPatient(admin, { ...waiting, assetStatus: 'shredded' }, now)).toEqual({ allow: false, reason: 'asset_shredded' });
    expect(mayLinkPatient(sender, { ...waiting, cardState: 'deleted' }, now)).toEqual({ allow: false, reason: 'asset_shredded' });
  });
});

describe('correcting an image\'s patient', () => {
  const linked = { uploaderId: 'U1', assetPatientId: 'P1', assetStatus: 'stored' };
  it('is for its sender or an admin, on a linked image that still exists', () => {
    expect(mayCorrectPatient(sender, linked)).toEqual({ allow: true });
    expect(mayCorrectPatient(admin, { ...linked, assetStatus: 'revoked' })).toEqual({ allow: true });
    expect(mayCorrectPatient(stranger, linked)).toEqual({ allow: false, reason: 'forbidden' });
    expect(mayCorrectPatient(sender, { ...linked, assetPatientId: null })).toEqual({ allow: false, reason: 'not_linked' });
    expect(mayCorrectPatient(admin, { ...linked, assetStatus: 'shredded' })).toEqual({ allow: false, reason: 'asset_gone' });
  });

  it('moves the consult\'s patient when it came from this image, and keeps it while other images stay on it', () => {
    expect(consultPatientAfterCorrection('P1', 'P1', 'P2', 0)).toEqual({ patientId: 'P2', outcome: 'moved' });
    expect(consultPatientAfterCorrection(null, 'P1', 'P2', 0)).toEqual({ patientId: 'P2', outcome: 'moved' });
    expect(consultPatientAfterCorrection('P1', 'P1', 'P2', 2)).toEqual({ patientId: 'P1', outcome: 'kept' });
    expect(consultPatientAfterCorrection('P3', 'P1', 'P2', 0)).toEqual({ patientId: 'P3', outcome: 'kept' });
  });
});
