// A local Slack for demo mode and the test suite: point Bolt's receiver and
// WebClient (slackApiUrl) at it, then drive it as users would.
export { SlackStandIn, type DeliverOptions, type FilesUpload, type Upload } from './server.js';
export type { Delivery } from './delivery.js';
export type { SlashCommand } from './interactions.js';
export { slackSignature, signedHeaders } from './signing.js';
export type { RecordedCall, SlackStandInOptions, StandInChannel, StandInFile, StandInMessage, StandInUser } from './types.js';
export { DEFAULT_TEAM_ID, DEMO_USERS, demoChannels } from './defaults.js';
