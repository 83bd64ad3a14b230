// The console's asset list and the privacy officer's patient search: paged
// without loading everything, no patient data in a row, each person kept to
// the workspaces they may see, and every search audited without its identifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleAccess } from '../../src/app/console/console-access.js';
import { listAssets, type AssetCursor, type AssetRow } from '../../src/app/console/list-assets.js';
import { searchPatient } from '../../src/app/console/search-patient.js';
import { mayUseConsole, type ConsoleAction } from '../../src/core/console/roles.js';
import { ErrorCode } from '../../src/core/errors.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { asJson } from '../support/json.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const MRN = 'MRN-SECRET-4471';
const NAME = 'Harriet Quill';
const MESSAGE = 'ulcer on left heel, see MRN-SECRET-4471';
const CHANNEL = 'C0WOUNDS01';
const RULES = { privacyOfficerGroups: ['privacy'], requireMfa: true };

/** The console's access for someone who administers `adminOf` (and the channels of `owns`, as a Teams team's owner) and is (or not) a privacy officer, decided by the core. */
function accessOf(adminOf: string[], officer = false, owns: Record<string, string[]> = {}): Pick<ConsoleAccess, 'workspacesFor' | 'channelsFor'> {
  const may = (action: ConsoleAction, ws: string, channel?: string) =>
    mayUseConsole(
      { isWorkspaceAdmin: adminOf.includes(ws), isChannelAdmin: channel !== undefined && (owns[ws] ?? []).includes(channel), groups: officer ? ['privacy'] : [], multiFactor: true },
      RULES,
      action,
    ).allow;
  return {
    workspacesFor: (action, all) => all.filter((ws) => may(action, ws)),
    channelsFor: (action, ws) => (may(action, ws) ? [] : (owns[ws] ?? []).filter((ch) => may(action, ws, ch))),
  };
}

