// The real Bolt app over HTTP, fed signed events by the local Slack stand-in:
// an upload leaves the chat, is stored encrypted and linked to its patient,
// and one card appears in its thread; nothing sent to Slack carries PHI.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../src/demo/slack/index.js';
import { acceptUpload } from '../../src/app/accept-upload.js';
import type { Loupe } from '../../src/main.js';
import { SESSION_COOKIE } from '../../src/web/viewer/http.js';
import { ViewerSessions } from '../../src/storage/viewer-sessions.js';
import { drained } from '../support/drain.js';
import { plantedDicom as planted } from '../support/planted-dicom.js';
import { testEngines } from '../support/engines.js';
import { request } from '../support/http.js';
import { makePhotoFixtures } from '../support/photos.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { AppJob } from '../../src/app/job-names.js';
import { ALERT_SWEEP_JOB } from '../../src/app/evaluate-alerts.js';

const BOT_TOKEN = 'xoxb-loupe-test-bot';
const ADMIN_TOKEN = 'xoxp-loupe-test-admin';
const PATIENT = { name: 'QUINTANILLA^ROSALIND', identifier: 'MRN77123Q', birthDate: '19470219' };
const WOUNDS = 'C0WOUNDS01';
const RADIOLOGY = 'C0RADIOL01';
const CLINICIAN = 'U0CLIN0001';

// A mis-filled header: the patient's name where the body part belongs (the scan below must not find it on the card).
const plantedDicom = () => planted(PATIENT, 'ROSALIND');

