// A Microsoft Teams team's owners in the console, in Chromium against the
// real oidc-provider: Jordan owns the Consults team and Dr Okafor the
// Dermatology team of the same tenant. Each signs in with their hospital
// account (matched by Entra object id), sees and edits their own team's
// channels only, is refused the other team's and the workspace's, and loses
// the role as soon as Teams no longer names them an owner.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS, teamsDemoDirectory, type TeamsTeam } from '../../src/demo/teams/index.js';
import { consoleSignIn, startTeamsConsoleLoupe, type ConsoleLoupe } from '../support/console.js';
import { makePhotoFixtures } from '../support/photos.js';
import type { TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

const u = TEAMS_DEMO_USERS;
const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
const RADIOLOGY = TEAMS_DEMO_TEAM.channels.radiology.id;
const SKIN = '19:skin-consult@thread.tacv2';
const DERMATOLOGY: TeamsTeam = {
  id: '19:dermatology-team@thread.tacv2',
  aadGroupId: '6f1a0c1e-7eae-4a5b-9c01-00000000de12',
  name: 'Dermatology',
  channels: [{ id: SKIN, name: 'Skin consult' }],
  members: Object.values(u).map((x) => x.aadObjectId),
  owners: [u.amara.aadObjectId],
};
const JORDAN = { email: u.jordan.email, otp: '123456' };
const AMARA = { email: u.amara.email, otp: '123456' };

describe('Teams team owners in the console', () => {
  let c: ConsoleLoupe<TeamsLoupe>;
  let jordan: Page;
  let jordanErrors: string[];
  let ws: string;
  let photo: Buffer;
  const db = () => c.env.loupe.services.storage.db.prisma;
  const editUrl = (channel: string) => `${c.publicUrl}/admin/policies/${ws}/${encodeURIComponent(channel)}`;

  async function post(channel: string, team: string, user: string): Promise<string> {
    const posted = await c.env.teams.postFile({ user, place: { team, channel }, name: 'photo.jpg', bytes: photo });
    const card = await until('the card', async () => (await db().card.findFirst({ where: { threadId: posted.messageId, messageId: { not: null } } })) ?? undefined);
    return card.assetId;
  }

  beforeAll(async () => {
    const directory = teamsDemoDirectory();
    directory.teams.push(DERMATOLOGY);
    c = await startTeamsConsoleLoupe(directory);
    ws = c.env.workspaceId;
    photo = await readFile((await makePhotoFixtures(c.env.inst.dataDir)).jpeg);
    for (const channel of [WOUNDS, RADIOLOGY, SKIN]) await c.env.loupe.services.storage.policies.change(ws, channel, { interception: true }, { type: 'admin', id: 'test' });
    await post(WOUNDS, TEAMS_DEMO_TEAM.id, u.amara.aadObjectId);
    await post(SKIN, DERMATOLOGY.id, u.liWei.aadObjectId);
    ({ page: jordan, errors: jordanErrors } = await c.page());
    await consoleSignIn(jordan, `${c.publicUrl}/admin`, JORDAN);
  });
  afterAll(async () => {
    await c?.close();
  });

  it('shows a team’s owner their own team’s channels and images, and no audit trail or alerts', async () => {
    expect(await jordan.textContent('.who small')).toBe('Team owner');
    // The team's three channels as Graph lists them (General, Wound consult, Radiology consult), posted in or not.
    expect(await jordan.locator('table tbody tr td').nth(2).textContent()).toBe('Team owner (3 channels)');
    expect(await jordan.locator('header nav a').allTextContents()).toEqual(['Policies', 'Assets', 'Legal holds']);
    await jordan.goto(`${c.publicUrl}/admin/policies`);
    const channels = await jordan.locator('table.policies tbody th').allTextContents();
    expect(channels.join(' ')).toContain(WOUNDS);
    expect(channels.join(' ')).toContain(RADIOLOGY);
    expect(channels.join(' ')).not.toContain(SKIN);
    expect(channels.join(' ')).not.toContain('Workspace default');
    await jordan.goto(`${c.publicUrl}/admin/assets`);
    const rows = await jordan.locator('table tbody tr').allTextContents();
    expect(rows.join(' ')).toContain(WOUNDS);
    expect(rows.join(' ')).not.toContain(SKIN);
    for (const path of ['/admin/audit', '/admin/alerts']) {
      const answer = await jordan.goto(`${c.publicUrl}${path}`);
      expect(answer?.status()).toBe(403);
    }
    const refused = await db().auditEvent.findMany({ where: { action: 'console.refused', actorId: 'hosp-0004' } });
    expect(refused.map((e) => (e.details as { action?: string }).action)).toEqual(expect.arrayContaining(['read_audit', 'read_alerts']));
    expect(jordanErrors).toEqual([]);
  });

  it('lets the owner change their channel’s policy, audited, and the next upload there follows it', async () => {
    await jordan.goto(editUrl(WOUNDS));
    expect(await jordan.locator('#part-breakGlass').count()).toBe(0);
    await jordan.check('input[name=from_lifetime][value=set]');
    await jordan.fill('input[name=lifetime]', '2');
    await jordan.selectOption('select[name=lifetimeUnit]', 'hours');
    await Promise.all([jordan.waitForURL(/done=saved/), jordan.click('form.policy-form button[type=submit]')]);
    expect(await jordan.textContent('.banner.ok')).toContain('Saved.');
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: 'policy.changed', actorId: 'hosp-0004' }, orderBy: { seq: 'desc' } });
    expect(event.details).toMatchObject({ channelId: WOUNDS, before: { cardLifetimeSeconds: expect.any(Number) }, after: { cardLifetimeSeconds: 7200 } });
    const asset = await post(WOUNDS, TEAMS_DEMO_TEAM.id, u.liWei.aadObjectId);
    const card = await db().card.findFirstOrThrow({ where: { assetId: asset } });
    expect(card.expiresAt.getTime() - card.createdAt.getTime()).toBeGreaterThan(7190_000);
    expect(card.expiresAt.getTime() - card.createdAt.getTime()).toBeLessThan(7210_000);
  });

  it('refuses the owner another team’s channel and the workspace default, even through a tampered form, and audits it', async () => {
    for (const channel of [SKIN, '*']) {
      const answer = await jordan.goto(editUrl(channel));
      expect(answer?.status()).toBe(403);
      expect(await jordan.textContent('h1')).toBe('Not allowed');
    }
    // Jordan's own form, its target changed to the other team's channel: the right form token, the wrong place.
    await jordan.goto(editUrl(WOUNDS));
    await jordan.check('input[name=from_interception][value=set]');
    await jordan.check('input[name=interception][value=off]');
    await jordan.locator('form.policy-form').evaluate((form, action) => (form as unknown as { setAttribute(n: string, v: string): void }).setAttribute('action', action), `/admin/policies/${ws}/${encodeURIComponent(SKIN)}`);
    const [answer] = await Promise.all([jordan.waitForResponse((r) => r.request().method() === 'POST'), jordan.click('form.policy-form button[type=submit]')]);
    expect(answer.status()).toBe(403);
    expect((await c.env.loupe.services.storage.policies.effective(ws, SKIN)).interception).toBe(true);
    const refused = await db().auditEvent.findMany({ where: { action: 'console.refused', actorId: 'hosp-0004' } });
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(refused.map((e) => e.details))).not.toContain(SKIN);
  });

  it('lets the owner hold their channel, and not the other team’s images', async () => {
    await jordan.goto(`${c.publicUrl}/admin/holds`);
    expect(await jordan.locator('input[name=scope][value=patient]').count()).toBe(0);
    const options = await Promise.all((await jordan.locator('select[name=channel] option').all()).map((o) => o.getAttribute('value')));
    expect(options.map((o) => o?.split(' ')[1])).toEqual([TEAMS_DEMO_TEAM.id, RADIOLOGY, WOUNDS].sort());
    await jordan.check('input[name=scope][value=channel]');
    await jordan.selectOption('select[name=channel]', `${ws} ${WOUNDS}`);
    await jordan.fill('textarea[name=reason]', 'Complaint 2026-88');
    await Promise.all([jordan.waitForURL(/done=placed/), jordan.click('form.hold-form button[type=submit]')]);
    const hold = await db().legalHold.findFirstOrThrow({ where: { targetId: WOUNDS, liftedAt: null } });
    expect(hold.setBy).toBe('hosp-0004');
    // The other team's image, by its id: refused, nothing held.
    const skinAsset = await db().asset.findFirstOrThrow({ where: { consult: { channelId: SKIN } } });
    await jordan.goto(`${c.publicUrl}/admin/holds`);
    await jordan.check('input[name=scope][value=asset]');
    await jordan.fill('input[name=asset]', skinAsset.id);
    await jordan.fill('textarea[name=reason]', 'Fishing');
    const [answer] = await Promise.all([jordan.waitForResponse((r) => r.request().method() === 'POST'), jordan.click('form.hold-form button[type=submit]')]);
    expect(answer.status()).toBe(403);
    expect(await db().legalHold.count({ where: { targetId: skinAsset.id } })).toBe(0);
    // A privacy officer's hold on Jordan's other channel: he sees that it is held, not why or by whom.
    await c.env.loupe.services.storage.legalHolds.place(ws, { scope: 'channel', targetId: RADIOLOGY }, 'Subject access request 77', { type: 'user', id: 'hosp-0005' });
    await jordan.goto(`${c.publicUrl}/admin/holds`);
    const table = await jordan.locator('#in-force ~ div table, section[aria-labelledby=in-force] table').innerText();
    expect(table).toContain(RADIOLOGY);
    expect(table).toContain('Complaint 2026-88');
    expect(table).not.toContain('Subject access request 77');
    expect(table).toContain('Placed by someone else');
  });

  it('gives the other team’s owner their own team only', async () => {
    const { page, errors } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin/policies`, AMARA);
    const channels = (await page.locator('table.policies tbody th').allTextContents()).join(' ');
    expect(channels).toContain(SKIN);
    expect(channels).not.toContain(WOUNDS);
    expect((await page.goto(editUrl(WOUNDS)))?.status()).toBe(403);
    expect((await page.goto(editUrl(SKIN)))?.status()).toBe(200);
    expect(errors).toEqual([]);
  });

  it('takes the role away at the next request once Teams no longer names them an owner', async () => {
    const team = c.env.teams.directory().teams.find((t) => t.id === TEAMS_DEMO_TEAM.id)!;
    team.owners = [];
    const answer = await jordan.goto(`${c.publicUrl}/admin/policies`);
    expect(answer?.status()).toBe(403);
    expect(await jordan.textContent('h1')).toBe('No access to the console');
    team.owners = [u.jordan.aadObjectId];
    expect((await jordan.goto(`${c.publicUrl}/admin/policies`))?.status()).toBe(200);
  });
});