describe.each(testEngines())('console assets on %s', (engine) => {
  let s: TestStorage;
  let a: string;
  let b: string;
  let all: string[];
  let patientId: string;
  let heldAsset: string;
  const system = { type: 'system' as const, id: 'test' };

  async function asset(workspaceId: string, at: Date, extra: Record<string, unknown> = {}): Promise<string> {
    const consult = await s.db.prisma.consult.create({ data: { workspaceId, channelId: CHANNEL, threadId: `${at.getTime()}.${Math.random()}`, requesterId: 'U0CLIN0001' } });
    const row = await s.db.prisma.asset.create({
      data: { workspaceId, consultId: consult.id, uploaderId: 'U0CLIN0001', kind: 'photo', status: 'stored', sourceRef: `F${Math.random().toString(36).slice(2)}`, createdAt: at, ...extra },
    });
    return row.id;
  }

  beforeAll(async () => {
    s = await createTestStorage(engine, { clock: { now: () => NOW } });
    a = (await s.workspaces.ensure('slack', 'T0AAAA', 'North Hospital', system)).id;
    b = (await s.workspaces.ensure('slack', 'T0BBBB', 'South Clinic', system)).id;
    all = [a, b];
    patientId = await s.patients.link(a, { identifier: MRN, issuer: 'NORTH', name: NAME, birthDate: '1950-02-03' }, system);
    // Seven assets in A a minute apart, the newest linked to the patient with a card, a hold and message text.
    for (let i = 0; i < 6; i++) await asset(a, new Date(NOW.getTime() - (10 - i) * 60_000), { removal: i % 2 ? 'removed' : 'not_possible' });
    const key = await s.dataKeys.create(s.db.prisma, 'message_text', null);
    heldAsset = await asset(a, new Date(NOW.getTime() - 60_000), {
      patientId,
      kind: 'dicom_instance',
      metadata: { modality: 'CT', messageNamesPatient: true },
      removal: 'requested',
      messageText: Buffer.from(MESSAGE),
      messageTextKeyId: key.id,
    });
    const consultId = (await s.db.prisma.asset.findUniqueOrThrow({ where: { id: heldAsset } })).consultId!;
    await s.db.prisma.card.create({ data: { workspaceId: a, assetId: heldAsset, consultId, channelId: CHANNEL, threadId: 't', state: 'active', expiresAt: new Date(NOW.getTime() + 3600_000) } });
    await s.legalHolds.place(a, { scope: 'patient', targetId: patientId }, 'Matter 2026-17', { type: 'user', id: 'officer' });
    await asset(b, new Date(NOW.getTime() - 30_000));
  });
  afterAll(() => s?.cleanup());

  const deps = () => ({ db: s.db, policies: s.policies, audit: s.audit, patients: s.patients });

  it('pages through the list newest first, by cursor, and back again', async () => {
    const officer = accessOf([], true);
    const seen: AssetRow[][] = [];
    let after: AssetCursor | undefined;
    do {
      const page = await listAssets(deps(), { access: officer, allWorkspaceIds: all, filter: { workspaceId: a }, after, limit: 3 });
      seen.push(page.rows);
      after = page.older;
      if (seen.length === 1) expect(page.newer).toBeUndefined();
    } while (after);
    expect(seen.map((p) => p.length)).toEqual([3, 3, 1]);
    const times = seen.flat().map((r) => r.receivedAt.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(new Set(seen.flat().map((r) => r.id)).size).toBe(7);
    // Previous from the last page gives the middle page again.
    const last = await listAssets(deps(), { access: officer, allWorkspaceIds: all, filter: { workspaceId: a }, after: { at: seen[1]!.at(-1)!.receivedAt, id: seen[1]!.at(-1)!.id }, limit: 3 });
    const back = await listAssets(deps(), { access: officer, allWorkspaceIds: all, filter: { workspaceId: a }, before: last.newer, limit: 3 });
    expect(back.rows.map((r) => r.id)).toEqual(seen[1]!.map((r) => r.id));
    expect(back.older).toBeDefined();
  });

  it('shows kind, channel, uploader, state, removal, card, retention and holds, and no patient data', async () => {
    const page = await listAssets(deps(), { access: accessOf([a]), allWorkspaceIds: all, filter: {}, limit: 1 });
    const row = page.rows[0]!;
    expect(row).toMatchObject({
      id: heldAsset,
      kind: 'dicom',
      modality: 'CT',
      channelId: CHANNEL,
      uploaderId: 'U0CLIN0001',
      state: 'stored',
      cardState: 'active',
      removal: 'requested',
      held: { asset: false, patient: true, channel: false },
      patientLinked: true,
    });
    expect(row.retentionEnd?.toISOString()).toBe(new Date(NOW.getTime() - 60_000 + 365 * 86_400_000).toISOString());
    const everything = JSON.stringify((await listAssets(deps(), { access: accessOf([a]), allWorkspaceIds: all, filter: {}, limit: 100 })).rows);
    for (const phi of [MRN, NAME, '1950-02-03', 'heel', patientId]) expect(everything).not.toContain(phi);
  });

  it('keeps an admin of one workspace to it: nothing of another, and a refusal when they ask for it', async () => {
    const admin = accessOf([a]);
    const rows = (await listAssets(deps(), { access: admin, allWorkspaceIds: all, filter: {}, limit: 100 })).rows;
    expect(rows.length).toBe(7);
    expect(rows.every((r) => r.workspaceId === a)).toBe(true);
    await expect(listAssets(deps(), { access: admin, allWorkspaceIds: all, filter: { workspaceId: b }, limit: 10 })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect((await listAssets(deps(), { access: accessOf([b]), allWorkspaceIds: all, filter: {}, limit: 100 })).rows.map((r) => r.workspaceId)).toEqual([b]);
    expect((await listAssets(deps(), { access: accessOf([]), allWorkspaceIds: all, filter: {}, limit: 100 })).rows).toEqual([]);
  });

  it('refuses a patient search to a workspace admin, and audits the refusal', async () => {
    const before = await s.db.prisma.auditEvent.count({ where: { action: 'patient.searched' } });
    await expect(searchPatient(deps(), { access: accessOf([a, b]), allWorkspaceIds: all, identifier: MRN, issuer: 'NORTH', actor: { type: 'user', id: 'jordan' } })).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
    expect(await s.db.prisma.auditEvent.count({ where: { action: 'patient.searched' } })).toBe(before);
    expect(await s.db.prisma.auditEvent.count({ where: { action: 'console.refused', actorId: 'jordan', outcome: 'denied' } })).toBe(1);
  });

  it('finds a patient’s images for a privacy officer, audited once with the patient id and never the identifier', async () => {
    const officer = { type: 'user' as const, id: 'noor' };
    const found = await searchPatient(deps(), { access: accessOf([], true), allWorkspaceIds: all, identifier: ` ${MRN} `, issuer: 'NORTH', actor: officer, requestId: 'req-1' });
    expect(found.searched).toBe(2);
    expect(found.matches.map((m) => [m.workspaceId, m.patientId, m.assets.map((x) => x.id)])).toEqual([[a, patientId, [heldAsset]]]);
    const events = await s.db.prisma.auditEvent.findMany({ where: { action: 'patient.searched', actorId: 'noor' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'success', patientId, requestId: 'req-1', details: { workspaces: 2, found: 1 } });
    // The workspace's default issuer is used when none is typed; a miss is audited too, with no patient.
    await s.policies.change(a, '*', { identifierIssuer: 'NORTH' }, { type: 'admin', id: 'U0ADMIN001' });
    expect((await searchPatient(deps(), { access: accessOf([], true), allWorkspaceIds: all, identifier: MRN, actor: officer })).matches).toHaveLength(1);
    expect((await searchPatient(deps(), { access: accessOf([], true), allWorkspaceIds: all, identifier: 'MRN-NOBODY', issuer: 'NORTH', actor: officer })).matches).toEqual([]);
    const after = await s.db.prisma.auditEvent.findMany({ where: { action: 'patient.searched', actorId: 'noor' }, orderBy: { seq: 'asc' } });
    expect(after.map((e) => [e.patientId, e.details])).toEqual([
      [patientId, { workspaces: 2, found: 1 }],
      [patientId, { workspaces: 2, found: 1 }],
      [null, { workspaces: 2, found: 0 }],
    ]);
    const trail = asJson(await s.db.prisma.auditEvent.findMany());
    expect(trail).not.toContain(MRN);
    expect(trail).not.toContain('MRN-NOBODY');
    await expect(searchPatient(deps(), { access: accessOf([], true), allWorkspaceIds: all, identifier: '   ', actor: officer })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });

  it('with no issuer typed, looks under each issuer the workspace’s policies use (a channel may set its own)', async () => {
    const officer = { type: 'user' as const, id: 'noor-2' };
    const ward = await s.patients.link(b, { identifier: 'W-1001', issuer: 'WARD-7' }, system);
    await s.policies.change(b, 'C0WARD0007', { identifierIssuer: 'WARD-7' }, { type: 'admin', id: 'U0ADMIN001' });
    const found = await searchPatient(deps(), { access: accessOf([], true), allWorkspaceIds: all, identifier: 'W-1001', actor: officer });
    expect(found.matches.map((m) => [m.workspaceId, m.patientId, m.issuer])).toEqual([[b, ward, 'WARD-7']]);
    expect((await searchPatient(deps(), { access: accessOf([], true), allWorkspaceIds: all, identifier: 'W-1001', issuer: 'LOCAL', actor: officer })).matches).toEqual([]);
  });

  it('keeps a team’s owner to their team’s channels: no other channel, no other workspace, no patient search', async () => {
    const own = await asset(a, new Date(NOW.getTime() - 20 * 60_000));
    await s.db.prisma.consult.update({ where: { id: (await s.db.prisma.asset.findUniqueOrThrow({ where: { id: own } })).consultId! }, data: { channelId: 'C0DERM0001' } });
    const owner = accessOf([], false, { [a]: ['C0DERM0001'] });
    const rows = (await listAssets(deps(), { access: owner, allWorkspaceIds: all, filter: {}, limit: 100 })).rows;
    expect(rows.map((r) => [r.id, r.channelId])).toEqual([[own, 'C0DERM0001']]);
    expect((await listAssets(deps(), { access: owner, allWorkspaceIds: all, filter: { workspaceId: a, channelId: CHANNEL }, limit: 100 })).rows).toEqual([]);
    await expect(listAssets(deps(), { access: owner, allWorkspaceIds: all, filter: { workspaceId: b }, limit: 10 })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await expect(searchPatient(deps(), { access: owner, allWorkspaceIds: all, identifier: MRN, issuer: 'NORTH', actor: { type: 'user', id: 'owner' } })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    // The workspace's admin still sees every channel, the owner's included.
    expect((await listAssets(deps(), { access: accessOf([a]), allWorkspaceIds: all, filter: {}, limit: 100 })).rows).toHaveLength(8);
  });
});
