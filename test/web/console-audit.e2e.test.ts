// The console's data pages in Chromium, as a privacy officer and a workspace
// admin use them: finding a patient's images (audited, the identifier in no
// URL and no audit event), the asset list, the audit trail's filters, paging,
// chain status and exports (the same bytes as `loupe audit export`), and alerts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { CONSOLE_PEOPLE, consoleSignIn, startConsoleLoupe, type ConsoleLoupe } from '../support/console.js';
import { AuditAction } from '../../src/core/audit/event.js';
import { cli } from '../support/cli.js';
import { until } from '../support/until.js';
import { screen } from '../support/screens.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const RADIOLOGY = 'C0RADIOL01';
const MRN = 'MRN-E2E-5150';
const AMARA = 'U0CLIN0001';

async function ctDicom(patientId: string): Promise<Buffer> {
  const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
  instance.dicom.dict['00100020'] = { vr: 'LO', Value: [patientId] };
  return writeInstance(instance);
}

/** Every URL the page asks for (navigations, forms, downloads), to check none carries patient data. */
function recordUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

/** The whole audit trail as text, to check what it must never contain. */
async function trailText(c: ConsoleLoupe): Promise<string> {
  const events = await c.env.loupe.services.storage.db.prisma.auditEvent.findMany();
  return JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

describe('the console’s assets, audit trail and alerts', () => {
  let c: ConsoleLoupe;
  let assetId: string;
  let patientId: string;

  beforeAll(async () => {
    c = await startConsoleLoupe({ LOUPE_ALERT_SWEEP_SECONDS: '10' });
    const { storage } = c.env.loupe.services;
    await storage.policies.change(c.env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: CONSOLE_PEOPLE.admin.slackId });
    const up = await c.env.slack.uploadFile({ user: AMARA, channel: RADIOLOGY, name: 'ct.dcm', bytes: await ctDicom(MRN) });
    const card = await until('the card, its asset linked to the patient', async () => {
      const found = await storage.db.prisma.card.findFirst({ where: { threadId: up.ts }, include: { asset: true } });
      return found?.asset.patientId ? found : undefined;
    });
    assetId = card.assetId;
    patientId = card.asset.patientId!;
  });
  afterAll(async () => {
    await c?.close();
  });

  it('lets a privacy officer find a patient’s images by identifier, audited, the identifier in no URL and no audit event', async () => {
    const { page, errors } = await c.page();
    const urls = recordUrls(page);
    await consoleSignIn(page, `${c.publicUrl}/admin/assets`, CONSOLE_PEOPLE.officer);
    expect(await page.textContent('h1')).toBe('Assets');
    await page.getByLabel('Patient identifier').fill(MRN);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Search' }).click()]);
    expect(await page.textContent('h1')).toBe('Patient search');
    expect(await page.textContent('[role=status]')).toContain('Found the patient in 1 of the 1 workspace searched');
    const result = page.locator('table.assets tbody tr');
    expect(await result.count()).toBe(1);
    expect(await result.first().textContent()).toContain('DICOM · CT');
    await screen(page, 'console-patient-search');
    expect(await page.getByRole('link', { name: 'Audit trail for this patient' }).getAttribute('href')).toBe(`/admin/audit?patient=${patientId}`);
    expect(await page.getByRole('link', { name: 'Place a hold on this patient' }).getAttribute('href')).toBe(`/admin/holds?patient=${patientId}`);
    expect(await page.getByRole('link', { name: 'Audit trail for this asset' }).getAttribute('href')).toBe(`/admin/audit?asset=${assetId}`);

    const searched = await c.env.loupe.services.storage.db.prisma.auditEvent.findMany({ where: { action: 'patient.searched' } });
    expect(searched).toHaveLength(1);
    expect(searched[0]).toMatchObject({ outcome: 'success', patientId, details: { workspaces: 1, found: 1 } });
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(decodeURIComponent(url)).not.toContain(MRN);
    expect(await trailText(c)).not.toContain(MRN);
    expect(errors).toEqual([]);
  });

  it('lists assets without patient data, and gives a workspace admin no patient search', async () => {
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/assets`, CONSOLE_PEOPLE.admin);
    const row = page.locator('table.assets tbody tr').first();
    const text = (await row.textContent()) ?? '';
    for (const expected of ['DICOM · CT', RADIOLOGY, AMARA, 'Stored', 'card active', 'Linked']) expect(text).toContain(expected);
    expect(await page.content()).not.toContain(MRN);
    expect(await page.content()).not.toContain(patientId);
    expect(await page.getByLabel('Patient identifier').count()).toBe(0);
    // A search posted anyway, with the session's own form token, is refused.
    const token = await page.locator('header input[name=_csrf]').inputValue();
    const refused = await page.request.post(`${c.publicUrl}/admin/assets/search`, { form: { _csrf: token, identifier: MRN }, headers: { origin: c.publicUrl } });
    expect(refused.status()).toBe(403);
    expect(await c.env.loupe.services.storage.db.prisma.auditEvent.count({ where: { action: 'patient.searched' } })).toBe(1);
  });

  it('filters the audit trail, and downloads it as CSV and FHIR NDJSON, each the same as `loupe audit export` prints', async () => {
    const { page, errors } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/audit`, CONSOLE_PEOPLE.officer);
    await page.getByLabel('Asset id').fill(assetId);
    await page.getByLabel('Action').selectOption('blob.stored');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Apply filters' }).click()]);
    const rows = page.locator('table.trail tbody tr');
    const stored = await c.env.loupe.services.storage.db.prisma.auditEvent.count({ where: { assetId, action: 'blob.stored' } });
    expect(stored).toBeGreaterThan(1);
    expect(await rows.count()).toBe(stored);
    await screen(page, 'console-audit');
    for (const text of await rows.allTextContents()) expect(text).toContain('blob.stored');

    for (const [link, format, extension] of [['Download CSV', 'csv', 'csv'], ['Download FHIR AuditEvent (NDJSON)', 'ndjson', 'ndjson']] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link }).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^loupe-audit-\\d{8}T\\d{6}Z\\.${extension}$`));
      const downloaded = await readFile((await download.path())!, 'utf8');
      const printed = await cli(c.env.inst.env, 'audit', 'export', '--asset', assetId, '--action', 'blob.stored', '--format', format);
      expect(printed).toMatchObject({ status: 0, err: `exported ${stored} audit events` });
      expect(downloaded).toBe(`${printed.out}\n`);
      expect(downloaded.trimEnd().split('\n')).toHaveLength(format === 'csv' ? stored + 1 : stored);
    }
    // Each download is itself recorded, by the officer, with the filter's ids.
    const exported = await c.env.loupe.services.storage.db.prisma.auditEvent.findMany({ where: { action: 'audit.exported', actorType: 'user' } });
    expect(exported.map((e) => [e.assetId, (e.details as { format: string }).format])).toEqual([
      [assetId, 'csv'],
      [assetId, 'fhir-r4-ndjson'],
    ]);
    expect(errors).toEqual([]);
  });

  it('pages through a trail longer than one page, Older and back to Newer', async () => {
    const { storage } = c.env.loupe.services;
    for (let i = 0; i < 60; i++) await storage.audit.record({ actor: { type: 'user', id: 'pager-test' }, action: AuditAction.AssetViewed, outcome: 'success', workspaceId: c.env.workspaceId, assetId });
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/audit`, CONSOLE_PEOPLE.officer);
    await page.goto(`${c.publicUrl}/admin/audit?actor=pager-test`);
    const seqs = async () => (await page.locator('table.trail tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.id.slice(2)))));
    const first = await seqs();
    expect(first).toHaveLength(50);
    expect(first).toEqual([...first].sort((a, b) => b - a));
    expect(await page.getByRole('link', { name: '← Newer' }).count()).toBe(0);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Older →' }).click()]);
    const second = await seqs();
    expect(second).toHaveLength(10);
    expect(Math.max(...second)).toBeLessThan(Math.min(...first));
    expect(await page.getByRole('link', { name: 'Older →' }).count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('actor')).toBe('pager-test');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '← Newer' }).click()]);
    expect(await seqs()).toEqual(first);
  });

  it('says whether the chain verifies, and checks it on request', async () => {
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/audit`, CONSOLE_PEOPLE.officer);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Verify the chain now' }).click()]);
    expect(new URL(page.url()).search).toBe('?done=verified');
    const banner = await page.locator('section.chain [role=status]').textContent();
    expect(banner).toContain('The audit chain verifies.');
    expect(banner).toContain('Checked at');
    expect(await c.env.loupe.services.storage.db.prisma.auditEvent.count({ where: { action: 'audit.verified' } })).toBe(1);
    // Pressed again at once, five times over: the minute-old result stands, and the trail is not walked again.
    for (let i = 0; i < 5; i++) await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Verify the chain now' }).click()]);
    expect(await page.locator('section.chain [role=status]').textContent()).toContain('The audit chain verifies.');
    expect(await c.env.loupe.services.storage.db.prisma.auditEvent.count({ where: { action: 'audit.verified' } })).toBe(1);
  });

  it('lists the alert the breach rules raised, links its event, and lets a workspace admin acknowledge it with a note', async () => {
    const { storage } = c.env.loupe.services;
    const event = await storage.audit.record({
      actor: { type: 'system', id: 'chat' },
      action: AuditAction.OriginalNotRemovable,
      outcome: 'failure',
      workspaceId: c.env.workspaceId,
      assetId,
      details: { removal: 'not_possible', detail: 'test' },
    });
    // Raised by the scheduled job of the running Loupe (every 10 s here).
    const alert = await until('the alert raised by the job', () => storage.db.prisma.alert.findFirst({ where: { rule: 'original_not_removable', subject: assetId } }).then((a) => a ?? undefined), 30_000);
    const { page, errors } = await c.page();
    const urls = recordUrls(page);
    await consoleSignIn(page, `${c.publicUrl}/admin/alerts?state=open`, CONSOLE_PEOPLE.admin);
    const row = page.locator(`#alert-${alert.id}`);
    expect(await row.textContent()).toContain('An original could not be removed from the chat');
    expect(await row.getByRole('link', { name: `Event #${event.seq}` }).getAttribute('href')).toBe(`/admin/audit?before=${event.seq + 1n}#e-${event.seq}`);

    const NOTE = 'Asked the uploader to delete it; checked the channel.';
    await row.getByLabel('Note').fill(NOTE);
    await Promise.all([page.waitForURL(/\/admin\/alerts\?done=acknowledged$/), row.getByRole('button', { name: 'Acknowledge' }).click()]);
    expect(await page.locator('[role=status]').first().textContent()).toContain('Alert acknowledged.');
    const done = page.locator(`#alert-${alert.id}`);
    expect(await done.textContent()).toContain('Acknowledged');
    expect(await done.textContent()).toContain(NOTE);
    expect(await done.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

    const stored = await storage.db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(stored).toMatchObject({ state: 'acknowledged', note: NOTE });
    const audited = await storage.db.prisma.auditEvent.findFirstOrThrow({ where: { action: AuditAction.AlertAcknowledged } });
    expect(audited.details).toMatchObject({ alertId: alert.id, rule: 'original_not_removable', from: 'open' });
    expect(await trailText(c)).not.toContain(NOTE);
    expect(urls.join(' ')).not.toContain('uploader');
    // The open filter no longer lists it; /metrics counts it no more as open.
    await page.goto(`${c.publicUrl}/admin/alerts?state=open`);
    expect(await page.locator(`#alert-${alert.id}`).count()).toBe(0);
    const metrics = await (await fetch(`${c.publicUrl}/metrics`)).text();
    expect(metrics).toMatch(/loupe_alerts_open\{rule="original_not_removable"\} 0/);
    expect(errors).toEqual([]);
  });

  it('refuses the export to a workspace admin, who sees the trail without download links', async () => {
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/audit`, CONSOLE_PEOPLE.admin);
    expect(await page.locator('table.trail tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'Download CSV' }).count()).toBe(0);
    const refused = await page.request.get(`${c.publicUrl}/admin/audit/export?format=csv`);
    expect(refused.status()).toBe(403);
    expect(refused.headers()['content-disposition']).toBeUndefined();
    // Loupe's own events (no workspace) are not a workspace admin's to read.
    expect(await page.locator('table.trail').textContent()).not.toContain('Loupe itself');
  });

  it('starts no export from a link on another site: the officer lands on the audit page, nothing downloaded or recorded', async () => {
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/audit`, CONSOLE_PEOPLE.officer);
    const exports = () => c.env.loupe.services.storage.db.prisma.auditEvent.count({ where: { action: 'audit.exported' } });
    const before = await exports();
    const attacker: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<a id="go" href="${c.publicUrl}/admin/audit/export?format=csv">free pizza</a>`);
    });
    await new Promise<void>((r) => attacker.listen(0, 'localhost', r));
    try {
      let downloaded = false;
      page.on('download', () => void (downloaded = true));
      // Another site: localhost is not 127.0.0.1.
      await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
      await Promise.all([page.waitForURL(`${c.publicUrl}/admin/audit`), page.click('#go')]);
      expect(await page.textContent('h1')).toBe('Audit trail');
      expect(downloaded).toBe(false);
      expect(await exports()).toBe(before);
    } finally {
      attacker.close();
    }
  });

  it('refuses a workspace admin another workspace’s ids, whatever the URL says', async () => {
    const { storage } = c.env.loupe.services;
    // A Teams tenant Jordan is not matched in: the Slack stand-in would name its admin an admin of any Slack workspace.
    const other = await storage.workspaces.ensure('teams', 'tenant-elsewhere', 'Elsewhere Clinic', { type: 'system', id: 'test' });
    const theirs = await storage.db.prisma.asset.create({ data: { workspaceId: other.id, uploaderId: 'U0SOMEONE1', kind: 'photo', status: 'stored', sourceRef: 'F0ELSEWHERE' } });
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/assets`, CONSOLE_PEOPLE.admin);
    expect(await page.locator('table.assets').textContent()).not.toContain('Elsewhere Clinic');
    for (const path of [`/admin/assets?workspace=${other.id}`, `/admin/audit?workspace=${other.id}`, `/admin/audit?asset=${theirs.id}`]) {
      expect((await page.goto(`${c.publicUrl}${path}`))?.status()).toBe(403);
      expect(await page.textContent('h1')).toBe('Not allowed');
    }
    expect((await page.goto(`${c.publicUrl}/admin/audit?asset=${assetId}`))?.status()).toBe(200);
  });
});
