// Share for teaching in Teams, pressed through the Teams stand-in: the card
// carries the button; the answer (why not, the confirmation form, then the
// link) goes to the presser alone, never into the thread.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../src/app/consent/record-consent.js';
import { TEACHING_REFUSED } from '../../src/chat/teaching-text.js';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS } from '../../src/demo/teams/index.js';
import { makePhotoFixtures } from '../support/photos.js';
import { postedPhotoCard, startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

const { amara: SENDER } = TEAMS_DEMO_USERS;
const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
const MRN = 'MRN-TEAMS-TEACH-7';
const json = (v: unknown) => JSON.stringify(v ?? null);

describe('Share for teaching in Teams', () => {
  let env: TeamsLoupe;
  beforeAll(async () => {
    env = await startTeamsLoupe('pglite', { dlp: false, env: { PUBLIC_URL: 'https://loupe.hospital.example' } });
    await env.loupe.services.storage.policies.change(env.workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: 'test' });
  });
  afterAll(() => env?.close());

  it('says why not without a patient or consent, asks the presser to confirm a photo, then answers them alone with the link', async () => {
    const { teams, loupe } = env;
    const prisma = loupe.services.storage.db.prisma;
    const photo = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    const { thread, message, card, press } = await postedPhotoCard(env, { user: SENDER.aadObjectId, team: TEAMS_DEMO_TEAM.id, channel: WOUNDS, photo });
    expect(json(message.attachments)).toContain('Share for teaching');
    const threadMessages = () => teams.messages.filter((m) => m.conversationId === thread).length;
    const before = threadMessages();

    expect(await press('loupe.teach')).toContain('not linked to a patient yet');
    expect(TEACHING_REFUSED.no_patient).toContain('not linked to a patient yet');
    await press('loupe.link_patient.submit', { identifier: MRN, issuer: 'HOSPITAL-A' });
    expect(await press('loupe.teach')).toContain('does not cover education');

    await recordConsent({ ...loupe.services.storage, queue: loupe.services.queue, clock: { now: () => new Date() } }, {
      workspaceId: env.workspaceId,
      patient: { identifier: MRN, issuer: 'HOSPITAL-A' },
      terms: { decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['photo'], validFrom: new Date(Date.now() - 60_000) },
      recorder: { kind: 'chat_user', id: SENDER.aadObjectId },
      via: 'chat_teams',
    });
    const form = await press('loupe.teach');
    expect(form).toContain('I have checked: no burned-in identifiers and no face');
    expect(form).toContain('loupe.teach.confirm');
    expect(await press('loupe.teach.confirm', { checked: 'false' })).toContain('Tick the box');
    expect(await prisma.teachingShare.count({ where: { assetId: card.assetId } })).toBe(0);
    const answer = await press('loupe.teach.confirm', { checked: 'true' });
    expect(answer).toMatch(/https:\/\/loupe\.hospital\.example\/teach\/[A-Za-z0-9_-]{43}/);
    expect(answer).not.toContain(MRN);
    // Nothing was posted in the thread: the link went to the presser alone.
    expect(threadMessages()).toBe(before);
    expect(teams.messages.some((m) => json(m).includes('/teach/'))).toBe(false);
  });
});
