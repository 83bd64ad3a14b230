// Linking a waiting image to its patient, and the form's defaults: only its
// sender (or an admin) links, once, from a live card; the note is kept sealed;
// the card becomes active and its redraw is queued. The form opens with the
// channel's default issuer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppJob } from '../../src/app/job-names.js';
import { linkPatient } from '../../src/app/link-patient.js';
import { linkPatientForm } from '../../src/app/link-patient-form.js';
import { readAssetText } from '../../src/app/sealed-text.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { CHANNEL, consultWithCard, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };
const SENDER = { userId: REQUESTER, isAdmin: false };

describe.each(testEngines())('linkPatient on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  const deps = () => ({ ...chatDeps(s, clock).deps, patients: s.patients, dataKeys: s.dataKeys, policies: s.policies, pacs: undefined });
  async function waiting() {
    const c = await consultWithCard(s, NOW, { cardState: 'waiting_for_patient' });
    await s.policies.change(c.workspaceId, CHANNEL, { identifierIssuer: 'ST-MARY' }, { type: 'admin', id: 'UADMIN' });
    return c;
  }

  it('opens the form with the channel’s default issuer for the sender, and refuses anyone else', async () => {
    const c = await waiting();
    expect(await linkPatientForm(deps(), { cardId: c.cardId, who: { ...SENDER, workspaceId: c.workspaceId } })).toEqual({ outcome: 'form', cardId: c.cardId, defaultIssuer: 'ST-MARY' });
    expect(await linkPatientForm(deps(), { cardId: c.cardId, who: { workspaceId: c.workspaceId, userId: 'UOTHER', isAdmin: false } })).toEqual({ outcome: 'refused', reason: 'forbidden' });
    expect(await linkPatientForm(deps(), { cardId: '00000000-0000-0000-0000-000000000000', who: { ...SENDER, workspaceId: c.workspaceId } })).toEqual({ outcome: 'no_card' });
  });

  it('links once: the card becomes active, the note is sealed, the redraw is queued; a second link is refused', async () => {
    const c = await waiting();
    await linkPatient(deps(), { cardId: c.cardId, who: { ...SENDER, workspaceId: c.workspaceId }, patient: { identifier: 'MRN-1', issuer: 'ST-MARY', note: 'left heel' } });
    const asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: c.assetId } });
    expect(asset.patientId).not.toBeNull();
    expect((await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } })).state).toBe('active');
    expect(Buffer.from(asset.messageText!).includes(Buffer.from('left heel'))).toBe(false);
    expect(await readAssetText(s, s.db.prisma, asset)).toBe('Note: left heel');
    expect((await queued(s, AppJob.UpdateCard)).some((j) => (j.payload as { cardId: string }).cardId === c.cardId)).toBe(true);
    await expect(linkPatient(deps(), { cardId: c.cardId, who: { ...SENDER, workspaceId: c.workspaceId }, patient: { identifier: 'MRN-2', issuer: 'ST-MARY' } })).rejects.toMatchObject({ code: 'LOUPE_ALREADY_LINKED' });
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: c.assetId, action: 'patient.linked', outcome: 'denied' } })).toBe(1);
  });
});
