// A local Microsoft Teams for demo mode and the test suite: point the Teams
// adapter's token endpoint, OpenID metadata and Graph base at it, then drive
// it as users would.
export { TeamsStandIn } from './server.js';
export type { Origins } from './state.js';
export type {
  Activity,
  Attachment,
  AuthKind,
  ConversationType,
  Delivery,
  Host,
  Invoke,
  Place,
  Posted,
  PostFile,
  PostFiles,
  PostText,
  RecordedCall,
  TeamsChannel,
  TeamsDirectory,
  TeamsGroupChat,
  TeamsMessage,
  TeamsStandInOptions,
  TeamsTeam,
  TeamsUser,
} from './types.js';
export { TEAMS_DEMO_GROUP_CHAT, TEAMS_DEMO_TEAM, TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_USERS, teamsDemoDirectory } from './directory.js';
