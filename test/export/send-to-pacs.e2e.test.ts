// "Send to PACS" from a card in Slack, to a real Orthanc with its DICOMweb
// plugin and authentication on: what a clinician and a PACS administrator
// would check. The CT arrives with its patient; the photo arrives as a VL
// Photographic Image of the linked patient, without its phone metadata; the
// card says it is in the PACS; the trail records the request and the export;
// a whole study arrives whole, in its series; a second press sends nothing more; a clinician without standing is refused;
// and a Loupe holding the wrong password is told so on the card, once.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACS_REFUSED } from '../../src/chat/pacs-text.js';
import { ctDicom } from '../support/console-uploads.js';
import { startOrthancDicomWeb, type OrthancDicomWeb } from '../support/orthanc-dicomweb.js';
import { makePhotoFixtures, PLANTED } from '../support/photos.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { studySlices, zipOf } from '../support/study-archive.js';

const RADIOLOGY = 'C0RADIOL01';
const WOUNDS = 'C0WOUNDS01';
const AMARA = 'U0CLIN0001';
const LI = 'U0CLIN0002';
const MRN = 'MRN40211K';
const ISSUER = 'urn:oid:2.16.840.1.113883.3.9';

type Card = { id: string; messageId: string | null };

async function startWith(orthanc: OrthancDicomWeb, password: string): Promise<SlackLoupe> {
  const env = await startSlackLoupe('postgres', {
    giveAdminToken: true,
    env: { LOUPE_PACS_URL: orthanc.dicomWebRoot, LOUPE_PACS_USER: orthanc.user, LOUPE_PACS_PASSWORD: password },
  });
  for (const channel of [RADIOLOGY, WOUNDS]) {
    await env.loupe.services.storage.policies.change(env.workspaceId, channel, { interception: true, identifierPattern: '\\b(MRN\\d{5}[A-Z])\\b' }, { type: 'admin', id: SLACK_ADMIN });
  }
  return env;
}

