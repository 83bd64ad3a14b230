// SharePoint's download host: a pre-authenticated link (tempauth in the
// query) is all it takes, so no Authorization header is needed or wanted.
import { fail, route, send, type Route } from './http.js';
import type { TeamsState } from './state.js';

export function filesRoutes(state: TeamsState): Route[] {
  return [
    route('GET', '/download/:file', (ctx) => {
      const file = state.files.get(ctx.params['file'] ?? '');
      if (!file || !state.tempauthValid(file.id, ctx.query.get('tempauth'))) {
        return fail(ctx.res, 401, 'unauthenticated', 'The request is not authenticated.');
      }
      ctx.res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(file.name)}"`);
      send(ctx.res, 200, file.bytes, file.contentType);
    }),
  ];
}
