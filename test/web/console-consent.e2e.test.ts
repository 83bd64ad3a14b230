// Patient consent in the console, in Chromium: a privacy officer posts a
// patient's identifier, records a decision, changes it and withdraws it
// through the page; each is a version recorded by the console subject via
// the console, the one before superseded with its reason, each audited; the
// identifier is in no URL and no audit event; a clinician gets 403.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditAction } from '../../src/core/audit/event.js';
import { CONSOLE_PEOPLE, consoleSignIn, recordUrls, startConsoleLoupe, type ConsoleLoupe } from '../support/console.js';
import { asJson } from '../support/json.js';

const MRN = 'MRN-E2E-CONSENT-3141';
const ISSUER = 'HOSP-E2E';

describe('patient consent in the console', () => {
  let c: ConsoleLoupe;
  beforeAll(async () => {
    c = await startConsoleLoupe();
  });
  afterAll(async () => {
    await c?.close();
  });

  const submit = (page: Page, name: string) => Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).click()]);

  it('records, changes and withdraws a consent through the page, each a new version, audited, the identifier in no URL', async () => {
    const { storage } = c.env.loupe.services;
    const prisma = storage.db.prisma;
    const { page, errors } = await c.page();
    const urls = recordUrls(page);
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.officer);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Consent' }).click()]);
    expect(await page.textContent('h1')).toBe('Patient consent');
    await page.getByLabel('Patient identifier').fill(MRN);
    await page.getByLabel('Issuer').fill(ISSUER);
    await submit(page, 'Show consent');
    expect(page.url()).toBe(`${c.publicUrl}/admin/patients/consent`);
    expect(await page.textContent('#versions + p')).toContain('no record of this patient');

    const record = page.locator('section[aria-labelledby=record]');
    for (const name of ['Permit', 'Treatment', 'Research', 'The care team', 'Photos']) await record.getByLabel(name, { exact: true }).check();
    await record.getByLabel(/^From/).fill('2026-12-01');
    await submit(page, 'Record decision');
    expect(await page.textContent('[role=status]')).toContain('Consent recorded.');
    const patientId = (await storage.patients.find(c.env.workspaceId, ISSUER, MRN))!;
    expect(patientId).toBeTruthy();
    const [v1] = await prisma.consent.findMany({ where: { patientId } });
    expect(v1).toMatchObject({ version: 1, decision: 'permit', purposes: ['care', 'research'], parties: ['care_team'], dataKinds: ['photo'], recordedByKind: 'console_subject', recordedVia: 'console', validUntil: null });
    expect(v1!.validFrom.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    const table = async () => (await page.locator('table tbody').first().textContent())?.replace(/\s+/g, ' ') ?? '';
    expect(await table()).toContain('Permit');
    expect(await table()).toContain('Console');
    expect(await table()).toContain(v1!.recordedBy);

    await page.getByText('Change version 1').click();
    const change = page.locator('form:has(button[value=revise])');
    for (const name of ['Deny', 'Research', 'Providers outside the hospital', 'DICOM images']) await change.getByLabel(name, { exact: true }).check();
    await change.getByLabel('Reason for the change').selectOption('patient_changed');
    await submit(page, 'Record the change');
    expect(await page.textContent('[role=status]')).toContain('Consent changed');
    const two = await prisma.consent.findMany({ where: { chainId: v1!.chainId }, orderBy: { version: 'asc' } });
    expect(two.map((v) => [v.version, v.decision, v.supersededReason])).toEqual([
      [1, 'permit', 'patient_changed'],
      [2, 'deny', null],
    ]);
    expect(two[0]).toMatchObject({ supersededByKind: 'console_subject', supersededBy: v1!.recordedBy });

    await page.getByLabel('Reason for withdrawing').selectOption('patient_withdrew');
    await submit(page, 'Withdraw version 2');
    expect(await page.textContent('[role=status]')).toContain('Consent withdrawn');
    const three = await prisma.consent.findMany({ where: { chainId: v1!.chainId }, orderBy: { version: 'asc' } });
    expect(three.map((v) => [v.version, v.kind, v.supersededReason])).toEqual([
      [1, 'decision', 'patient_changed'],
      [2, 'decision', 'patient_withdrew'],
      [3, 'withdrawal', null],
    ]);
    expect(three[2]).toMatchObject({ recordedVia: 'console', recordedByKind: 'console_subject' });
    expect(await page.textContent('#chain-0')).toContain('withdrawn');
    expect(await page.getByRole('button', { name: /Withdraw version/ }).count()).toBe(0);
    const content = await page.content();
    expect(content).toContain('The patient withdrew');
    expect(content).not.toMatch(/<script\b/i);

    const events = await prisma.auditEvent.findMany({ where: { patientId, action: { in: [AuditAction.ConsentRecorded, AuditAction.ConsentRevised, AuditAction.ConsentWithdrawn] } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.action, e.outcome, e.actorType, e.actorId, e.reason])).toEqual([
      [AuditAction.ConsentRecorded, 'success', 'user', v1!.recordedBy, null],
      [AuditAction.ConsentRevised, 'success', 'user', v1!.recordedBy, 'patient_changed'],
      [AuditAction.ConsentWithdrawn, 'success', 'user', v1!.recordedBy, 'patient_withdrew'],
    ]);
    // Every page showing this patient's versions read them, and said so (the first found no patient: nothing was read).
    expect(await prisma.auditEvent.count({ where: { patientId, action: AuditAction.ConsentListed } })).toBe(3);

    // A photo of the signed form, stored and linked to this patient (as a card's upload leaves it), is offered as evidence; another patient's is not.
    const at = new Date('2026-12-01T09:30:00Z');
    const form = await prisma.asset.create({ data: { workspaceId: c.env.workspaceId, patientId, uploaderId: 'U0CLIN0001', kind: 'photo', status: 'stored', sourceRef: 'F-E2E-FORM', createdAt: at } });
    const other = await storage.patients.link(c.env.workspaceId, { identifier: 'MRN-E2E-OTHER-2718', issuer: ISSUER }, { type: 'system', id: 'test' });
    const elsewhere = await prisma.asset.create({ data: { workspaceId: c.env.workspaceId, patientId: other, uploaderId: 'U0CLIN0001', kind: 'photo', status: 'stored', sourceRef: 'F-E2E-ELSE' } });
    await submit(page, 'Show consent');
    const evidence = page.locator('section[aria-labelledby=record]').getByLabel(/Evidence/);
    const offered = await evidence.locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(offered).toEqual(['', form.id]);
    expect(offered).not.toContain(elsewhere.id);
    const again = page.locator('section[aria-labelledby=record]');
    for (const name of ['Permit', 'Education', 'Others in the hospital', 'Photos']) await again.getByLabel(name, { exact: true }).check();
    await evidence.selectOption(form.id);
    await submit(page, 'Record decision');
    expect(await page.textContent('[role=status]')).toContain('Consent recorded.');
    expect(await prisma.consent.findFirst({ where: { patientId, evidenceAssetId: form.id } })).toMatchObject({ purposes: ['education'], parties: ['institution'], recordedVia: 'console' });

    for (const url of urls) expect(decodeURIComponent(url)).not.toContain(MRN);
    const trail = asJson(await prisma.auditEvent.findMany());
    expect(trail).not.toContain(MRN);
    expect(errors).toEqual([]);
  });

  it('refuses a clinician with 403, the page and a posted decision alike', async () => {
    const { storage } = c.env.loupe.services;
    const before = await storage.db.prisma.consent.count();
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/patients/consent`, CONSOLE_PEOPLE.clinician);
    expect((await page.request.get(`${c.publicUrl}/admin/patients/consent`)).status()).toBe(403);
    const posted = await page.request.post(`${c.publicUrl}/admin/patients/consent`, { form: { op: 'record', workspace: c.env.workspaceId, identifier: MRN, issuer: ISSUER, decision: 'permit', purposes: 'care', parties: 'care_team', dataKinds: 'photo' }, headers: { origin: c.publicUrl } });
    expect(posted.status()).toBe(403);
    expect(await storage.db.prisma.consent.count()).toBe(before);
  });
});
