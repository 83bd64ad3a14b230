// A whole study shared as a zip in Teams, as in Slack: one card for the study
// saying what it is (never whose), and an archive refused for what it holds
// told to its sender privately, with its reason, and no card.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS, type TeamsStandIn } from '../../src/demo/teams/index.js';
import type { Loupe } from '../../src/main.js';
import { cdExport, studySlices, zipOf } from '../support/study-archive.js';
import { startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

const { amara: SENDER } = TEAMS_DEMO_USERS;
const RADIOLOGY = TEAMS_DEMO_TEAM.channels.radiology.id;
const PATIENT = { name: 'TEAMSSTUDY^OLIVE', identifier: 'MRN-TEAMS-07' };

describe('a whole study shared as a zip in Teams', () => {
  let env: TeamsLoupe;
  let loupe: Loupe;
  let teams: TeamsStandIn;

  beforeAll(async () => {
    env = await startTeamsLoupe('pglite', { dlp: true });
    ({ loupe, teams } = env);
    await loupe.services.storage.policies.change(env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: 'test' });
  });
  afterAll(() => env?.close());

  const post = (bytes: Buffer) => teams.postFile({ user: SENDER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: RADIOLOGY }, name: 'study.zip', bytes });

  it('posts one card for a CD export, saying what the study is and never whose', async () => {
    const p = await post(await cdExport({ patient: PATIENT, series: [2, 3] }));
    const thread = `${RADIOLOGY};messageid=${p.messageId}`;
    const card = await until('the card', () => teams.messages.find((m) => m.byBot && m.conversationId === thread), 120_000);
    const shown = JSON.stringify(card);
    expect(shown).toContain('DICOM study · CT · 2 series · 5 images');
    expect(shown).not.toContain('OLIVE');
    expect(shown).not.toContain(PATIENT.identifier);
    const asset = await until('the study stored', async () => (await loupe.services.storage.db.prisma.asset.findFirst({ where: { kind: 'dicom_study', status: 'stored' } })) ?? undefined);
    expect(asset.patientId).not.toBeNull();
  }, 180_000);

  it('tells the sender privately why an archive of two patients was refused, and posts no card', async () => {
    const p = await post(await zipOf(await studySlices({ patient: PATIENT, series: [2, 2], otherPatient: { name: 'SECOND^PAT', identifier: 'MRN-TEAMS-08' } })));
    const told = await until('the sender told', () => teams.personalMessages(SENDER.aadObjectId).find((m) => JSON.stringify(m).includes('more than one patient')), 120_000);
    expect(JSON.stringify(told)).not.toContain('OLIVE');
    const thread = `${RADIOLOGY};messageid=${p.messageId}`;
    expect(teams.messages.some((m) => m.byBot && m.conversationId === thread && JSON.stringify(m).includes('secured by Loupe'))).toBe(false);
  }, 180_000);
});
