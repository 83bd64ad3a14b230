// A channel whose policy sends every image to the PACS: an upload whose
// patient is known (a photo's message, a DICOM header, a whole study's) is
// queued for export as soon as its card is active and its image stored, with
// no button pressed, by the same rule as Send to PACS, and audited with the
// policy (the system) as actor; a photo waiting for its patient only once it
// is linked; a patient who refused consent, or no PACS configured, is
// refused and audited, nothing queued; a channel left on request queues
// nothing by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptUpload } from '../../src/app/accept-upload.js';
import { recordConsent } from '../../src/app/consent/record-consent.js';
import { ingestUpload, prepareUpload, type IngestUploadDeps } from '../../src/app/ingest-upload.js';
import { AppJob } from '../../src/app/job-names.js';
import { linkPatient } from '../../src/app/link-patient.js';
import { PACS_EXPORT_JOB } from '../../src/app/pacs/pacs-deps.js';
import type { PacsConfig } from '../../src/config.js';
import type { PacsExportMode } from '../../src/core/policy/channel-policy.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { DEFAULT_SANDBOX, ImagingSandbox } from '../../src/imaging/sandbox/sandbox.js';
import { ctDicom } from '../support/console-uploads.js';
import { testEngines } from '../support/engines.js';
import { twoToneJpeg } from '../support/photos.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { studySlices, zipOf } from '../support/study-archive.js';
import { chatDeps, queued } from './chat-deps.js';
import { CHANNEL, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };
const ADMIN = { type: 'admin', id: 'UADMIN' } as const;
const ISSUER = 'LOCAL';
const PACS: PacsConfig = { url: new URL('https://pacs.hospital.example/dicom-web'), auth: { kind: 'none' }, copy: 'identified', uidRoot: undefined, timeoutMs: 5000 };

