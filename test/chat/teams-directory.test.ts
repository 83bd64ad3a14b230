// Who a signed-in person is in Teams: only an Entra object id, and only from
// a provider that says it is of this tenant, is looked up; an email or a
// name in an `oid` claim, or another tenant's id, matches nobody.
import { describe, expect, it } from 'vitest';
import { teamsDirectory } from '../../src/chat/teams/directory.js';
import type { BotFramework } from '../../src/chat/teams/bot-framework.js';
import type { Graph } from '../../src/chat/teams/graph.js';
import { loadConfig } from '../../src/config.js';
import type { ChatConversations } from '../../src/storage/chat-conversations.js';

const TENANT = '0f7c5d1e-7a10-4c55-9b3e-000000000001';
const OID = '6f1a0c1e-0002-4a5b-9c01-000000000002';

describe('the Teams directory at sign-in', () => {
  const asked: string[] = [];
  // Graph as it answers: any user of the tenant by id or by user principal name.
  const graph = { user: async (idOrName: string) => (asked.push(idOrName), { id: idOrName.includes('@') ? OID : idOrName }) } as unknown as Graph;
  const teams = loadConfig({ LOUPE_TEAMS_APP_ID: '4d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d', LOUPE_TEAMS_TENANT_ID: TENANT, LOUPE_TEAMS_CLIENT_SECRET: 'a-client-secret-value' }).teams!;
  const directory = teamsDirectory({ teams, graph, framework: {} as BotFramework, conversations: {} as ChatConversations });

  it('matches an object id of this tenant', async () => {
    expect(await directory.userByObjectId('w', OID.toUpperCase(), TENANT)).toBe(OID);
  });

  it('matches nobody for an object id without its tenant, of another tenant, or a name in its place', async () => {
    asked.length = 0;
    expect(await directory.userByObjectId('w', OID)).toBeUndefined();
    expect(await directory.userByObjectId('w', OID, '99999999-8888-4777-8666-555555555555')).toBeUndefined();
    expect(await directory.userByObjectId('w', 'li.wei@hospital.example', TENANT)).toBeUndefined();
    expect(asked).toEqual([]);
  });
});

describe('the channels a Teams user administers (the console’s team owner role)', () => {
  const OWNER = '6f1a0c1e-0004-4a5b-9c01-000000000004';
  const teams = loadConfig({ LOUPE_TEAMS_APP_ID: '4d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d', LOUPE_TEAMS_TENANT_ID: TENANT, LOUPE_TEAMS_CLIENT_SECRET: 'a-client-secret-value' }).teams!;
  // Loupe is in five teams. The user joined a, b, d and e, not c. They own a (whose channels Graph lists),
  // b (whose listing Graph refuses) and e (which Graph no longer answers for); d is someone else's.
  const conversations = {
    teamChannels: async () =>
      new Map([
        ['a', ['19:a-seen@thread.tacv2', '19:a-private@thread.tacv2']],
        ['b', ['19:b-seen@thread.tacv2']],
        ['c', ['19:c-seen@thread.tacv2']],
        ['d', ['19:d-seen@thread.tacv2']],
        ['e', ['19:e-seen@thread.tacv2']],
      ]),
  } as unknown as ChatConversations;
  const asked: string[] = [];
  let joined: string[] | undefined = ['a', 'b', 'd', 'e', 'not-loupes'];
  const graph = {
    joinedTeams: async () => joined,
    teamOwners: async (team: string) => {
      asked.push(team);
      if (team === 'e') throw new Error('HTTP 403');
      return team === 'd' ? ['someone-else'] : [OWNER];
    },
    // Graph lists standard channels only (the private one Loupe saw is not the owner's to run).
    teamChannels: async (team: string) => (team === 'a' ? ['19:a-general@thread.tacv2', '19:a-seen@thread.tacv2', '19:a-new@thread.tacv2'] : team === 'b' ? undefined : ['19:other@thread.tacv2']),
  } as unknown as Graph;
  const directory = teamsDirectory({ teams, graph, framework: {} as BotFramework, conversations });

  it('is every standard channel of the teams they own, asking only about their own teams, whatever one team’s answer', async () => {
    expect(await directory.channelsAdministered!('w', OWNER.toUpperCase())).toEqual(['19:a-general@thread.tacv2', '19:a-new@thread.tacv2', '19:a-seen@thread.tacv2', '19:b-seen@thread.tacv2']);
    expect(asked.sort()).toEqual(['a', 'b', 'd', 'e']);
  });

  it('is nothing for someone who owns no team, or when Graph will not say which teams they are in', async () => {
    expect(await directory.channelsAdministered!('w', '6f1a0c1e-0003-4a5b-9c01-000000000003')).toEqual([]);
    joined = undefined;
    expect(await directory.channelsAdministered!('w', OWNER)).toEqual([]);
  });
});