describe.each(testEngines())('Slack intake on %s', (engine) => {
  let env: SlackLoupe;
  let loupe: Loupe;
  let slack: SlackStandIn;
  let photos: Awaited<ReturnType<typeof makePhotoFixtures>>;
  let workspaceId: string;
  let inst: SlackLoupe['inst'];
  let port: number;

  beforeAll(async () => {
    env = await startSlackLoupe(engine, { giveAdminToken: true, env: { PUBLIC_URL: 'https://loupe.hospital.example', LOUPE_MAX_UPLOAD_BYTES: '5000000' } });
    ({ loupe, slack, workspaceId, inst } = env);
    port = (loupe.server!.address() as AddressInfo).port;
    photos = await makePhotoFixtures(inst.dataDir);
    for (const channel of [WOUNDS, RADIOLOGY]) {
      await loupe.services.storage.policies.change(workspaceId, channel, { interception: true, identifierPattern: '\\b(MRN\\d{5}[A-Z])\\b' }, { type: 'admin', id: SLACK_ADMIN });
    }
  });
  afterAll(() => env?.close());

  /** A viewer session for a chat user, as signing in at the hospital's provider leaves it. */
  async function viewerCookie(userId: string): Promise<string> {
    const { db } = loupe.services.storage;
    const { clock } = loupe.services;
    const link = await db.prisma.identityLink.upsert({
      where: { workspaceId_chatUserId: { workspaceId, chatUserId: userId } },
      create: { workspaceId, chatUserId: userId, oidcIssuer: 'https://idp.hospital.example', oidcSubject: `sub-${userId}`, method: 'email', verifiedAt: new Date() },
      update: {},
    });
    const sessions = new ViewerSessions(db, clock, { idleSeconds: 900, maxSeconds: 3600 });
    const { token } = await sessions.create({ issuer: link.oidcIssuer, subject: link.oidcSubject, displayName: userId, email: undefined, acr: undefined, amr: [], identityLinkId: link.id });
    return `${SESSION_COOKIE}=${token}`;
  }

  /** Whether any file under the data folder (blobs, embedded database) holds these bytes in the clear. */
  async function storedBytesContain(needle: Buffer): Promise<boolean> {
    for (const name of await readdir(inst.dataDir, { recursive: true })) {
      const file = await readFile(join(inst.dataDir, name)).catch(() => undefined);
      if (file?.includes(needle) && !name.startsWith('long-ds') && !/\.(jpg|png|webp|tif|gif|heic)$/.test(name)) return true;
    }
    return false;
  }

  const cardsIn = (threadTs: string) => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.params.thread_ts === threadTs);

  it('takes a photo out of the channel, stores it encrypted and posts one card in its thread', async () => {
    const bytes = await readFile(photos.jpeg);
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'wound.jpg', bytes, mimetype: 'image/jpeg' });
    expect(upload.responses.map((r) => r.status)).toEqual([200, 200]);
    const card = await until('the card', () => cardsIn(upload.ts)[0]);
    await until('the original deleted', () => slack.file(upload.fileId)?.deleted);
    const blocks = JSON.stringify(card.params.blocks);
    expect(blocks).toContain('Clinical photo');
    expect(blocks).toMatch(/https:\/\/loupe\.hospital\.example\/view\/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/);
    expect(blocks).toContain(`<@${CLINICIAN}>`);
    expect(blocks).toContain('<!date^');
    // The admin token deleted the file and the message that held nothing else.
    expect(slack.calls.find((c) => c.method === 'files.delete')?.token).toBe(ADMIN_TOKEN);
    await until('the message deleted', () => slack.messages.find((m) => m.ts === upload.ts)?.deleted);

    const asset = await until('the asset stored', async () => {
      const a = await loupe.services.storage.db.prisma.asset.findFirst({ where: { workspaceId, sourceRef: upload.fileId }, include: { blobs: true } });
      return a?.removal === 'removed' && a.status === 'stored' ? a : undefined;
    });
    expect(asset.kind).toBe('photo');
    expect(asset.blobs.map((b) => b.kind).sort()).toEqual(['derivative', 'original', 'preview']);
    // Every stored byte is ciphertext: the original's bytes appear nowhere in the blob folder.
    const blobDir = join(inst.dataDir, 'blobs');
    for (const name of await readdir(blobDir, { recursive: true })) {
      const file = await readFile(join(blobDir, name)).catch(() => undefined);
      if (!file) continue;
      expect(file.includes(bytes.subarray(0, 64))).toBe(false);
      expect(file.includes(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    }
    // Two events for one upload (message and file_shared): still one card, once every job they queued has run.
    await drained(loupe);
    expect(cardsIn(upload.ts)).toHaveLength(1);
  });

  it('links a DICOM upload to the patient its header names, and sends Slack no PHI at all', async () => {
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: RADIOLOGY, name: 'ct.dcm', bytes: await plantedDicom(), text: `Second opinion please, ${PATIENT.identifier}` });
    const card = await until('the card', () => cardsIn(upload.ts)[0]);
    const blocks = JSON.stringify(card.params.blocks);
    expect(blocks).toContain('DICOM image · CT');
    expect(blocks).toContain('Available until');
    const asset = await until('the asset', async () => {
      const a = await loupe.services.storage.db.prisma.asset.findFirst({ where: { workspaceId, sourceRef: upload.fileId } });
      return a?.removal === 'removed' ? a : undefined;
    });
    expect(asset.patientId).not.toBeNull();
    expect(asset.kind).toBe('dicom_instance');
    // The message named the patient: it is gone, its text kept sealed with the asset.
    expect(slack.messages.find((m) => m.ts === upload.ts)?.deleted).toBe(true);
    expect(asset.messageText).not.toBeNull();
    expect(Buffer.from(asset.messageText!).includes(Buffer.from(PATIENT.identifier))).toBe(false);
    const patient = await loupe.services.storage.patients.read(asset.patientId!, { type: 'system', id: 'test' }, 'test');
    expect(patient).toMatchObject({ identifier: PATIENT.identifier, issuer: 'HOSPITAL-A' });

    // Every request Loupe made to Slack, URL and body, is free of the patient's data.
    const sent = slack.calls.filter((c) => c.token === BOT_TOKEN || c.token === ADMIN_TOKEN);
    expect(sent.length).toBeGreaterThan(4);
    for (const c of sent) {
      for (const value of [PATIENT.name, 'QUINTANILLA', 'ROSALIND', PATIENT.identifier, PATIENT.birthDate, '1947']) {
        expect(`${c.url} ${c.rawBody}`, `${c.method} carries ${value}`).not.toContain(value);
      }
    }
  });

  it('links a photo to the patient named in the message text by the channel pattern', async () => {
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'w2.png', bytes: await readFile(photos.png), text: `wound day 3 ${PATIENT.identifier}` });
    await until('the card', () => cardsIn(upload.ts)[0]);
    // A message with harmless text stays (only the file goes); this one named the patient.
    const harmless = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'w4.png', bytes: await readFile(photos.png), text: 'day 4, looking better' });
    await until('its file deleted', () => slack.file(harmless.fileId)?.deleted);
    await until('the first message deleted', () => slack.messages.find((m) => m.ts === upload.ts)?.deleted);
    await drained(loupe);
    expect(slack.messages.find((m) => m.ts === harmless.ts)?.deleted).toBe(false);
    const asset = await until('the asset', async () => {
      const a = await loupe.services.storage.db.prisma.asset.findFirst({ where: { workspaceId, sourceRef: upload.fileId } });
      return a?.status === 'stored' ? a : undefined;
    });
    const dicomPatient = await loupe.services.storage.db.prisma.asset.findFirst({ where: { workspaceId, kind: 'dicom_instance' } });
    // Same identifier, but the text gives no issuer: the channel's default issuer, so a different patient record.
    expect(asset.patientId).not.toBeNull();
    expect(asset.patientId).not.toBe(dicomPatient?.patientId);
  });

  /** A photo carded, then its ingest put back as a worker killed mid-run leaves it: running, its lease lapsed, its card unrecorded. */
  async function cardedThenInterrupted(name: string, beforeRetry: (card: { id: string; messageId: string | null }) => void = () => {}) {
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name, bytes: await readFile(photos.png) });
    await until('the card', () => cardsIn(upload.ts)[0]);
    const { prisma } = loupe.services.storage.db;
    const asset = await prisma.asset.findFirstOrThrow({ where: { workspaceId, sourceRef: upload.fileId } });
    const job = { dedupeKey: `${AppJob.Ingest}:${asset.id}` };
    await until('the ingest done', async () => (await prisma.job.findUniqueOrThrow({ where: job })).status === 'done');
    const row = await prisma.card.findFirstOrThrow({ where: { assetId: asset.id } });
    expect(row.messageId).not.toBeNull();
    beforeRetry(row);
    await prisma.card.update({ where: { id: row.id }, data: { messageId: null } });
    await prisma.job.update({ where: job, data: { status: 'running', leaseOwner: 'worker-killed', leaseUntil: new Date(Date.now() - 1000), finishedAt: null } });
    const recorded = await until('the card recorded again', async () => (await prisma.card.findUniqueOrThrow({ where: { id: row.id } })).messageId ?? undefined);
    return { upload, row, recorded };
  }

  it('posts one card when its ingest runs again after dying between posting the card and recording it', async () => {
    // What a kill -9 right after chat.postMessage leaves: the card in Slack, none recorded, the job taken over by the next worker.
    const { upload, row, recorded } = await cardedThenInterrupted('again.png');
    expect(recorded).toBe(row.messageId);
    expect(cardsIn(upload.ts)).toHaveLength(1);
    expect(slack.calls.some((c) => c.method === 'conversations.replies' && c.params.ts === upload.ts)).toBe(true);
  });

  it('posts the card itself when another app\'s message in the thread names it, and a run died before posting', async () => {
    // What a kill -9 before chat.postMessage leaves (no card in Slack), and a message by another app in the thread naming the card.
    let forged = '';
    const { upload, recorded } = await cardedThenInterrupted('forged.png', (row) => {
      slack.messages.find((m) => m.ts === row.messageId)!.deleted = true;
      forged = slack.postAsOtherApp({ channel: WOUNDS, threadTs: slack.messages.find((m) => m.ts === row.messageId)!.threadTs, botId: 'B0OTHERAPP', text: 'looks like a card', blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'x', value: row.id }] }] });
    });
    expect(recorded).not.toBe(forged);
    expect(cardsIn(upload.ts)).toHaveLength(2);
  });

  it('refuses a bad signature or a stale timestamp with 401 and stores nothing', async () => {
    const before = await loupe.services.storage.db.prisma.asset.count();
    const event = { type: 'message', subtype: 'file_share', channel: WOUNDS, user: CLINICIAN, ts: '1700000000.000100', files: [{ id: 'F0FORGED01' }] };
    expect((await slack.deliver(event, { badSignature: true })).status).toBe(401);
    expect((await slack.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    await drained(loupe);
    expect(await loupe.services.storage.db.prisma.asset.count()).toBe(before);
  });

  it('answers a retried event without a second asset or card', async () => {
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'w3.webp', bytes: await readFile(photos.webp) });
    const event = { type: 'message', subtype: 'file_share', channel: WOUNDS, user: CLINICIAN, ts: upload.ts, files: [{ id: upload.fileId }] };
    expect((await slack.deliver(event, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    expect((await slack.deliver(event, { retryNum: 2, retryReason: 'http_timeout' })).status).toBe(200);
    await until('the card', () => cardsIn(upload.ts)[0]);
    await drained(loupe);
    expect(cardsIn(upload.ts)).toHaveLength(1);
    expect(await loupe.services.storage.db.prisma.asset.count({ where: { workspaceId, sourceRef: upload.fileId } })).toBe(1);
  });

  // Issue 9 point 6 supersedes "keeps nothing of it": the original is secured before processing, so it stays, encrypted.
  it('tells the uploader privately when a file is corrupt, keeps only its encrypted original, still removes it, and takes the buttons off its card', async () => {
    const broken = (await readFile(photos.jpeg)).subarray(0, 1500);
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'broken.jpg', bytes: broken, text: `for ${PATIENT.identifier}` });
    const note = await until('the ephemeral', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.thread_ts === upload.ts));
    expect(note.params.user).toBe(CLINICIAN);
    expect(String(note.params.text)).toContain('damaged or incomplete');
    expect(String(note.params.text)).toContain('keeps the original encrypted');
    await until('the original deleted', () => slack.file(upload.fileId)?.deleted);
    // Its text named the patient: the message goes too.
    await until('the message deleted', () => slack.messages.find((m) => m.ts === upload.ts)?.deleted);
    const asset = await loupe.services.storage.db.prisma.asset.findFirstOrThrow({ where: { workspaceId, sourceRef: upload.fileId }, include: { blobs: true } });
    expect(asset.status).toBe('failed');
    expect(asset.errorCode).toBe('LOUPE_IMAGE_CORRUPT');
    expect(asset.blobs.map((b) => b.kind)).toEqual(['original']);
    expect(await storedBytesContain(broken.subarray(0, 64))).toBe(false);
    // A photo's card is posted once its original is secured; its clean-up failing afterwards leaves the card with nothing to open.
    const [card] = cardsIn(upload.ts);
    expect(card).toBeDefined();
    const redrawn = await until('the card redrawn', () =>
      slack.calls.find((c) => c.method === 'chat.update' && JSON.stringify(c.params.blocks).includes('Could not be prepared for viewing')),
    );
    expect(JSON.stringify(redrawn.params.blocks)).not.toMatch(/"(View|Invite specialist|Revoke)"/);
    await drained(loupe);
    expect(cardsIn(upload.ts)).toHaveLength(1);
    const view = await fetch(`http://127.0.0.1:${port}${new URL(String(JSON.stringify(card!.params.blocks).match(/https:[^"]+\/view\/[A-Za-z0-9_-]{43}/)![0])).pathname}`, { headers: { cookie: await viewerCookie(CLINICIAN) }, redirect: 'manual' });
    expect(view.status).toBe(410);
  });

  it('reads a vendor DICOM file with an over-long DS value (the DICOM library used to throw on it) leniently: stored, carded, removed with the message naming the MRN, and no PHI sent', async () => {
    // A vendor file as dcmtk writes it: SliceThickness with more than DS's 16 characters. Before issue 9 the
    // library threw on it, the job retried for eleven minutes and the file and its MRN stayed in the chat.
    // Any error processing still throws is covered by test/intake/ingest-foreign-error.test.ts.
    const dir = join(inst.dataDir, 'long-ds');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'vendor.dcm');
    await writeFile(file, await plantedDicom());
    execFileSync('dcmodify', ['-nb', '-m', '(0018,0050)=5.00000000000000000000000000001', file]);
    const bytes = await readFile(file);
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: RADIOLOGY, name: 'vendor.dcm', bytes, text: `CT for ${PATIENT.identifier}` });
    const card = await until('the card', () => cardsIn(upload.ts)[0]);
    await until('the original deleted', () => slack.file(upload.fileId)?.deleted);
    await until('the message naming the MRN deleted', () => slack.messages.find((m) => m.ts === upload.ts)?.deleted);
    for (const v of [PATIENT.identifier, 'QUINTANILLA', PATIENT.birthDate]) expect(card.rawBody).not.toContain(v);
    const asset = await loupe.services.storage.db.prisma.asset.findFirstOrThrow({ where: { workspaceId, sourceRef: upload.fileId }, include: { blobs: true } });
    expect([asset.status, asset.errorCode]).toEqual(['stored', null]);
    expect(asset.blobs.map((b) => b.kind).sort()).toEqual(expect.arrayContaining(['derivative', 'original']));
    expect(await storedBytesContain(Buffer.from(PATIENT.name))).toBe(false);
    // Done at once, not after eleven minutes of retries.
    // The card can be posted a moment before the worker marks the job done.
    const job = await until('the ingest job finished', async () => {
      const j = await loupe.services.storage.db.prisma.job.findFirstOrThrow({ where: { dedupeKey: `${AppJob.Ingest}:${asset.id}` } });
      return j.status === 'running' ? undefined : j;
    });
    expect([job.status, job.attempts]).toEqual(['done', 1]);
  });

  it('tells the uploader and alerts the admins when an ingest is dead-lettered (its worker died with it every time), leaving the only copy in the chat', async () => {
    // Interception off: the event does nothing, and the ingest below is queued by hand in the state a worker that kept dying leaves it.
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: 'C0PARTNER1', name: 'poison.dcm', bytes: await plantedDicom(), text: 'see this' });
    const { prisma } = loupe.services.storage.db;
    const accepted = await acceptUpload(
      { db: loupe.services.storage.db, clock: loupe.services.clock, dataKeys: loupe.services.storage.dataKeys, audit: loupe.services.storage.audit, queue: loupe.services.queue, policies: loupe.services.storage.policies },
      { workspaceId, channelId: 'C0PARTNER1', threadId: upload.ts, messageId: upload.ts, uploaderId: CLINICIAN, sourceRef: upload.fileId, messageText: 'see this', ingestJob: 'test.parked', requestedBy: CLINICIAN },
    );
    if (accepted.outcome !== 'accepted') throw new Error('not accepted');
    await prisma.job.deleteMany({ where: { type: 'test.parked' } });
    await prisma.job.create({ data: { type: 'slack.ingest', payload: { assetId: accepted.assetId }, dedupeKey: `slack.ingest:${accepted.assetId}`, status: 'running', attempts: 8, maxAttempts: 8, leaseOwner: 'worker-gone', leaseUntil: new Date(Date.now() - 1000) } });
    const note = await until('the ephemeral', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.thread_ts === upload.ts && c.params.user === CLINICIAN));
    expect(String(note.params.text)).toContain('could not finish securing it');
    await until('the admin alert', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.user === SLACK_ADMIN && String(c.params.text).includes('holds no copy')));
    const asset = await prisma.asset.findUniqueOrThrow({ where: { id: accepted.assetId } });
    expect([asset.status, asset.errorCode, asset.removal]).toEqual(['failed', 'LOUPE_INGEST_ABANDONED', 'not_possible']);
    expect(slack.file(upload.fileId)?.deleted).toBe(false);
    expect((await prisma.job.findFirstOrThrow({ where: { dedupeKey: `slack.ingest:${accepted.assetId}` } })).status).toBe('dead');
    // The dead job is also a breach-monitoring alert, told to the workspace's admins in their direct messages with Loupe.
    // Its sweep runs every minute; one run is asked for now, so the alert is heard here and not in a later test.
    await loupe.services.queue.enqueue({ type: ALERT_SWEEP_JOB, dedupeKey: `${ALERT_SWEEP_JOB}:dead-letter-test` });
    const alert = await until('the dead job\'s breach alert', () => slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.channel === SLACK_ADMIN && String(c.params.text).includes('A background job failed and will not be retried')));
    expect(alert.rawBody).not.toContain(accepted.assetId);
  });

  it('leaves files alone in a channel where interception is off, and files that are not images', async () => {
    const general = 'C0PARTNER1';
    const photo = await slack.uploadFile({ user: CLINICIAN, channel: general, name: 'p.jpg', bytes: await readFile(photos.jpeg) });
    const text = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'notes.txt', bytes: Buffer.from('ward round notes') });
    await until('the text file looked at', async () => {
      const a = await loupe.services.storage.db.prisma.asset.findFirst({ where: { workspaceId, sourceRef: text.fileId } });
      return a?.status === 'failed' ? a : undefined;
    });
    await drained(loupe);
    expect(slack.file(photo.fileId)?.deleted).toBe(false);
    expect(slack.file(text.fileId)?.deleted).toBe(false);
    expect(await loupe.services.storage.db.prisma.asset.count({ where: { workspaceId, sourceRef: photo.fileId } })).toBe(0);
    expect(cardsIn(text.ts)).toEqual([]);
  });

  it('tells only the uploader, privately and without naming anything, when a channel that takes photos only gets a DICOM file, and leaves it there with no card', async () => {
    const { prisma } = loupe.services.storage.db;
    const admin = { type: 'admin' as const, id: SLACK_ADMIN };
    await loupe.services.storage.policies.change(workspaceId, WOUNDS, { acceptedKinds: ['photo'] }, admin);
    try {
      const from = slack.calls.length;
      const upload = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'QUINTANILLA-ct.dcm', bytes: await plantedDicom(), text: `CT for ${PATIENT.identifier}` });
      const note = await until('the uploader told', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.thread_ts === upload.ts));
      expect(note.params.user).toBe(CLINICIAN);
      const text = String(note.params.text);
      expect(text).toContain('This channel accepts photos only');
      expect(text).toContain('left your DICOM file in the channel as it is');
      expect(text).toContain('ask an admin, or use a channel that accepts DICOM files');
      await drained(loupe);
      // Nobody else hears of it (no admin alert, no message in the channel), and no card is posted.
      const said = slack.calls.slice(from).filter((c) => c.method.startsWith('chat.post') || c.method === 'conversations.open');
      expect(said).toEqual([note]);
      expect(cardsIn(upload.ts)).toEqual([]);
      expect(slack.file(upload.fileId)?.deleted).toBe(false);
      const asset = await prisma.asset.findFirstOrThrow({ where: { workspaceId, sourceRef: upload.fileId }, include: { blobs: true } });
      expect([asset.status, asset.errorCode, asset.blobs]).toEqual(['failed', 'LOUPE_KIND_NOT_ACCEPTED', []]);
      for (const value of [PATIENT.identifier, 'QUINTANILLA', 'ROSALIND', PATIENT.birthDate, '.dcm', upload.fileId, asset.id]) expect(note.rawBody).not.toContain(value);
    } finally {
      await loupe.services.storage.policies.change(workspaceId, WOUNDS, { acceptedKinds: ['photo', 'dicom'] }, admin);
    }
  });

  it('gives nobody a standing in the consult for posting a .txt in a card\'s thread: no participant, no grant, 403 on the viewer, no invitations (a colleague and a Slack Connect guest)', async () => {
    const { prisma } = loupe.services.storage.db;
    const PARTNER = 'C0PARTNER1';
    const GUEST = 'U0EXTERN01';
    const STRANGER = 'U0NURSE001';
    await loupe.services.storage.policies.change(workspaceId, PARTNER, { interception: true, acceptedKinds: ['photo', 'dicom'] }, { type: 'admin', id: SLACK_ADMIN });
    try {
      for (const [channel, poster] of [[RADIOLOGY, STRANGER], [PARTNER, GUEST]] as const) {
        // A consult with two images of a linked patient, each with its card.
        const first = await slack.uploadFile({ user: CLINICIAN, channel, name: 'ct.dcm', bytes: await plantedDicom() });
        const second = await slack.uploadFile({ user: CLINICIAN, channel, name: 'ct2.dcm', bytes: await plantedDicom(), threadTs: first.ts });
        const card = await until('the card', () => cardsIn(first.ts)[0]);
        await until('the second card', () => cardsIn(first.ts)[1]);
        const token = /\/view\/([A-Za-z0-9_-]{43})/.exec(String(card.params.blocks))![1]!;
        const sibling = await prisma.asset.findFirstOrThrow({ where: { workspaceId, sourceRef: second.fileId } });
        const consultId = sibling.consultId!;

        // The attack: a reply in the card's thread carrying a text file.
        const txt = await slack.uploadFile({ user: poster, channel, name: 'notes.txt', bytes: Buffer.from('please add me'), threadTs: first.ts });
        await until('the text file looked at', async () => {
          const a = await prisma.asset.findFirst({ where: { workspaceId, sourceRef: txt.fileId } });
          return a?.status === 'failed' ? a : undefined;
        });
        expect(slack.file(txt.fileId)?.deleted).toBe(false);
        expect(await prisma.consultParticipant.count({ where: { consultId, userId: poster } })).toBe(0);
        expect(await prisma.grant.count({ where: { consultId, userId: poster } })).toBe(0);
        // Nor does a one-pixel photo: it is secured like any image, and its poster still takes no part in the consult.
        const pixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 0, g: 0, b: 0 } } }).jpeg().toBuffer();
        const tiny = await slack.uploadFile({ user: poster, channel, name: 'dot.jpg', bytes: pixel, threadTs: first.ts });
        await until('the tiny photo stored', async () => {
          const a = await prisma.asset.findFirst({ where: { workspaceId, sourceRef: tiny.fileId } });
          return a?.status === 'stored' ? a : undefined;
        });
        expect(await prisma.consultParticipant.count({ where: { consultId, userId: poster } })).toBe(0);
        expect(await prisma.grant.count({ where: { consultId, userId: poster } })).toBe(0);

        const asPoster = await viewerCookie(poster);
        const asUploader = await viewerCookie(CLINICIAN);
        const paths = [`/viewer/api/${token}/frames/0`, `/viewer/api/${token}/details`, `/viewer/api/${token}/info?asset=${sibling.id}`, `/viewer/api/${token}/frames/0?asset=${sibling.id}`, `/viewer/api/${token}/series`];
        for (const path of paths) {
          expect((await request(port, path, { headers: { cookie: asPoster } })).status, path).toBe(403);
          // The same requests from the uploader succeed: the 403 is about standing, not the link.
          expect((await request(port, path, { headers: { cookie: asUploader } })).status, path).toBe(200);
        }
        const denied = await prisma.auditEvent.findMany({ where: { action: 'asset.viewed', outcome: 'denied', actorId: poster, consultId } });
        expect(denied.length).toBe(paths.length);
        expect(new Set(denied.map((e) => e.reason))).toEqual(new Set(['no_grant']));

        // Nor can they bring anyone else in.
        const invite = await slack.interaction({
          type: 'view_submission',
          user: { id: poster },
          view: { id: 'V1', callback_id: 'loupe_invite_modal', private_metadata: (await prisma.card.findFirstOrThrow({ where: { threadId: first.ts, assetId: { not: sibling.id } } })).id, state: { values: { specialist: { specialist_select: { type: 'users_select', selected_user: 'U0CLIN0002' } } } } },
        });
        expect(JSON.parse(invite.body)).toMatchObject({ response_action: 'errors' });
        expect(await prisma.grant.count({ where: { consultId, userId: 'U0CLIN0002' } })).toBe(0);
        expect(await prisma.consultParticipant.count({ where: { consultId, userId: 'U0CLIN0002' } })).toBe(0);
      }
    } finally {
      await loupe.services.storage.policies.change(workspaceId, PARTNER, { interception: false }, { type: 'admin', id: SLACK_ADMIN });
    }
  });

  it('flags to the admins an upload it cannot remove (a Slack Connect user\'s), after securing it', async () => {
    const partner = 'C0PARTNER1';
    const external = 'U0EXTERN01';
    const upload = await slack.uploadFile({ user: external, channel: partner, name: 'referral.jpg', bytes: await readFile(photos.jpeg) });
    await slack.interaction({
      type: 'message_action',
      callback_id: 'loupe_secure',
      user: { id: CLINICIAN },
      channel: { id: partner },
      message: { type: 'message', ts: upload.ts, user: external, text: '', files: [{ id: upload.fileId }] },
    });
    await until('the card', () => cardsIn(upload.ts)[0]);
    const asset = await until('the removal outcome', async () => {
      const a = await loupe.services.storage.db.prisma.asset.findFirst({ where: { workspaceId, sourceRef: upload.fileId } });
      return a && a.removal !== 'pending' ? a : undefined;
    });
    expect([asset.removal, asset.removalDetail]).toEqual(['not_possible', 'Slack refused: cant_delete_file']);
    expect(slack.file(upload.fileId)?.deleted).toBe(false);
    const alert = await until('the admin alert', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.user === SLACK_ADMIN && String(c.params.text).includes('could not remove')));
    expect(String(alert.params.text)).toContain('could not remove an upload');
    expect(await loupe.services.storage.db.prisma.auditEvent.count({ where: { action: 'asset.original_not_removable', assetId: asset.id } })).toBe(1);
  });

  it('secures a file it heard of only through file_shared, threading the card by the file\'s shares', async () => {
    const late = 'C0PARTNER1';
    // Posted while interception was off: the message event found nothing to do.
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: late, name: 'late.png', bytes: await readFile(photos.png) });
    await drained(loupe);
    await loupe.services.storage.policies.change(workspaceId, late, { interception: true }, { type: 'admin', id: SLACK_ADMIN });
    try {
      expect((await slack.deliver({ type: 'file_shared', file_id: upload.fileId, user_id: CLINICIAN, channel_id: late, event_ts: upload.ts })).status).toBe(200);
      const card = await until('the card', () => cardsIn(upload.ts)[0], 30_000);
      expect(card.params.channel).toBe(late);
    } finally {
      await loupe.services.storage.policies.change(workspaceId, late, { interception: false }, { type: 'admin', id: SLACK_ADMIN });
    }
  });

  it('refuses an upload over the size limit without downloading it, tells the uploader, and removes it and its identifying message', async () => {
    const big = Buffer.alloc(6_000_000, 1);
    const upload = await slack.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'huge.jpg', bytes: big, text: `scan for ${PATIENT.identifier}` });
    const note = await until('the ephemeral', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.thread_ts === upload.ts && String(c.params.text).includes('larger than Loupe accepts')));
    expect(note.params.user).toBe(CLINICIAN);
    await until('the original deleted', () => slack.file(upload.fileId)?.deleted);
    await until('the message deleted', () => slack.messages.find((m) => m.ts === upload.ts)?.deleted);
    expect(slack.calls.some((c) => c.method === 'files.download' && c.url.includes(upload.fileId))).toBe(false);
    const asset = await loupe.services.storage.db.prisma.asset.findFirstOrThrow({ where: { workspaceId, sourceRef: upload.fileId } });
    expect([asset.status, asset.errorCode]).toEqual(['failed', 'LOUPE_IMAGE_TOO_LARGE']);
  });
});
