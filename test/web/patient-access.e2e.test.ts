// Patients' own access in Chromium: two patients' CTs arrive through Slack
// and a clinician views one; a privacy officer issues that patient a link in
// the console (after ticking that their identity is verified), and gets the
// link and the one-time code once. The patient, in a browser of their own,
// enters the code, sees their image and not the other patient's, downloads
// the original DICOM byte for byte, and reads who viewed it (the clinician,
// and themself). The officer revokes the link; the patient's next request is
// refused.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditAction } from '../../src/core/audit/event.js';
import { CONSOLE_PEOPLE, consoleSignIn, recordUrls, startConsoleLoupe, type ConsoleLoupe } from '../support/console.js';
import { uploadCt } from '../support/console-uploads.js';
import { asJson } from '../support/json.js';
import { screen } from '../support/screens.js';

const RADIOLOGY = 'C0RADIOL01';
const MRN = 'MRN-E2E-8101';
const OTHER_MRN = 'MRN-E2E-8102';
const ISSUER = 'HOSP-E2E';
const AMARA = 'U0CLIN0001';

describe('a patient’s own access, issued in the console and used in a browser', () => {
  let c: ConsoleLoupe;
  let mine: { url: string; assetId: string; bytes: Buffer };
  let otherAssetId: string;

  const upload = (mrn: string) => uploadCt(c, { user: AMARA, channel: RADIOLOGY, mrn, issuer: ISSUER });

  beforeAll(async () => {
    c = await startConsoleLoupe();
    const { storage } = c.env.loupe.services;
    await storage.policies.change(c.env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: CONSOLE_PEOPLE.admin.slackId });
    mine = await upload(MRN);
    otherAssetId = (await upload(OTHER_MRN)).assetId;
    // Amara, who asked, views the patient's image: the patient will see that she did.
    const amara = await (await c.browser.newContext()).newPage();
    await consoleSignIn(amara, mine.url, CONSOLE_PEOPLE.clinician);
    await amara.waitForSelector('#preset-label:not([hidden])');
  });
  afterAll(async () => {
    await c?.close();
  });

  it('lets the patient see and download only their own images with the record of who viewed them, until the officer revokes the link', async () => {
    const { storage } = c.env.loupe.services;
    const { page: officer, errors } = await c.page();
    const officerUrls = recordUrls(officer);
    await consoleSignIn(officer, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.officer);
    await Promise.all([officer.waitForLoadState('load'), officer.getByRole('link', { name: 'Patient access' }).click()]);
    expect(await officer.textContent('h1')).toBe('Patient access');
    await officer.getByLabel('Patient identifier').fill(MRN);
    await officer.getByLabel('Issuer').fill(ISSUER);
    await Promise.all([officer.waitForLoadState('load'), officer.getByRole('button', { name: 'Find the patient' }).click()]);
    expect(await officer.textContent('section[aria-labelledby=links]')).toContain('None issued yet');
    // Without the tick the browser will not send the form; the use case refuses it too (tested with the use cases).
    await officer.getByLabel('I have verified this patient’s identity').check();
    await Promise.all([officer.waitForLoadState('load'), officer.getByRole('button', { name: 'Issue the link' }).click()]);
    const link = (await officer.textContent('#patient-link'))!.trim();
    const code = (await officer.textContent('#patient-code'))!.replace(/\s/g, '');
    expect(link).toMatch(new RegExp(`^${c.publicUrl}/patient/[A-Za-z0-9_-]{43}$`));
    expect(code).toMatch(/^\d{8}$/);
    expect(await officer.locator('table.patient-links tbody tr').count()).toBe(1);
    expect(await officer.locator('table.patient-links tbody tr').textContent()).toContain('active');

    // The patient, in a browser of their own.
    const patientContext = await c.browser.newContext({ acceptDownloads: true });
    const patient = await patientContext.newPage();
    const patientErrors: string[] = [];
    patient.on('pageerror', (e) => patientErrors.push(e.message));
    const patientUrls = recordUrls(patient);
    await patient.goto(link);
    await patient.getByLabel(/code/).fill(`${code.slice(0, 4)} ${code.slice(4)}`);
    await Promise.all([patient.waitForURL(`${c.publicUrl}/patient/images`), patient.getByRole('button', { name: 'Show my images' }).click()]);
    const cookie = (await patientContext.cookies()).find((x) => x.name === 'loupe_patient');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/patient' });

    expect(await patient.locator('[data-asset]').evaluateAll((items) => items.map((i) => i.getAttribute('data-asset')))).toEqual([mine.assetId]);
    const html = await patient.content();
    expect(html).not.toContain(otherAssetId);
    expect(html).not.toMatch(/<script\b/i);
    // The rendering Loupe made of the CT at intake, shown as an image.
    const rendered = patient.locator(`[data-asset="${mine.assetId}"] img`);
    await expect.poll(() => rendered.evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete ? i.naturalWidth : 0; })).toBeGreaterThan(0);
    await screen(patient, 'patient-images');

    const [download] = await Promise.all([patient.waitForEvent('download'), patient.getByRole('link', { name: 'Download the original DICOM file' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^image-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.dcm$/);
    expect(Buffer.compare(await readFile((await download.path())!), mine.bytes)).toBe(0);

    // Another patient's image asked for directly: not there.
    expect((await patient.request.get(`${c.publicUrl}/patient/images/${otherAssetId}/original`)).status()).toBe(404);

    // Who viewed: Amara, and the patient themself.
    const rows = (await patient.locator('table.disclosures tbody tr').allTextContents()).map((t) => t.replace(/\s+/g, ' '));
    expect(rows.some((r) => r.includes('Dr Amara Okafor') && r.includes('requester') && r.includes('allowed'))).toBe(true);
    expect(rows.some((r) => r.includes('The patient') && r.includes('own access'))).toBe(true);
    expect(await storage.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientAccessViewed, assetId: mine.assetId, details: { path: ['what'], equals: 'original' } } })).toBe(1);

    // The officer finds the link in use and revokes it; the patient's next request is refused.
    await officer.getByLabel('Patient identifier').fill(MRN);
    await officer.getByLabel('Issuer').fill(ISSUER);
    await Promise.all([officer.waitForLoadState('load'), officer.getByRole('button', { name: 'Find the patient' }).click()]);
    expect(await officer.locator('table.patient-links tbody tr').textContent()).toContain('in use');
    await Promise.all([officer.waitForURL(`${c.publicUrl}/admin/patients/access?done=revoked`), officer.getByRole('button', { name: /^Revoke/ }).click()]);
    expect(await officer.textContent('[role=status]')).toContain('revoked');

    const refused = await patient.reload();
    expect(refused?.status()).toBe(403);
    expect(await patient.textContent('h1')).toBe('This link was withdrawn');
    expect((await patient.request.get(`${c.publicUrl}/patient/images/${mine.assetId}/original`)).status()).toBe(403);
    expect(await storage.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientAccessRefused, reason: 'revoked' } })).toBeGreaterThanOrEqual(2);

    for (const url of [...officerUrls, ...patientUrls]) expect(decodeURIComponent(url)).not.toContain(MRN);
    const trail = asJson(await storage.db.prisma.auditEvent.findMany());
    for (const secret of [MRN, code, link.split('/').at(-1)!]) expect(trail).not.toContain(secret);
    expect(errors).toEqual([]);
    expect(patientErrors).toEqual([]);
  });

  it('refuses a workspace admin the page and the issuing, audited', async () => {
    const { storage } = c.env.loupe.services;
    const before = await storage.db.prisma.patientAccessLink.count();
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.admin);
    expect(await page.getByRole('link', { name: 'Patient access' }).count()).toBe(0);
    expect((await page.request.get(`${c.publicUrl}/admin/patients/access`)).status()).toBe(403);
    const token = await page.locator('header input[name=_csrf]').inputValue();
    const posted = await page.request.post(`${c.publicUrl}/admin/patients/access`, { form: { _csrf: token, identifier: MRN, issuer: ISSUER, op: 'issue', verified: 'yes', days: '7' }, headers: { origin: c.publicUrl } });
    expect(posted.status()).toBe(403);
    expect(await storage.db.prisma.patientAccessLink.count()).toBe(before);
    expect(await storage.db.prisma.auditEvent.count({ where: { action: AuditAction.ConsoleRefused, details: { path: ['action'], equals: 'issue_patient_access' } } })).toBe(2);
  });
});
