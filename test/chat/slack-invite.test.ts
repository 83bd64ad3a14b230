// Invite specialist through the real Bolt app and the Slack stand-in, for a
// member whose only grant gives no right to pass access on: a break-glass
// grant, or one that has expired. The modal answers with an error and nobody
// is granted anything.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../src/demo/slack/index.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';

const WOUNDS = 'C0WOUNDS01';
const SENDER = 'U0CLIN0001';
const MEMBER = 'U0NURSE001';
const SPECIALIST = 'U0CLIN0002';
const ADMIN = 'U0ADMIN001';

describe.each(testEngines())('Slack Invite specialist on %s', (engine) => {
  let env: SlackLoupe;
  let slack: SlackStandIn;
  let jpeg: Buffer;

  beforeAll(async () => {
    env = await startSlackLoupe(engine, { giveAdminToken: true });
    slack = env.slack;
    jpeg = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    await env.loupe.services.storage.policies.change(env.workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: ADMIN });
  });
  afterAll(() => env?.close());

  const prisma = () => env.loupe.services.storage.db.prisma;
  const submit = (user: string, cardId: string) =>
    slack.interaction({
      type: 'view_submission',
      user: { id: user },
      view: { id: 'V1', callback_id: 'loupe_invite_modal', private_metadata: cardId, state: { values: { specialist: { specialist_select: { type: 'users_select', selected_user: SPECIALIST } } } } },
    });

  it.each([
    ['break-glass', { source: 'break_glass' as const, offsetMs: 3600_000 }, 'break-glass'],
    ['expired', { source: 'participant' as const, offsetMs: -1000 }, 'has ended'],
  ])('refuses a member whose only grant is %s', async (_name, grant, words) => {
    const upload = await slack.uploadFile({ user: SENDER, channel: WOUNDS, name: 'photo.jpg', bytes: jpeg });
    const card = await until('the card row', async () => (await prisma().card.findFirst({ where: { workspaceId: env.workspaceId, threadId: upload.ts, messageId: { not: null } } })) ?? undefined);
    await prisma().consultParticipant.create({ data: { consultId: card.consultId, userId: MEMBER, role: 'member' } });
    await prisma().grant.create({ data: { consultId: card.consultId, userId: MEMBER, source: grant.source, hop: 0, expiresAt: new Date(Date.now() + grant.offsetMs) } });

    const answer = await submit(MEMBER, card.id);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors['specialist']).toContain(words);
    expect(await prisma().grant.count({ where: { consultId: card.consultId, userId: SPECIALIST } })).toBe(0);
    expect(await prisma().consultParticipant.count({ where: { consultId: card.consultId, userId: SPECIALIST } })).toBe(0);
    expect(await prisma().auditEvent.count({ where: { consultId: card.consultId, action: 'consult.participant_invited', outcome: 'denied', actorId: MEMBER } })).toBe(1);
    expect(slack.calls.some((c) => c.method === 'chat.postMessage' && c.params.thread_ts === upload.ts && String(c.params.text).includes('was invited'))).toBe(false);
  });
});
