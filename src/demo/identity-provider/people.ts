// The demo hospital's directory: the Slack stand-in's invented clinicians
// (same emails, so Loupe can link the two identities; the Teams stand-in's
// object ids, as Entra ID would give them) and one visitor with no chat
// account, to show what happens when no link exists. Every name is invented.
import { TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_USERS } from '../teams/directory.js';
import type { DemoPerson } from './types.js';

export const DEMO_PASSWORD = 'demo';
export const DEFAULT_ONE_TIME_CODE = '123456';
/** The demo hospital's group of privacy officers: the demo's console names it (LOUPE_PRIVACY_OFFICER_GROUPS). */
export const DEMO_PRIVACY_OFFICERS = 'loupe-privacy-officers';

const PEOPLE: DemoPerson[] = [
  { sub: 'hosp-0001', email: 'amara.okafor@hospital.example', name: 'Dr Amara Okafor', password: DEMO_PASSWORD, hasSecondFactor: true },
  { sub: 'hosp-0002', email: 'li.wei@hospital.example', name: 'Dr Li Wei', password: DEMO_PASSWORD, hasSecondFactor: false },
  { sub: 'hosp-0003', email: 'sam.rivera@hospital.example', name: 'Sam Rivera', password: DEMO_PASSWORD, hasSecondFactor: false },
  { sub: 'hosp-0004', email: 'jordan.ellis@hospital.example', name: 'Jordan Ellis', password: DEMO_PASSWORD, hasSecondFactor: true },
  { sub: 'hosp-0005', email: 'noor.haddad@hospital.example', name: 'Noor Haddad', password: DEMO_PASSWORD, hasSecondFactor: true, groups: [DEMO_PRIVACY_OFFICERS] },
  { sub: 'hosp-0900', email: 'visitor@hospital.example', name: 'Alex Visitor', password: DEMO_PASSWORD, hasSecondFactor: false },
];

const objectIdOf = (email: string) => Object.values(TEAMS_DEMO_USERS).find((u) => u.email === email)?.aadObjectId;

export const DEMO_PEOPLE: DemoPerson[] = PEOPLE.map((p) => {
  const objectId = objectIdOf(p.email);
  return objectId ? { ...p, objectId, tenantId: TEAMS_DEMO_TENANT_ID } : p;
});
