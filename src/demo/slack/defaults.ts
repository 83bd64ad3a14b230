// A small demo workspace, so `npm start` in demo mode and tests that do not
// care about the directory need no set-up. Every name is invented.
import type { StandInChannel, StandInUser } from './types.js';

export const DEFAULT_TEAM_ID = 'T0LOUPE';
export const DEFAULT_BOT_USER_ID = 'U0LOUPEBOT';
/** The home workspace of Slack Connect users; any id other than ours would do. */
export const EXTERNAL_TEAM_ID = 'T0PARTNER';
export const APP_ID = 'A0LOUPEAPP';
export const BOT_ID = 'B0LOUPEBOT';

export const DEMO_USERS: readonly StandInUser[] = [
  { id: 'U0CLIN0001', name: 'amara.okafor', realName: 'Dr Amara Okafor', email: 'amara.okafor@hospital.example', tz: 'Europe/London' },
  { id: 'U0CLIN0002', name: 'li.wei', realName: 'Dr Li Wei', email: 'li.wei@hospital.example', tz: 'Europe/London' },
  { id: 'U0NURSE001', name: 'sam.rivera', realName: 'Sam Rivera', email: 'sam.rivera@hospital.example', tz: 'Europe/Dublin' },
  { id: 'U0ADMIN001', name: 'jordan.ellis', realName: 'Jordan Ellis', email: 'jordan.ellis@hospital.example', tz: 'Europe/London', isAdmin: true, isOwner: true },
  { id: 'U0EXTERN01', name: 'kai.moreau', realName: 'Dr Kai Moreau', email: 'kai.moreau@partner-clinic.example', tz: 'Europe/Paris', external: true },
];

/** Only the partner channel is shared with the external user, as Slack Connect channels are. */
export function demoChannels(botUserId: string): StandInChannel[] {
  const internal = DEMO_USERS.filter((u) => !u.external).map((u) => u.id);
  return [
    { id: 'C0WOUNDS01', name: 'wound-consult', members: [...internal, botUserId] },
    { id: 'C0RADIOL01', name: 'radiology-consult', members: [...internal, botUserId] },
    { id: 'C0PARTNER1', name: 'partner-referrals', members: [...DEMO_USERS.map((u) => u.id), botUserId] },
  ];
}

/**
 * Slack still puts its deprecated verification token in every payload; Bolt
 * ignores it in favour of the signature. A fixed value: it guards nothing.
 */
export const VERIFICATION_TOKEN = 'standin-verification-token';
