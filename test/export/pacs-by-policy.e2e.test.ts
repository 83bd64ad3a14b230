// A channel whose policy sends every image to the PACS, from Slack to a real
// Orthanc with its DICOMweb plugin and authentication on: the admin turns it
// on with /loupe policy; a CT posted with its patient in its header, and a
// photo whose message names its patient, arrive in Orthanc under that
// patient with no button pressed; each card says it is in the PACS; the trail
// records the policy, not a person, as having asked.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctDicom } from '../support/console-uploads.js';
import { startOrthancDicomWeb, type OrthancDicomWeb } from '../support/orthanc-dicomweb.js';
import { makePhotoFixtures } from '../support/photos.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';

const RADIOLOGY = 'C0RADIOL01';
const AMARA = 'U0CLIN0001';
const ISSUER = 'urn:oid:2.16.840.1.113883.3.9';

type Card = { id: string; assetId: string; messageId: string | null };

describe('Send to PACS by channel policy, from Slack to Orthanc over DICOMweb', { timeout: 180_000 }, () => {
  let orthanc: OrthancDicomWeb;
  let env: SlackLoupe;

  beforeAll(async () => {
    orthanc = await startOrthancDicomWeb();
    env = await startSlackLoupe('pglite', {
      giveAdminToken: true,
      env: { LOUPE_PACS_URL: orthanc.dicomWebRoot, LOUPE_PACS_USER: orthanc.user, LOUPE_PACS_PASSWORD: orthanc.password },
    });
    await env.loupe.services.storage.policies.change(env.workspaceId, RADIOLOGY, { interception: true, identifierPattern: '\\b(MRN\\d{5}[A-Z])\\b' }, { type: 'admin', id: SLACK_ADMIN });
    // Turned on as an admin would: with the chat command.
    const before = env.slack.calls.length;
    expect((await env.slack.slashCommand({ user: SLACK_ADMIN, channel: RADIOLOGY, command: '/loupe', text: 'policy set pacs automatic' })).status).toBe(200);
    const answer = await until('the policy answer', () => env.slack.calls.slice(before).find((c) => c.method === 'response_url'));
    expect(String(answer.params.text)).toContain('*Send to PACS:* automatic');
    // A PACS is configured: no warning that nothing is sent.
    expect(String(answer.params.text)).not.toContain('no PACS is configured');
  });
  afterAll(async () => {
    await env?.close();
    await orthanc?.stop();
  });

  const prisma = () => env.loupe.services.storage.db.prisma;

  /** Uploads; the card once posted. */
  async function upload(u: { name: string; bytes: Buffer; text?: string }): Promise<Card> {
    const up = await env.slack.uploadFile({ user: AMARA, channel: RADIOLOGY, ...u });
    return until('the card, posted', async () => {
      const card = await prisma().card.findFirst({ where: { threadId: up.ts } });
      return card?.messageId ? card : undefined;
    }, 120_000);
  }

  /** What the card now shows in the channel: its last drawing. */
  const drawn = (card: Card) =>
    JSON.stringify([...env.slack.calls].reverse().find((c) => (c.method === 'chat.update' && c.params.ts === card.messageId) || (c.method === 'chat.postMessage' && JSON.stringify(c.params.blocks).includes(card.id)))?.params.blocks);

  const inThePacs = (card: Card) => until('the card says it is in the PACS', () => (drawn(card).includes('In the PACS') ? true : undefined), 120_000);

  const patientIds = async () => ((await orthanc.get('/patients?expand')).json as { MainDicomTags: { PatientID: string } }[]).map((p) => p.MainDicomTags.PatientID);

  it('sends a CT with its patient as soon as it is posted: no button pressed, the card says it is in the PACS, the policy is who asked', async () => {
    const card = await upload({ name: 'ct.dcm', bytes: await ctDicom('MRN50211K', ISSUER) });
    await inThePacs(card);
    expect(drawn(card)).not.toContain('Send to PACS');
    expect(await patientIds()).toContain('MRN50211K');
    // Nobody pressed anything.
    expect(env.slack.calls.some((c) => c.method === 'chat.postEphemeral' && String(c.params.text).includes('PACS'))).toBe(false);
    const asked = await prisma().auditEvent.findMany({ where: { assetId: card.assetId, action: 'asset.pacs_export_requested' } });
    expect(asked.map((e) => [e.actorType, e.actorId, e.outcome])).toEqual([['system', 'channel-policy', 'success']]);
    const [exported] = await prisma().auditEvent.findMany({ where: { assetId: card.assetId, action: 'asset.pacs_exported' } });
    expect(exported).toMatchObject({ outcome: 'success', details: expect.objectContaining({ instances: 1, stored: 1 }) });
    // No PHI in the trail's words.
    expect(JSON.stringify([...asked, exported!].map((e) => [e.reason, e.details]))).not.toContain('MRN50211K');
  });

  it('sends a photo whose message names its patient, once it is cleaned, as that patient’s VL Photographic Image', async () => {
    const before = new Set((await orthanc.get('/instances')).json as string[]);
    const photo = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    const card = await upload({ name: 'wound.jpg', bytes: photo, text: 'day 3 MRN50212K' });
    await inThePacs(card);
    const added = ((await orthanc.get('/instances')).json as string[]).filter((id) => !before.has(id));
    expect(added).toHaveLength(1);
    const tags = (await orthanc.get(`/instances/${added[0]}/simplified-tags`)).json as Record<string, string>;
    expect(tags).toMatchObject({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.4', PatientID: 'MRN50212K' });
  });
});