describe.each(testEngines())('sending to the PACS by channel policy on %s', (engine) => {
  let s: TestStorage;
  const sandbox = new ImagingSandbox(DEFAULT_SANDBOX);
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(async () => {
    await Promise.all([sandbox.close(), s?.cleanup()]);
  });

  /** A workspace whose channel intercepts, finds MRNs in message text, and sends to the PACS as `mode` says. */
  async function channel(mode: PacsExportMode, configured: PacsConfig | 'none' = PACS) {
    const pacs = configured === 'none' ? undefined : configured;
    const { deps: chat, chat: fake } = chatDeps(s, clock, { admins: ['UADMIN'], members: { [CHANNEL]: [REQUESTER, 'UADMIN'] } });
    const ws = await s.workspaces.ensure('slack', `T${Math.random().toString(36).slice(2, 10)}`, 'Test Hospital', { type: 'system', id: 'test' });
    await s.policies.change(ws.id, CHANNEL, { interception: true, identifierPattern: '\\b(MRN\\d{5})\\b', identifierIssuer: ISSUER, pacsExport: mode }, ADMIN);
    const deps: IngestUploadDeps = {
      ...chat,
      ingest: { ...s, queue: chat.queue, removalJob: AppJob.RemoveOriginal, prepareJob: AppJob.Prepare, clock, limits: DEFAULT_LIMITS, sandbox, pacs },
      maxUploadBytes: 10 * 1024 * 1024,
    };
    /** Posted, secured (its card delivered, for a photo) and cleaned (a DICOM image's card delivered); its asset's id. */
    const upload = async (o: { bytes?: Buffer; text?: string; clean?: false } = {}) => {
      const r = await acceptUpload(
        { ...deps, dataKeys: s.dataKeys, policies: s.policies },
        {
          workspaceId: ws.id,
          channelId: CHANNEL,
          threadId: `1700000003.${Math.random().toString().slice(2, 8)}`,
          messageId: fake.addMessage(CHANNEL, undefined, o.text ?? 'a photo'),
          uploaderId: REQUESTER,
          sourceRef: fake.addFile(o.bytes ?? (await twoToneJpeg())),
          messageText: o.text,
          ingestJob: AppJob.Ingest,
        },
      );
      if (r.outcome !== 'accepted') throw new Error(`not accepted: ${r.outcome}`);
      await ingestUpload(deps, { assetId: r.assetId, retried: false });
      if (o.clean !== false) await prepareUpload(deps, { assetId: r.assetId, retried: false });
      return r.assetId;
    };
    const link = (assetId: string, identifier: string) =>
      s.db.prisma.card.findFirstOrThrow({ where: { assetId } }).then((card) =>
        linkPatient({ ...deps, patients: s.patients, dataKeys: s.dataKeys, policies: s.policies, pacs }, { cardId: card.id, who: { workspaceId: ws.id, userId: REQUESTER, isAdmin: false }, patient: { identifier, issuer: ISSUER } }),
      );
    return { workspaceId: ws.id, deps, fake, upload, link };
  }

  const exportOf = (assetId: string) => s.db.prisma.pacsExport.findUnique({ where: { assetId } });
  const jobsFor = async (assetId: string) => {
    const row = await exportOf(assetId);
    return (await queued(s, PACS_EXPORT_JOB)).filter((j) => row && (j.payload as { exportId: string }).exportId === row.id);
  };
  const requests = (assetId: string) =>
    s.db.prisma.auditEvent.findMany({ where: { assetId, action: 'asset.pacs_export_requested' }, orderBy: { seq: 'asc' }, select: { actorType: true, actorId: true, outcome: true, reason: true, details: true } });

  it('queues a photo whose message names its patient once it is cleaned: its export, its job, and an audit event by the policy, not a person', async () => {
    const c = await channel('automatic');
    const assetId = await c.upload({ text: 'heel ulcer MRN40211 day 3', clean: false });
    // Carded and linked, but not yet cleaned: nothing fit to send yet.
    expect(await exportOf(assetId)).toBeNull();
    expect((await s.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId } })).status).toBe('processing');
    await prepareUpload(c.deps, { assetId, retried: false });

    expect(await exportOf(assetId)).toMatchObject({ status: 'queued', copy: 'identified', requestedBy: 'channel-policy', requests: 1 });
    expect(await jobsFor(assetId)).toHaveLength(1);
    const card = await s.db.prisma.card.findFirstOrThrow({ where: { assetId } });
    expect(await requests(assetId)).toEqual([
      { actorType: 'system', actorId: 'channel-policy', outcome: 'success', reason: null, details: { cardId: card.id, copy: 'identified', request: 1, by: 'policy' } },
    ]);
    // The card is redrawn to say it is being sent.
    await expect(queued(s, AppJob.UpdateCard)).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ payload: expect.objectContaining({ cardId: card.id }), dedupeKey: expect.stringMatching(/:pacs:/) })]));
    // Its patient's identifier is nowhere in the trail's words.
    expect(JSON.stringify(await requests(assetId))).not.toContain('MRN40211');
  });

  it('queues a DICOM image whose header names its patient as its card is made, and the card is posted saying it is being sent', async () => {
    const c = await channel('automatic');
    const assetId = await c.upload({ bytes: await ctDicom('MRN40212', ISSUER), text: 'CT' });
    expect(await exportOf(assetId)).toMatchObject({ status: 'queued', requestedBy: 'channel-policy' });
    expect(await jobsFor(assetId)).toHaveLength(1);
    expect((await requests(assetId)).map((e) => [e.actorType, e.outcome])).toEqual([['system', 'success']]);
    const card = await s.db.prisma.card.findFirstOrThrow({ where: { assetId } });
    expect(c.fake.messages.find((m) => m.id === card.messageId)?.card).toMatchObject({ state: 'active', pacs: { status: 'queued' } });
  });

  it('queues a whole study shared as a zip as its one card is made', async () => {
    const c = await channel('automatic');
    const zip = await zipOf(await studySlices({ patient: { name: 'STUDY^POLICY', identifier: 'MRN40218' }, series: [2, 1] }));
    const assetId = await c.upload({ bytes: zip, text: 'CT study' });
    expect(await s.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId } })).toMatchObject({ kind: 'dicom_study', status: 'stored' });
    expect(await exportOf(assetId)).toMatchObject({ status: 'queued', requestedBy: 'channel-policy' });
    expect(await jobsFor(assetId)).toHaveLength(1);
    expect((await requests(assetId)).map((e) => [e.actorType, e.outcome])).toEqual([['system', 'success']]);
  });

  it('sends a photo waiting for its patient only once its sender links one', async () => {
    const c = await channel('automatic');
    const assetId = await c.upload();
    expect((await s.db.prisma.card.findFirstOrThrow({ where: { assetId } })).state).toBe('waiting_for_patient');
    expect(await exportOf(assetId)).toBeNull();
    expect(await requests(assetId)).toEqual([]);
    await c.link(assetId, 'MRN40213');
    expect(await exportOf(assetId)).toMatchObject({ status: 'queued', requestedBy: 'channel-policy' });
    expect(await jobsFor(assetId)).toHaveLength(1);
    expect((await requests(assetId)).map((e) => [e.actorType, e.actorId, e.outcome])).toEqual([['system', 'channel-policy', 'success']]);
  });

  it('refuses, and audits, a patient who refused consent for care: nothing queued', async () => {
    const c = await channel('automatic');
    await recordConsent(
      { ...s, clock, queue: c.deps.queue },
      {
        workspaceId: c.workspaceId,
        patient: { identifier: 'MRN40214', issuer: ISSUER },
        terms: { decision: 'deny', purposes: ['care'], parties: ['care_team'], dataKinds: ['photo'], validFrom: new Date('2026-01-01T00:00:00Z') },
        recorder: { kind: 'chat_user', id: 'U-NURSE' },
        via: 'chat_slack',
      },
    );
    const jobsBefore = (await queued(s, PACS_EXPORT_JOB)).length;
    const assetId = await c.upload({ text: 'MRN40214 wound' });
    expect((await s.db.prisma.card.findFirstOrThrow({ where: { assetId } })).state).toBe('active');
    expect(await exportOf(assetId)).toBeNull();
    expect(await queued(s, PACS_EXPORT_JOB)).toHaveLength(jobsBefore);
    const card = await s.db.prisma.card.findFirstOrThrow({ where: { assetId } });
    expect(await requests(assetId)).toEqual([{ actorType: 'system', actorId: 'channel-policy', outcome: 'denied', reason: 'consent_refused', details: { cardId: card.id, by: 'policy' } }]);
  });

  it('refuses, and audits, where no PACS is configured', async () => {
    const c = await channel('automatic', 'none');
    const assetId = await c.upload({ text: 'MRN40215 wound' });
    expect(await exportOf(assetId)).toBeNull();
    expect((await requests(assetId)).map((e) => [e.actorType, e.outcome, e.reason])).toEqual([['system', 'denied', 'pacs_not_configured']]);
  });

  it('queues nothing by itself in a channel left on request, before or after a patient is linked', async () => {
    const c = await channel('on_request');
    const known = await c.upload({ text: 'MRN40216 wound' });
    const waiting = await c.upload();
    await c.link(waiting, 'MRN40217');
    for (const assetId of [known, waiting]) {
      expect((await s.db.prisma.card.findFirstOrThrow({ where: { assetId } })).state).toBe('active');
      expect(await exportOf(assetId)).toBeNull();
      expect(await requests(assetId)).toEqual([]);
    }
  });
});
