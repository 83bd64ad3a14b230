// Preview cards on Slack, through the real Bolt app and the Slack stand-in:
// in a channel whose policy is "deidentified", the card shows a blurred
// thumbnail that is the bot's own file, uploaded the way @slack/web-api's
// files.uploadV2 does and shared with no channel; revoking the card deletes
// that file with the bot's token and redraws the card without it. Where the
// policy is none (the default), nothing is uploaded at all.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../src/demo/slack/index.js';
import type { Loupe } from '../../src/main.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';

const BOT_TOKEN = 'xoxb-loupe-test-bot';
const WOUNDS = 'C0WOUNDS01';
const RADIOLOGY = 'C0RADIOL01';
const SENDER = 'U0CLIN0001';
const ADMIN = 'U0ADMIN001';

type Block = { type: string; slack_file?: { id: string }; alt_text?: string };

describe.each(testEngines())('Slack preview cards on %s', (engine) => {
  let env: SlackLoupe;
  let loupe: Loupe;
  let slack: SlackStandIn;
  let jpeg: Buffer;
  let workspaceId: string;

  beforeAll(async () => {
    env = await startSlackLoupe(engine, { giveAdminToken: false });
    ({ loupe, slack, workspaceId } = env);
    jpeg = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    const { storage } = loupe.services;
    await storage.policies.change(workspaceId, WOUNDS, { interception: true, previewMode: 'deidentified' }, { type: 'admin', id: ADMIN });
    await storage.policies.change(workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: ADMIN });
  });
  afterAll(() => env?.close());

  const prisma = () => loupe.services.storage.db.prisma;
  async function posted(channel: string) {
    const upload = await slack.uploadFile({ user: SENDER, channel, name: 'photo.jpg', bytes: jpeg });
    const call = await until('the card', () => slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === upload.ts));
    const card = await until('the card row', async () => (await prisma().card.findFirst({ where: { workspaceId, threadId: upload.ts, messageId: { not: null } } })) ?? undefined);
    return { upload, blocks: JSON.parse(String(call.params.blocks)) as Block[], card };
  }
  const images = (blocks: Block[]) => blocks.filter((b) => b.type === 'image');

  it('shows a blurred thumbnail, the bot’s own unshared file, and deletes it when the card is revoked', async () => {
    const { card } = await posted(WOUNDS);
    // The card goes out at once; its preview follows once the photo is cleaned (a redraw).
    const drawn = await until('the card with its preview', () =>
      slack.calls.map((c) => (c.method === 'chat.update' && c.params.ts === card.messageId ? images(JSON.parse(String(c.params.blocks)) as Block[])[0] : undefined)).find(Boolean),
    );
    const image = drawn;
    const placed = await prisma().card.findUniqueOrThrow({ where: { id: card.id } });
    const fileId = image?.slack_file?.id;
    expect(fileId).toMatch(/^F/);
    expect(image?.alt_text).toMatch(/blurred/i);
    expect(placed.previewRef).toBe(fileId);
    // Uploaded by the bot the files.uploadV2 way, and completed with no channel: shared nowhere.
    const completed = slack.calls.find((c) => c.method === 'files.completeUploadExternal' && String(c.params.files).includes(fileId!))!;
    expect(completed.token).toBe(BOT_TOKEN);
    expect(completed.params.channel_id ?? completed.params.channels).toBeUndefined();
    const stored = slack.file(fileId!)!;
    const meta = await sharp(stored.bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(240);
    // No metadata of the photo's travels with it.
    expect(meta.exif).toBeUndefined();
    expect(await prisma().auditEvent.count({ where: { action: 'card.preview_posted', assetId: card.assetId } })).toBe(1);

    // The sender revokes: the file goes (the bot's own token deletes it), then the card is redrawn without it.
    await slack.interaction({
      type: 'block_actions',
      user: { id: SENDER },
      channel: { id: WOUNDS },
      message: { ts: card.messageId! },
      container: { type: 'message', message_ts: card.messageId!, channel_id: WOUNDS },
      actions: [{ type: 'button', action_id: 'loupe_revoke', block_id: 'b', value: card.id, action_ts: '1' }],
    });
    const update = await until('the revoked card', () => slack.calls.find((c) => c.method === 'chat.update' && c.params.ts === card.messageId && String(c.params.blocks).includes('Revoked')));
    expect(images(JSON.parse(String(update.params.blocks)) as Block[])).toEqual([]);
    const deletion = slack.calls.find((c) => c.method === 'files.delete' && c.params.file === fileId)!;
    expect(deletion.token).toBe(BOT_TOKEN);
    expect(slack.file(fileId!)?.deleted).toBe(true);
    await until('the removal recorded', async () => ((await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).previewRef === null ? true : undefined));
    expect(await prisma().auditEvent.count({ where: { action: 'card.preview_removed', assetId: card.assetId } })).toBe(1);
  });

  it('uploads nothing and shows no image where the policy is none (the default)', async () => {
    const before = slack.calls.filter((c) => c.method === 'files.getUploadURLExternal').length;
    const { blocks, card } = await posted(RADIOLOGY);
    expect(images(blocks)).toEqual([]);
    expect(card.previewRef).toBeNull();
    expect(slack.calls.filter((c) => c.method === 'files.getUploadURLExternal')).toHaveLength(before);
  });
});
