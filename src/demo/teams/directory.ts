// The demo directory: a hospital's consult team, its two channels and a ward
// huddle. Every name is invented; the object ids are fixed because demo set-up
// and tests elsewhere refer to them.
import type { TeamsDirectory, TeamsUser } from './types.js';

export const TEAMS_DEMO_TENANT_ID = '0f7c5d1e-7a10-4c55-9b3e-000000000001';

export const TEAMS_DEMO_USERS = {
  amara: { aadObjectId: '6f1a0c1e-0001-4a5b-9c01-000000000001', id: '29:1amara', name: 'Dr Amara Okafor', email: 'amara.okafor@hospital.example' },
  liWei: { aadObjectId: '6f1a0c1e-0002-4a5b-9c01-000000000002', id: '29:1liwei', name: 'Dr Li Wei', email: 'li.wei@hospital.example' },
  sam: { aadObjectId: '6f1a0c1e-0003-4a5b-9c01-000000000003', id: '29:1sam', name: 'Sam Rivera', email: 'sam.rivera@hospital.example' },
  jordan: { aadObjectId: '6f1a0c1e-0004-4a5b-9c01-000000000004', id: '29:1jordan', name: 'Jordan Ellis', email: 'jordan.ellis@hospital.example' },
} as const satisfies Record<string, TeamsUser>;

export const TEAMS_DEMO_TEAM = {
  id: '19:consults-team@thread.tacv2',
  aadGroupId: '6f1a0c1e-7eae-4a5b-9c01-00000000c0de',
  name: 'Consults',
  channels: {
    wound: { id: '19:wound-consult@thread.tacv2', name: 'Wound consult' },
    radiology: { id: '19:radiology-consult@thread.tacv2', name: 'Radiology consult' },
  },
} as const;

export const TEAMS_DEMO_GROUP_CHAT = { id: '19:ward7-huddle@thread.v2', topic: 'Ward 7 huddle' } as const;

/** A fresh copy each time, so one stand-in's changes never leak into another's. */
export function teamsDemoDirectory(): TeamsDirectory {
  const u = TEAMS_DEMO_USERS;
  return {
    users: Object.values(u).map((x) => ({ ...x })),
    teams: [
      {
        id: TEAMS_DEMO_TEAM.id,
        aadGroupId: TEAMS_DEMO_TEAM.aadGroupId,
        name: TEAMS_DEMO_TEAM.name,
        channels: Object.values(TEAMS_DEMO_TEAM.channels).map((c) => ({ ...c })),
        members: Object.values(u).map((x) => x.aadObjectId),
        owners: [u.jordan.aadObjectId],
      },
    ],
    groupChats: [{ ...TEAMS_DEMO_GROUP_CHAT, members: [u.amara.aadObjectId, u.liWei.aadObjectId, u.sam.aadObjectId] }],
  };
}
