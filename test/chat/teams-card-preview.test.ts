// Preview cards in Teams, through botbuilder and the Teams stand-in: in a
// channel whose policy is "deidentified", the card carries a small blurred
// thumbnail inside itself (Teams holds no file of Loupe's for it), in
// everyone's drawing and in each user's own (refresh); revoking the card
// redraws it without the image, which takes it off Teams.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS, type TeamsStandIn } from '../../src/demo/teams/index.js';
import type { Loupe } from '../../src/main.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

const { amara: SENDER } = TEAMS_DEMO_USERS;
const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
const json = (v: unknown) => JSON.stringify(v ?? null);
const DATA_URI = /data:image\/jpeg;base64,([A-Za-z0-9+/=]+)/;

describe('Teams preview cards', () => {
  let env: TeamsLoupe;
  let loupe: Loupe;
  let teams: TeamsStandIn;
  let photo: Buffer;

  beforeAll(async () => {
    env = await startTeamsLoupe('pglite', { dlp: false });
    ({ loupe, teams } = env);
    photo = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    await loupe.services.storage.policies.change(env.workspaceId, WOUNDS, { interception: true, previewMode: 'deidentified' }, { type: 'admin', id: 'test' });
  });
  afterAll(() => env?.close());

  it('carries a blurred thumbnail in the card while it lives, and none once it is revoked', async () => {
    const p = await teams.postFile({ user: SENDER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'photo.jpg', bytes: photo });
    const thread = `${WOUNDS};messageid=${p.messageId}`;
    const message = await until('the card', () => teams.messages.find((m) => m.byBot && m.conversationId === thread));
    // The card goes out at once; its preview follows once the photo is cleaned (a redraw of the same message).
    const drawn = await until('the preview', () => DATA_URI.exec(json(teams.messages.find((m) => m.id === message.id)?.attachments))?.[1]);
    const meta = await sharp(Buffer.from(drawn, 'base64')).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(240);
    expect(json(teams.messages.find((m) => m.id === message.id)?.attachments)).toMatch(/"altText":"A blurred thumbnail/);
    const card = await loupe.services.storage.db.prisma.card.findFirstOrThrow({ where: { threadId: p.messageId } });
    expect(card.previewRef).toMatch(/^inline:/);
    const execute = (verb: string) =>
      teams.invoke({ user: SENDER.aadObjectId, conversationId: thread, replyToId: message.id, name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data: { cardId: card.id } }, trigger: 'manual' } });
    // The sender's own drawing shows it too.
    expect(json((await execute('loupe.refresh')).body)).toMatch(DATA_URI);

    await execute('loupe.revoke');
    await until('the revoked card', () => json(teams.messages.find((m) => m.id === message.id)?.attachments).includes('Revoked') || undefined);
    expect(json(teams.messages.find((m) => m.id === message.id)?.attachments)).not.toMatch(/data:image/);
    expect(json((await execute('loupe.refresh')).body)).not.toMatch(/data:image/);
    await until('the removal recorded', async () => ((await loupe.services.storage.db.prisma.card.findUniqueOrThrow({ where: { id: card.id } })).previewRef === null) || undefined);
  });
});
