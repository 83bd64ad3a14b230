// Microsoft Graph, base '<graph origin>/v1.0': shared files by their
// SharePoint address (answered with a redirect to a pre-authenticated
// download, as Graph does), team membership with owners, and users.
import { createHash } from 'node:crypto';
import { fail, route, send, type Route } from './http.js';
import { graphMessageRoutes } from './graph-messages.js';
import { teamDrive, userDrive, type TeamsState } from './state.js';

/** The file a sharing id ('u!' + unpadded base64url of its URL) names. */
function sharedFile(state: TeamsState, shareId: string): string | undefined {
  if (!shareId.startsWith('u!')) return undefined;
  const url = Buffer.from(shareId.slice(2), 'base64url').toString('utf8');
  const alike = (a: string): string => decodeURI(a);
  for (const f of state.files.values()) if (f.webUrl === url || alike(f.webUrl) === alike(url)) return f.id;
  return undefined;
}

/** Graph's membership ids are opaque; a stable hash keeps them so without exposing anything. */
function membershipId(groupId: string, userId: string): string {
  return createHash('sha256').update(`${groupId}|${userId}`).digest('base64url');
}

function sharedFileOf(state: TeamsState, share: string): string | undefined {
  try {
    return sharedFile(state, share);
  } catch {
    return undefined;
  }
}

export function graphRoutes(state: TeamsState): Route[] {
  return [
    // The item behind a sharing URL: where it lives (drive and folder) and its size.
    route('GET', '/v1.0/shares/:share/driveItem', (ctx) => {
      const file = state.files.get(sharedFileOf(state, ctx.params['share'] ?? '') ?? '');
      if (!file) return fail(ctx.res, 404, 'itemNotFound', 'The resource could not be found.');
      send(ctx.res, 200, { id: file.id, name: file.name, size: file.bytes.length, parentReference: { driveId: file.driveId, path: file.folderPath } });
    }),
    // A channel's folder in its team's document library.
    route('GET', '/v1.0/teams/:g/channels/:c/filesFolder', (ctx) => {
      const team = state.dir.teams.find((t) => t.aadGroupId === ctx.params['g']);
      const channel = team?.channels.find((c) => c.id === ctx.params['c']);
      if (!team || !channel) return fail(ctx.res, 404, 'NotFound', 'Channel not found.');
      const driveId = teamDrive(team.aadGroupId);
      send(ctx.res, 200, { id: `folder-${channel.id}`, name: channel.name, parentReference: { driveId, path: `/drives/${driveId}/root:` } });
    }),
    // A user's OneDrive, where files they share in chats live.
    route('GET', '/v1.0/users/:user/drive', (ctx) => {
      const u = state.user(ctx.params['user'] ?? '');
      if (!u) return fail(ctx.res, 404, 'Request_ResourceNotFound', 'Resource does not exist.');
      send(ctx.res, 200, { id: userDrive(u.aadObjectId), driveType: 'business' });
    }),
    route('GET', '/v1.0/shares/:share/driveItem/content', (ctx) => {
      const fileId = sharedFileOf(state, ctx.params['share'] ?? '');
      if (!fileId) return fail(ctx.res, 404, 'itemNotFound', 'The resource could not be found.');
      ctx.res.writeHead(302, { Location: state.downloadUrl(fileId) }).end();
    }),
    route('GET', '/v1.0/teams/:g/members', (ctx) => {
      const team = state.dir.teams.find((t) => t.aadGroupId === ctx.params['g']);
      if (!team) return fail(ctx.res, 404, 'NotFound', 'No team found with Group Id.');
      const value = team.members.flatMap((id) => {
        const u = state.user(id);
        if (!u) return [];
        const roles = team.owners.includes(u.aadObjectId) ? ['owner'] : [];
        return [{ '@odata.type': '#microsoft.graph.aadUserConversationMember', id: membershipId(team.aadGroupId, u.aadObjectId), roles, displayName: u.name, userId: u.aadObjectId, email: u.email, tenantId: state.o.tenantId }];
      });
      send(ctx.res, 200, { value });
    }),
    route('GET', '/v1.0/teams/:g/channels', (ctx) => {
      const team = state.dir.teams.find((t) => t.aadGroupId === ctx.params['g']);
      if (!team) return fail(ctx.res, 404, 'NotFound', 'No team found with Group Id.');
      // The General channel's id is the team's own; then the others.
      const channels = [{ id: team.id, displayName: 'General' }, ...team.channels.map((c) => ({ id: c.id, displayName: c.name }))];
      send(ctx.res, 200, { value: channels.map((c) => ({ ...c, membershipType: 'standard' })) });
    }),
    route('GET', '/v1.0/users/:user/joinedTeams', (ctx) => {
      const u = state.user(ctx.params['user'] ?? '');
      if (!u) return fail(ctx.res, 404, 'Request_ResourceNotFound', 'Resource does not exist.');
      send(ctx.res, 200, { value: state.dir.teams.filter((t) => t.members.includes(u.aadObjectId)).map((t) => ({ id: t.aadGroupId, displayName: t.name })) });
    }),
    route('GET', '/v1.0/users/:user', (ctx) => {
      const u = state.user(ctx.params['user'] ?? '');
      if (!u || ctx.params['user']?.startsWith('29:')) return fail(ctx.res, 404, 'Request_ResourceNotFound', 'Resource does not exist.');
      send(ctx.res, 200, { id: u.aadObjectId, displayName: u.name, mail: u.email, userPrincipalName: u.email });
    }),
    ...graphMessageRoutes(state),
  ];
}
