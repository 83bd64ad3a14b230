// Send to PACS in Teams, pressed through the Teams stand-in, to a real
// Orthanc with DICOMweb and authentication: the card carries the button only
// when a PACS is configured; the answer goes to the presser alone; the photo
// reaches Orthanc under the linked patient; the card then says it is there.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS } from '../../src/demo/teams/index.js';
import { startOrthancDicomWeb, type OrthancDicomWeb } from '../support/orthanc-dicomweb.js';
import { makePhotoFixtures } from '../support/photos.js';
import { postedPhotoCard, startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

const { amara: SENDER } = TEAMS_DEMO_USERS;
const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
const MRN = 'MRN-TEAMS-PACS-3';
const json = (v: unknown) => JSON.stringify(v ?? null);

describe('Send to PACS in Teams', { timeout: 180_000 }, () => {
  let orthanc: OrthancDicomWeb;
  let env: TeamsLoupe;
  beforeAll(async () => {
    orthanc = await startOrthancDicomWeb();
    env = await startTeamsLoupe('pglite', { dlp: false, env: { LOUPE_PACS_URL: orthanc.dicomWebRoot, LOUPE_PACS_USER: orthanc.user, LOUPE_PACS_PASSWORD: orthanc.password } });
    await env.loupe.services.storage.policies.change(env.workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: 'test' });
  });
  afterAll(async () => {
    await env?.close();
    await orthanc?.stop();
  });

  it('answers the presser alone, sends the photo under its patient, and the card says it is in the PACS', async () => {
    const { teams } = env;
    const photo = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    const { thread, message, press } = await postedPhotoCard(env, { user: SENDER.aadObjectId, team: TEAMS_DEMO_TEAM.id, channel: WOUNDS, photo });
    const threadMessages = () => teams.messages.filter((m) => m.conversationId === thread).length;
    const before = threadMessages();

    expect(await press('loupe.send_to_pacs')).toContain('not linked to a patient yet');
    await press('loupe.link_patient.submit', { identifier: MRN, issuer: 'HOSPITAL-A' });
    // Once linked, the sender's own drawing offers it.
    expect(await press('loupe.refresh')).toContain('loupe.send_to_pacs');
    expect(await press('loupe.send_to_pacs')).toContain('Sending this image to the PACS');
    await until('the card updated: in the PACS', () => (json(teams.messages.find((m) => m.id === message.id)?.attachments).includes('In the PACS') ? true : undefined), 120_000);
    expect(await press('loupe.send_to_pacs')).toContain('already in the PACS');
    const patients = (await orthanc.get('/patients?expand')).json as { MainDicomTags: { PatientID: string } }[];
    expect(patients.map((x) => x.MainDicomTags.PatientID)).toEqual([MRN]);
    // Nothing was posted in the thread: the answers went to the presser alone.
    expect(threadMessages()).toBe(before);
  });
});
