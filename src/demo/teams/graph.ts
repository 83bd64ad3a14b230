// Microsoft Graph, base '<graph origin>/v1.0': shared files by their
// SharePoint address (answered with a redirect to a pre-authenticated
// download, as Graph does), team membership with owners, and users.
import { createHash } from 'node:crypto';
import { fail, route, send, type Route } from './http.js';
import { graphMessageRoutes } from './graph-messages.js';
import type { TeamsState } from './state.js';

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

export function graphRoutes(state: TeamsState): Route[] {
  return [
    route('GET', '/v1.0/shares/:share/driveItem/content', (ctx) => {
      let fileId: string | undefined;
      try {
        fileId = sharedFile(state, ctx.params['share'] ?? '');
      } catch {
        fileId = undefined;
      }
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
    route('GET', '/v1.0/users/:user', (ctx) => {
      const u = state.user(ctx.params['user'] ?? '');
      if (!u || ctx.params['user']?.startsWith('29:')) return fail(ctx.res, 404, 'Request_ResourceNotFound', 'Resource does not exist.');
      send(ctx.res, 200, { id: u.aadObjectId, displayName: u.name, mail: u.email, userPrincipalName: u.email });
    }),
    ...graphMessageRoutes(state),
  ];
}
