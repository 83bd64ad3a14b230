// The rule that alone gives an uploader standing in a consult: an accepted
// asset, never a message or a file Loupe left alone.
import { describe, expect, it } from 'vitest';
import { uploaderGrant, type ConsultStanding } from '../../src/core/consult/uploader-standing.js';

const now = new Date('2026-11-30T12:00:00Z');
const consult: ConsultStanding = { requesterId: 'U1', empty: false, uploaderParticipates: true, acceptedKinds: ['photo', 'dicom'], cardLifetimeSeconds: 3600 };

describe('uploaderGrant', () => {
  it('gives nothing for an upload that is not a stored image of an accepted kind', () => {
    for (const status of ['received', 'processing', 'failed', 'revoked', 'shredded'] as const) {
      expect(uploaderGrant({ uploaderId: 'U2', status, family: 'photo' }, consult, now), status).toBeUndefined();
    }
    expect(uploaderGrant({ uploaderId: 'U2', status: 'stored', family: undefined }, consult, now)).toBeUndefined();
    expect(uploaderGrant({ uploaderId: 'U2', status: 'stored', family: 'dicom' }, { ...consult, acceptedKinds: ['photo'] }, now)).toBeUndefined();
  });

  it('makes the uploader of a stored image a participant with a direct grant for the card lifetime', () => {
    expect(uploaderGrant({ uploaderId: 'U2', status: 'stored', family: 'photo' }, consult, now)).toEqual({
      userId: 'U2',
      role: 'member',
      becomesRequester: false,
      source: 'participant',
      hop: 0,
      expiresAt: new Date('2026-11-30T13:00:00Z'),
    });
    expect(uploaderGrant({ uploaderId: 'U1', status: 'stored', family: 'photo' }, consult, now)?.role).toBe('requester');
  });

  it('makes the first accepted uploader the requester of a consult someone else opened with a file Loupe left alone', () => {
    const g = uploaderGrant({ uploaderId: 'U2', status: 'stored', family: 'dicom' }, { ...consult, empty: true }, now);
    expect([g?.role, g?.becomesRequester]).toEqual(['requester', true]);
  });

  it('gives nothing to someone who posts an image into a consult they take no part in, however small the image', () => {
    expect(uploaderGrant({ uploaderId: 'U9', status: 'stored', family: 'photo' }, { ...consult, uploaderParticipates: false }, now)).toBeUndefined();
    // The requester removed from their own consult does not come back by posting.
    expect(uploaderGrant({ uploaderId: 'U1', status: 'stored', family: 'photo' }, { ...consult, uploaderParticipates: false }, now)).toBeUndefined();
  });
});
