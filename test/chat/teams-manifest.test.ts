// The package a Teams admin uploads must pass Microsoft's own schema, ask for
// the resource-specific permissions the adapter needs and no more, and carry
// icons Teams accepts. It is built by the same command the admin runs.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTeamsPackage, validateTeamsManifest } from '../../scripts/teams-package.js';
import { TEAMS_COMMANDS } from '../../src/chat/teams/commands.js';

const APP_ID = '0f1e2d3c-4b5a-4697-8877-a6b5c4d3e2f1';
const PUBLIC_URL = 'https://loupe.hospital.example';
const COMMANDS = [
  { title: 'help', description: 'What Loupe does and how to use it' },
  { title: 'status', description: 'What Loupe holds for this channel (counts only)' },
  { title: 'policy', description: "Admins: show or set this channel's policy" },
];

interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  developer: Record<string, string>;
  name: { short: string; full: string };
  bots: { botId: string; scopes: string[]; supportsFiles: boolean; isNotificationOnly: boolean; commandLists: { scopes: string[]; commands: unknown[] }[] }[];
  validDomains: string[];
  webApplicationInfo: { id: string; resource: string };
  authorization: { permissions: { resourceSpecific: { name: string; type: string }[] } };
}

describe('the Teams app package', () => {
  let dir: string;
  let zip: string;
  const entry = (name: string) => execFileSync('unzip', ['-p', zip, name]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-teams-'));
    ({ path: zip } = await buildTeamsPackage({ appId: APP_ID, publicUrl: `${PUBLIC_URL}/`, out: join(dir, 'loupe-teams.zip') }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('holds manifest.json and the two icons at the zip root, and the manifest passes the bundled official schema', async () => {
    const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(names).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(entry('manifest.json').toString('utf8')) as Manifest;
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    expect(await validateTeamsManifest(manifest)).toEqual([]);
    // The check can fail: a manifest without its developer, or with a bot id that is no GUID, is refused.
    const { developer: _developer, ...withoutDeveloper } = manifest;
    expect((await validateTeamsManifest(withoutDeveloper)).join('\n')).toMatch(/developer/);
    expect(await validateTeamsManifest({ ...manifest, bots: [{ ...manifest.bots[0], botId: 'loupe' }] })).not.toEqual([]);
    // A schema the library would download is refused rather than fetched.
    expect(await validateTeamsManifest({ ...manifest, $schema: 'https://schemas.example/teams.json' })).toHaveLength(1);
  });

  it('is a bot in teams, group chats and personal chats that takes files, with help, status and policy in each', () => {
    const manifest = JSON.parse(entry('manifest.json').toString('utf8')) as Manifest;
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.name).toEqual({ short: 'Loupe', full: 'Loupe: secure clinical images' });
    expect(manifest.bots).toHaveLength(1);
    const [bot] = manifest.bots;
    expect(bot).toMatchObject({ botId: APP_ID, supportsFiles: true, isNotificationOnly: false });
    expect(bot?.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot?.commandLists.flatMap((l) => l.scopes).sort()).toEqual(['groupChat', 'personal', 'team']);
    for (const list of bot?.commandLists ?? []) expect(list.commands).toEqual(COMMANDS);
    // The commands the adapter answers, no more and no fewer.
    expect(COMMANDS.map((c) => c.title)).toEqual([...TEAMS_COMMANDS]);
  });

  it('asks for exactly the resource-specific permissions that let Loupe read every message and know team owners', () => {
    const manifest = JSON.parse(entry('manifest.json').toString('utf8')) as Manifest;
    const rsc = manifest.authorization.permissions.resourceSpecific;
    expect(rsc.map((p) => p.name).sort()).toEqual(['ChannelMessage.Read.Group', 'ChannelSettings.Read.Group', 'ChatMessage.Read.Chat', 'TeamMember.Read.Group']);
    expect(new Set(rsc.map((p) => p.type))).toEqual(new Set(['Application']));
    expect(manifest.webApplicationInfo).toEqual({ id: APP_ID, resource: `api://loupe.hospital.example/${APP_ID}` });
    expect(manifest.validDomains).toEqual(['loupe.hospital.example']);
    expect(manifest.developer).toEqual({
      name: 'Loupe',
      websiteUrl: `${PUBLIC_URL}/`,
      privacyUrl: `${PUBLIC_URL}/privacy`,
      termsOfUseUrl: `${PUBLIC_URL}/terms`,
    });
  });

  it('carries a 192 × 192 colour icon and a 32 × 32 white-on-transparent outline', async () => {
    const color = await sharp(entry('color.png')).metadata();
    expect([color.format, color.width, color.height]).toEqual(['png', 192, 192]);
    const { data, info } = await sharp(entry('outline.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([32, 32]);
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) transparent++;
      else {
        drawn++;
        expect([data[i], data[i + 1], data[i + 2]]).toEqual([255, 255, 255]);
      }
    }
    expect(transparent).toBeGreaterThan(0);
    expect(drawn).toBeGreaterThan(0);
  });

  it('refuses an app id that is no GUID and a public URL that is not https', async () => {
    const out = join(dir, 'refused.zip');
    await expect(buildTeamsPackage({ appId: 'loupe-bot', publicUrl: PUBLIC_URL, out })).rejects.toThrow(/GUID/);
    await expect(buildTeamsPackage({ appId: APP_ID, publicUrl: 'http://loupe.hospital.example', out })).rejects.toThrow(/https/);
    await expect(buildTeamsPackage({ appId: APP_ID, publicUrl: PUBLIC_URL, version: '1.2', out })).rejects.toThrow(/MAJOR/);
  });
});
