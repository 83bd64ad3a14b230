// Who may share an image for teaching, and what needs the sharer's word first:
// pure rules, deny by default.
import { describe, expect, it } from 'vitest';
import { mayShareForTeaching, needsIdentifierCheck } from '../../src/core/access/teaching.js';
import type { GrantFacts } from '../../src/core/access/types.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const LATER = new Date(NOW.getTime() + 3600_000);
const grant = (source: GrantFacts['source'], o: Partial<GrantFacts> = {}): GrantFacts => ({ id: 'g', consultId: 'c', userId: 'U1', source, hop: 0, expiresAt: LATER, revokedAt: null, ...o });
const ask = (o: { isAdmin?: boolean; role?: 'requester' | 'member' | 'specialist' | null; removed?: boolean; grants?: GrantFacts[] }) =>
  mayShareForTeaching(
    {
      sharer: { userId: 'U1', isAdmin: o.isAdmin ?? false },
      consultId: 'c',
      participant: o.role === null ? null : { userId: 'U1', role: o.role ?? 'member', removedAt: o.removed ? NOW : null },
      grants: o.grants ?? [],
    },
    NOW,
  );

describe('mayShareForTeaching', () => {
  it('lets an admin, and a participant or invited specialist with a live grant of the chain', () => {
    expect(ask({ isAdmin: true, role: null })).toEqual({ allow: true });
    expect(ask({ role: 'requester', grants: [grant('participant')] })).toEqual({ allow: true });
    expect(ask({ role: 'specialist', grants: [grant('invitation', { hop: 1 })] })).toEqual({ allow: true });
  });

  it('refuses strangers, removed participants, and access given for care only (break-glass, channel members) or ended', () => {
    expect(ask({ role: null, grants: [grant('channel_member')] })).toEqual({ allow: false, reason: 'not_participant' });
    expect(ask({ removed: true, grants: [grant('participant')] })).toEqual({ allow: false, reason: 'not_participant' });
    expect(ask({ grants: [grant('break_glass')] })).toEqual({ allow: false, reason: 'no_live_grant' });
    expect(ask({ grants: [grant('channel_member')] })).toEqual({ allow: false, reason: 'no_live_grant' });
    expect(ask({ grants: [grant('participant', { expiresAt: NOW })] })).toEqual({ allow: false, reason: 'no_live_grant' });
    expect(ask({ grants: [grant('participant', { revokedAt: NOW })] })).toEqual({ allow: false, reason: 'no_live_grant' });
    expect(ask({ grants: [grant('participant', { consultId: 'other' })] })).toEqual({ allow: false, reason: 'no_live_grant' });
  });
});

describe('needsIdentifierCheck', () => {
  it('asks for every photo (a face cannot be ruled out) and for DICOM flagged or not known to be free of burned-in text', () => {
    expect(needsIdentifierCheck({ kind: 'photo', burnedInText: false })).toBe(true);
    expect(needsIdentifierCheck({ kind: 'dicom_instance', burnedInText: true })).toBe(true);
    expect(needsIdentifierCheck({ kind: 'dicom_series', burnedInText: null })).toBe(true);
    expect(needsIdentifierCheck({ kind: 'dicom_instance', burnedInText: false })).toBe(false);
  });
});