describe('Send to PACS, from Slack to Orthanc over DICOMweb', { timeout: 180_000 }, () => {
  let orthanc: OrthancDicomWeb;
  let env: SlackLoupe;
  let photos: Awaited<ReturnType<typeof makePhotoFixtures>>;

  beforeAll(async () => {
    orthanc = await startOrthancDicomWeb();
    env = await startWith(orthanc, orthanc.password);
    photos = await makePhotoFixtures(env.inst.dataDir);
  });
  afterAll(async () => {
    await env?.close();
    await orthanc?.stop();
  });

  /** Uploads, waits for the card to be posted active (stored and linked); its row. */
  async function upload(e: SlackLoupe, u: { channel: string; name: string; bytes: Buffer; text?: string }): Promise<Card> {
    const up = await e.slack.uploadFile({ user: AMARA, ...u });
    return until(
      'the card, live and linked, its image stored',
      async () => {
        const card = await e.loupe.services.storage.db.prisma.card.findFirst({ where: { threadId: up.ts }, include: { asset: true } });
        return card?.state === 'active' && card.messageId && card.asset.patientId && card.asset.status === 'stored' ? card : undefined;
      },
      120_000,
    );
  }

  /** What the card now shows in the channel: its last drawing. */
  const drawn = (e: SlackLoupe, card: Card) =>
    JSON.stringify([...e.slack.calls].reverse().find((c) => (c.method === 'chat.update' && c.params.ts === card.messageId) || (c.method === 'chat.postMessage' && JSON.stringify(c.params.blocks).includes(card.id)))?.params.blocks);

  /** `user` presses Send to PACS; the private answer. */
  async function press(e: SlackLoupe, card: Card, user: string, channel: string): Promise<string> {
    const before = e.slack.calls.length;
    const r = await e.slack.interaction({
      type: 'block_actions',
      user: { id: user },
      channel: { id: channel },
      message: { ts: card.messageId },
      container: { type: 'message', message_ts: card.messageId, channel_id: channel },
      actions: [{ type: 'button', action_id: 'loupe_send_to_pacs', block_id: 'b', value: card.id, action_ts: '1' }],
    });
    expect(r.status).toBe(200);
    const answer = await until('the private answer', () => e.slack.calls.slice(before).find((c) => c.method === 'chat.postEphemeral' && c.params.user === user));
    return String(answer.params.text);
  }

  const audit = (e: SlackLoupe, action: string, assetId: string) => e.loupe.services.storage.db.prisma.auditEvent.findMany({ where: { action, assetId }, orderBy: { seq: 'asc' } });

  it('sends a CT with its patient: the card offers it, then says it is in the PACS; Orthanc holds the study; a second press sends nothing', async () => {
    const card = await upload(env, { channel: RADIOLOGY, name: 'ct.dcm', bytes: await ctDicom(MRN, ISSUER) });
    expect(drawn(env, card)).toContain('Send to PACS');
    expect(await press(env, card, AMARA, RADIOLOGY)).toContain('Sending this image to the PACS');
    await until('the card says it is in the PACS', () => (drawn(env, card).includes('In the PACS') ? true : undefined), 120_000);
    expect(drawn(env, card)).not.toContain('Send to PACS');
    const patients = (await orthanc.get('/patients?expand')).json as { MainDicomTags: { PatientID: string } }[];
    expect(patients.map((p) => p.MainDicomTags.PatientID)).toContain(MRN);
    const [exported] = await audit(env, 'asset.pacs_exported', card.id ? (await env.loupe.services.storage.db.prisma.card.findUniqueOrThrow({ where: { id: card.id } })).assetId : '');
    expect(exported).toMatchObject({ outcome: 'success', details: expect.objectContaining({ copy: 'identified', instances: 1, stored: 1, httpStatus: 200 }) });
    // No PHI in the trail's words.
    expect(JSON.stringify([exported!.reason, exported!.details])).not.toContain(MRN);
    expect(await press(env, card, AMARA, RADIOLOGY)).toBe(PACS_REFUSED.already_sent);
    expect(((await orthanc.get('/instances')).json as string[]).length).toBe(1);
  });

  it('sends a photo as a VL Photographic Image of the linked patient, without the phone’s metadata', async () => {
    const card = await upload(env, { channel: WOUNDS, name: 'wound.jpg', bytes: await readFile(photos.jpeg), text: `day 3 ${MRN}` });
    const before = new Set((await orthanc.get('/instances')).json as string[]);
    await press(env, card, AMARA, WOUNDS);
    await until('the card says it is in the PACS', () => (drawn(env, card).includes('In the PACS') ? true : undefined), 120_000);
    const added = ((await orthanc.get('/instances')).json as string[]).filter((id) => !before.has(id));
    expect(added).toHaveLength(1);
    const tags = (await orthanc.get(`/instances/${added[0]}/simplified-tags`)).json as Record<string, string>;
    expect(tags).toMatchObject({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.4', Modality: 'XC', PatientID: MRN });
    const file = await fetch(`${orthanc.url}/instances/${added[0]}/file`, { headers: { authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}` } });
    const bytes = Buffer.from(await file.arrayBuffer());
    for (const planted of PLANTED) expect(bytes.includes(Buffer.from(planted))).toBe(false);
  });

  it('sends a whole study shared as a zip: every image, in one study and its series, under the patient', async () => {
    const zip = await zipOf(await studySlices({ patient: { name: 'STUDY^PACS', identifier: 'MRN40219K' }, series: [3, 2] }));
    const card = await upload(env, { channel: RADIOLOGY, name: 'study.zip', bytes: zip });
    const before = new Set((await orthanc.get('/instances')).json as string[]);
    expect(await press(env, card, AMARA, RADIOLOGY)).toContain('Sending this image to the PACS');
    await until('the card says it is in the PACS', () => (drawn(env, card).includes('In the PACS') ? true : undefined), 120_000);
    const added = ((await orthanc.get('/instances')).json as string[]).filter((id) => !before.has(id));
    expect(added).toHaveLength(5);
    const tags = await Promise.all(added.map(async (id) => (await orthanc.get(`/instances/${id}/simplified-tags`)).json as Record<string, string>));
    expect(new Set(tags.map((t) => t.PatientID))).toEqual(new Set(['MRN40219K']));
    expect(new Set(tags.map((t) => t.StudyInstanceUID)).size).toBe(1);
    expect(tags.map((t) => t.SeriesNumber).sort()).toEqual(['1', '1', '1', '2', '2']);
    const { assetId } = await env.loupe.services.storage.db.prisma.card.findUniqueOrThrow({ where: { id: card.id } });
    const [exported] = await audit(env, 'asset.pacs_exported', assetId);
    expect(exported).toMatchObject({ outcome: 'success', details: expect.objectContaining({ instances: 5, stored: 5 }) });
  });

  it('refuses a clinician without standing on the consult, and sends nothing', async () => {
    const card = await upload(env, { channel: RADIOLOGY, name: 'ct2.dcm', bytes: await ctDicom('MRN40212K', ISSUER) });
    const before = ((await orthanc.get('/instances')).json as string[]).length;
    expect(await press(env, card, LI, RADIOLOGY)).toMatch(/^Nothing was sent: /);
    const { assetId } = await env.loupe.services.storage.db.prisma.card.findUniqueOrThrow({ where: { id: card.id } });
    expect((await audit(env, 'asset.pacs_export_requested', assetId)).map((e) => e.outcome)).toEqual(['denied']);
    expect(await env.loupe.services.storage.db.prisma.pacsExport.count({ where: { assetId } })).toBe(0);
    expect(((await orthanc.get('/instances')).json as string[]).length).toBe(before);
  });

  it('tells the card, once, when the PACS refuses Loupe’s credentials: no retry, and the trail says why', async () => {
    const wrong = await startWith(orthanc, 'not-the-password');
    try {
      const card = await upload(wrong, { channel: RADIOLOGY, name: 'ct3.dcm', bytes: await ctDicom('MRN40213K', ISSUER) });
      await press(wrong, card, AMARA, RADIOLOGY);
      await until('the card says it was not sent', () => (drawn(wrong, card).includes('Not sent to the PACS') ? true : undefined), 120_000);
      expect(drawn(wrong, card)).toContain('credentials');
      // It may be asked for again once an admin has fixed the credentials.
      expect(drawn(wrong, card)).toContain('Send to PACS');
      const { assetId } = await wrong.loupe.services.storage.db.prisma.card.findUniqueOrThrow({ where: { id: card.id } });
      const [failed] = await audit(wrong, 'asset.pacs_exported', assetId);
      expect(failed).toMatchObject({ outcome: 'failure', reason: 'LOUPE_PACS_AUTH_REFUSED' });
      const job = await wrong.loupe.services.storage.db.prisma.job.findFirstOrThrow({ where: { type: 'pacs.export' } });
      expect({ status: job.status, attempts: job.attempts }).toEqual({ status: 'done', attempts: 1 });
    } finally {
      await wrong.close();
    }
  });
});
