import { describe, expect, it } from 'vitest';
import { AuditAction } from '../../src/core/audit/event.js';
import { auditFilterParams, parseAuditFilter, type AuditFilter } from '../../src/core/audit/filter.js';

const PATIENT = '0b4c3a52-6f0e-4f63-9d0b-2a1e5d7c9f10';
const ASSET = '5e1d2c3b-4a59-4687-8b9c-0d1e2f3a4b5c';
const WORKSPACE = '9a8b7c6d-5e4f-4321-a0b1-c2d3e4f5a6b7';

function parsed(input: Record<string, unknown>): AuditFilter {
  const r = parseAuditFilter(input);
  if (!r.ok) throw new Error(`unexpected problem: ${r.problem}`);
  return r.filter;
}

function problem(input: Record<string, unknown>): string {
  const r = parseAuditFilter(input);
  if (r.ok) throw new Error('expected a problem');
  return r.problem;
}

describe('parseAuditFilter', () => {
  it('reads every field from plain strings', () => {
    expect(
      parsed({
        since: '2026-01-31',
        until: '2026-02-01T08:30:00+01:00',
        actor: 'U024BE7LH',
        action: 'asset.viewed',
        outcome: 'denied',
        patient: PATIENT,
        asset: ASSET.toUpperCase(),
        workspace: WORKSPACE,
      }),
    ).toEqual({
      since: new Date('2026-01-31T00:00:00.000Z'),
      until: new Date('2026-02-01T07:30:00.000Z'),
      actorId: 'U024BE7LH',
      action: AuditAction.AssetViewed,
      outcome: 'denied',
      patientId: PATIENT,
      assetId: ASSET,
      workspaceId: WORKSPACE,
    });
  });

  it('takes a date alone as midnight UTC, and a time with Z, seconds and fractions', () => {
    expect(parsed({ since: '2026-03-01' }).since?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parsed({ since: '2026-03-01T08:00Z' }).since?.toISOString()).toBe('2026-03-01T08:00:00.000Z');
    expect(parsed({ since: '2026-03-01T08:00:05.25Z' }).since?.toISOString()).toBe('2026-03-01T08:00:05.250Z');
  });

  it('treats empty strings as absent and ignores unknown keys', () => {
    expect(parsed({ since: '', actor: '', outcome: '', patient: '', format: 'csv', page: '2' })).toEqual({});
    expect(parsed({})).toEqual({});
  });

  it('refuses dates that are not ISO 8601 or do not exist, naming the key', () => {
    for (const since of ['yesterday', '31/01/2026', '2026-02-30', '2026-01-31T08:00:00', '2026-01-31T25:00Z', '1700000000']) {
      expect(problem({ since }), since).toBe('since expects an ISO 8601 date, e.g. 2026-01-31 or 2026-01-31T08:00:00Z');
    }
    expect(problem({ until: 'tomorrow' })).toMatch(/^until expects an ISO 8601 date/);
    expect(problem({ since: '2026-02-01', until: '2026-02-01' })).toBe('until must be later than since');
  });

  it('refuses unknown actions and outcomes, ids that are not UUIDs, and unbounded actors', () => {
    expect(problem({ action: 'asset.deleted' })).toBe('action expects a known audit action, e.g. asset.viewed');
    expect(problem({ outcome: 'ok' })).toBe('outcome expects success, failure or denied');
    expect(problem({ patient: 'MRN-0012345' })).toBe("patient expects Loupe's id (a UUID)");
    expect(problem({ asset: `${ASSET}x` })).toBe("asset expects Loupe's id (a UUID)");
    expect(problem({ workspace: 'T0001' })).toBe("workspace expects Loupe's id (a UUID)");
    expect(problem({ actor: 'U'.repeat(129) })).toMatch(/^actor expects an actor id/);
    expect(parsed({ actor: 'U'.repeat(128) }).actorId).toHaveLength(128);
    expect(problem({ actor: 'Jane Doe' })).toMatch(/^actor expects/);
    expect(problem({ actor: 'U1\nU2' })).toMatch(/^actor expects/);
    // A repeated query parameter is refused, not one of its values picked.
    expect(problem({ outcome: ['success', 'denied'] })).toMatch(/^outcome expects/);
  });

  it('never echoes the value it refuses', () => {
    const secret = 'MRN-0012345 Jane Doe';
    for (const key of ['since', 'until', 'actor', 'action', 'outcome', 'patient', 'asset', 'workspace']) {
      expect(problem({ [key]: secret })).not.toContain('0012345');
    }
  });
});

describe('auditFilterParams', () => {
  it('is the inverse of parseAuditFilter, leaving empty fields out', () => {
    const filter = parsed({ since: '2026-01-31', until: '2026-02-28T12:00:00Z', actor: 'cli', action: 'audit.exported', outcome: 'success', patient: PATIENT, asset: ASSET, workspace: WORKSPACE });
    const params = auditFilterParams(filter);
    expect(params).toEqual({
      since: '2026-01-31T00:00:00.000Z',
      until: '2026-02-28T12:00:00.000Z',
      actor: 'cli',
      action: 'audit.exported',
      outcome: 'success',
      patient: PATIENT,
      asset: ASSET,
      workspace: WORKSPACE,
    });
    expect(parsed(params)).toEqual(filter);
    expect(auditFilterParams({ outcome: 'failure' })).toEqual({ outcome: 'failure' });
    expect(auditFilterParams({})).toEqual({});
  });
});
