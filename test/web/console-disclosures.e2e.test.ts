// The accounting of disclosures in Chromium: clinicians open a card's image
// (one allowed, one turned away), another patient's image is seen too; then a
// privacy officer posts the patient's identifier and gets exactly those
// accesses, who/what/outcome right, nothing of the other patient, and can
// download the report; the identifier is in no URL of the session and no
// audit event; a workspace admin and a clinician get 403.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditAction } from '../../src/core/audit/event.js';
import { CONSOLE_PEOPLE, consoleSignIn, recordUrls, startConsoleLoupe, type ConsoleLoupe } from '../support/console.js';
import { uploadCt } from '../support/console-uploads.js';
import { until } from '../support/slack.js';
import { asJson } from '../support/json.js';

const RADIOLOGY = 'C0RADIOL01';
const MRN = 'MRN-E2E-7001';
const OTHER_MRN = 'MRN-E2E-7002';
const ISSUER = 'HOSP-E2E';
const AMARA = 'U0CLIN0001';
const LI = { id: 'U0CLIN0002', email: 'li.wei@hospital.example' };

describe('the accounting of disclosures in the console', () => {
  let c: ConsoleLoupe;
  let assetId: string;
  let otherAssetId: string;
  let patientId: string;

  const upload = (mrn: string) => uploadCt(c, { user: AMARA, channel: RADIOLOGY, mrn, issuer: ISSUER });

  beforeAll(async () => {
    c = await startConsoleLoupe();
    const { storage } = c.env.loupe.services;
    await storage.policies.change(c.env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: CONSOLE_PEOPLE.admin.slackId });
    const mine = await upload(MRN);
    const other = await upload(OTHER_MRN);
    assetId = mine.assetId;
    otherAssetId = other.assetId;
    patientId = (await storage.patients.find(c.env.workspaceId, ISSUER, MRN))!;
    expect(patientId).toBeTruthy();

    // Amara, who asked, sees both images; Li, outside the consult, is turned away from the first.
    const amara = await (await c.browser.newContext()).newPage();
    // The console's sign-in helper fills the same provider form the viewer's link leads to.
    await consoleSignIn(amara, mine.url, CONSOLE_PEOPLE.clinician);
    await amara.waitForSelector('#preset-label:not([hidden])');
    await amara.goto(other.url);
    await amara.waitForSelector('#preset-label:not([hidden])');
    const li = await (await c.browser.newContext()).newPage();
    const denied = li.waitForResponse((r) => r.url() === mine.url && r.status() !== 302);
    await consoleSignIn(li, mine.url, LI);
    expect((await denied).status()).toBe(403);
    await until('the refusal recorded', () => storage.db.prisma.auditEvent.findFirst({ where: { action: AuditAction.AssetViewed, outcome: 'denied', actorId: LI.id } }));
  });
  afterAll(async () => {
    await c?.close();
  });

  it('gives a privacy officer exactly the accesses made, by POST, and a download; the identifier in no URL and no audit event', async () => {
    const { storage } = c.env.loupe.services;
    // What the trail holds of this patient's image, as the test made it.
    const views = await storage.db.prisma.auditEvent.findMany({ where: { action: AuditAction.AssetViewed, assetId }, orderBy: { seq: 'asc' } });
    expect(new Set(views.map((v) => `${v.actorId} ${v.outcome}`))).toEqual(new Set([`${AMARA} success`, `${LI.id} denied`]));

    const { page, errors } = await c.page();
    const urls = recordUrls(page);
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.officer);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Disclosures' }).click()]);
    expect(await page.textContent('h1')).toBe('Accounting of disclosures');
    await page.getByLabel('Patient identifier').fill(MRN);
    await page.getByLabel('Issuer').fill(ISSUER);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Show report' }).click()]);
    expect(page.url()).toBe(`${c.publicUrl}/admin/patients/report`);
    expect(await page.textContent('[role=status]')).toContain(`${views.length} accesses to this patient’s images (${views.filter((v) => v.outcome === 'success').length} allowed, 1 refused)`);

    const rows = (await page.locator('table.disclosures tbody tr').allTextContents()).map((t) => t.replace(/\s+/g, ' '));
    expect(rows).toHaveLength(views.length);
    for (const [i, v] of views.entries()) {
      const row = rows[i]!;
      expect(row).toContain(assetId);
      expect(row).toContain('DICOM · CT');
      expect(row).toContain('care');
      if (v.actorId === AMARA) for (const t of ['Dr Amara Okafor', AMARA, 'requester', 'allowed']) expect(row).toContain(t);
      else for (const t of ['Dr Li Wei', LI.id, 'none', 'refused']) expect(row).toContain(t);
    }
    const content = await page.content();
    expect(content).not.toContain(otherAssetId);
    expect(content).not.toMatch(/<script\b/i);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as HTML' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^loupe-disclosures-\d{8}T\d{6}Z\.html$/);
    const file = await readFile((await download.path())!, 'utf8');
    expect(file.match(/<tr><td><time/g)).toHaveLength(views.length + 1);
    expect(file).toContain('privacy officer');
    expect(file).not.toContain(otherAssetId);

    // The PDF to hand over, read back by poppler's pdftotext: the same accesses (and the HTML download, now listed), nothing of the other patient.
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download the report \(PDF/ }).click()]);
    expect(pdf.suggestedFilename()).toMatch(/^loupe-disclosures-\d{8}T\d{6}Z\.pdf$/);
    const text = execFileSync('pdftotext', ['-layout', (await pdf.path())!, '-'], { encoding: 'utf8' });
    expect(text).toContain('Accounting of disclosures');
    expect(text).toContain(`${views.length + 2} accesses`);
    expect(text).toContain(patientId);
    expect(text).not.toContain(otherAssetId);
    expect(text).not.toContain(MRN);

    const produced = await storage.db.prisma.auditEvent.findMany({ where: { action: AuditAction.PatientReportProduced }, orderBy: { seq: 'asc' } });
    expect(produced.map((e) => [e.patientId, (e.details as { via: string; accesses: number }).via, (e.details as { accesses: number }).accesses])).toEqual([
      [patientId, 'console', views.length],
      [patientId, 'console', views.length + 1],
      [patientId, 'console', views.length + 2],
    ]);
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(decodeURIComponent(url)).not.toContain(MRN);
    const trail = asJson(await storage.db.prisma.auditEvent.findMany());
    expect(trail).not.toContain(MRN);
    expect(errors).toEqual([]);
  });

  it('refuses a workspace admin and a clinician with 403, the form and a posted report alike', async () => {
    const { storage } = c.env.loupe.services;
    const before = await storage.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientReportProduced } });
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.admin);
    expect(await page.getByRole('link', { name: 'Disclosures' }).count()).toBe(0);
    expect((await page.request.get(`${c.publicUrl}/admin/patients/report`)).status()).toBe(403);
    const token = await page.locator('header input[name=_csrf]').inputValue();
    const posted = await page.request.post(`${c.publicUrl}/admin/patients/report`, { form: { _csrf: token, identifier: MRN, issuer: ISSUER }, headers: { origin: c.publicUrl } });
    expect(posted.status()).toBe(403);
    expect(await posted.text()).not.toContain(assetId);

    const clinician = (await c.page()).page;
    await consoleSignIn(clinician, `${c.publicUrl}/admin/patients/report`, CONSOLE_PEOPLE.clinician);
    expect((await clinician.request.get(`${c.publicUrl}/admin/patients/report`)).status()).toBe(403);
    expect(await storage.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientReportProduced } })).toBe(before);
    expect(await storage.db.prisma.auditEvent.count({ where: { action: AuditAction.ConsoleRefused, details: { path: ['action'], equals: 'report_disclosures' } } })).toBe(2);
  });
});
