// Who and where: the methods Loupe uses to learn about the workspace, its
// people (for the audit trail and for telling admins from clinicians) and its
// channels (to spot Slack Connect channels it cannot clean up).
import { EXTERNAL_TEAM_ID } from './defaults.js';
import { fail, ok, type Method } from './method.js';
import { botUserObject, channelObject, userObject } from './objects.js';
import { str } from './params.js';

const authTest: Method = ({ state, caller }) => {
  const user = caller.kind === 'bot' ? 'loupe' : (state.users.get(caller.userId)?.name ?? '');
  return ok({
    url: `${state.origin}/`,
    team: 'Loupe Demo Hospital',
    user,
    team_id: state.teamId,
    user_id: caller.userId,
    ...(caller.kind === 'bot' ? { bot_id: state.botId } : {}),
    is_enterprise_install: false,
  });
};

const teamInfo: Method = ({ state, params }) => {
  const team = str(params, 'team') ?? state.teamId;
  if (team === state.teamId) {
    return ok({ team: { id: team, name: 'Loupe Demo Hospital', domain: 'loupe-demo', email_domain: 'hospital.example', icon: { image_default: true } } });
  }
  if (team === EXTERNAL_TEAM_ID) {
    return ok({ team: { id: team, name: 'Partner Clinic', domain: 'partner-clinic', email_domain: '', icon: { image_default: true } } });
  }
  return fail('team_not_found');
};

const usersInfo: Method = ({ state, params }) => {
  const id = str(params, 'user');
  if (id === state.botUserId) return ok({ user: botUserObject(state) });
  const user = id === undefined ? undefined : state.users.get(id);
  return user ? ok({ user: userObject(state, user) }) : fail('user_not_found');
};

// One page always: the demo's people are few, and an empty next_cursor is how Slack says there is no more.
const usersList: Method = ({ state }) => ok({ members: [botUserObject(state), ...[...state.users.values()].map((u) => userObject(state, u))], response_metadata: { next_cursor: '' } });

// Slack matches the address case-insensitively; users from other organisations are not found.
const usersLookupByEmail: Method = ({ state, params }) => {
  const email = (str(params, 'email') ?? '').toLowerCase();
  const user = [...state.users.values()].find((u) => !u.external && u.email.toLowerCase() === email);
  return user ? ok({ user: userObject(state, user) }) : fail('users_not_found');
};

const conversationsInfo: Method = ({ state, caller, params }) => {
  const channel = state.channels.get(str(params, 'channel') ?? '');
  return channel ? ok({ channel: channelObject(state, channel, caller.userId) }) : fail('channel_not_found');
};

// One page always: demo channels are small, and an empty next_cursor is how
// Slack says there is no more.
const conversationsMembers: Method = ({ state, params }) => {
  const channel = state.channels.get(str(params, 'channel') ?? '');
  return channel ? ok({ members: [...channel.members], response_metadata: { next_cursor: '' } }) : fail('channel_not_found');
};

export const directoryMethods: Record<string, Method> = {
  'auth.test': authTest,
  'team.info': teamInfo,
  'users.info': usersInfo,
  'users.list': usersList,
  'users.lookupByEmail': usersLookupByEmail,
  'conversations.info': conversationsInfo,
  'conversations.members': conversationsMembers,
};
