// GET /files-pri/<team>-<file>/<name>: Slack's private file hosting. Slack
// does not answer an unauthenticated download with 401 but with a redirect to
// its sign-in page, so a downloader that follows redirects gets HTML with
// status 200; the stand-in does the same so Loupe must check what it got.
import express, { type Request, type Response, type Router } from 'express';
import { bearerToken } from './web-api.js';
import type { StandInState } from './state.js';

const LOGIN_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in | Slack</title></head>
<body><h1>Sign in to your workspace</h1><form method="post"><input type="email" name="email"><button>Sign in</button></form></body></html>
`;

export function filesRouter(state: StandInState): Router {
  const router = express.Router();
  router.get('/files-pri/:slug/*rest', (req: Request<{ slug: string; rest: string[] }>, res: Response) => {
    const token = bearerToken(req);
    const fileId = fileIdFrom(state, req.params.slug);
    state.calls.push({
      method: 'files.download',
      url: req.originalUrl,
      token,
      contentType: req.get('content-type') ?? '',
      rawBody: '',
      params: fileId ? { file: fileId } : {},
      at: state.now(),
    });
    if (!state.callerFor(token)) {
      res.redirect(302, `/?redir=${encodeURIComponent(req.path)}`);
      return;
    }
    const file = fileId ? state.files.get(fileId) : undefined;
    if (!file || file.deleted) {
      res.status(404).type('text/plain').send('File not found');
      return;
    }
    if (req.params.rest[0] === 'download') res.attachment(file.name);
    res.type(file.mimetype).send(file.bytes);
  });
  // An upload URL from files.getUploadURLExternal: the bytes, raw or as a multipart form's file (as @slack/web-api sends them). The URL is the credential.
  router.post('/upload/v1/:id', express.raw({ type: () => true, limit: '50mb' }), async (req: Request<{ id: string }>, res: Response) => {
    const pending = state.pendingUploads.get(req.params.id);
    if (!pending) return void res.status(404).type('text/plain').send('Not found');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = req.get('content-type') ?? '';
    const bytes = type.startsWith('multipart/form-data') ? await formFile(raw, type) : raw;
    if (!bytes) return void res.status(400).type('text/plain').send('No file');
    pending.bytes = bytes;
    res.type('text/plain').send(`OK - ${bytes.length}`);
  });
  router.get('/', (_req, res) => {
    res.type('text/html').send(LOGIN_PAGE);
  });
  return router;
}

/** The first file in a multipart form, read by the platform's own form parser. */
async function formFile(raw: Buffer, contentType: string): Promise<Buffer | undefined> {
  const form = await new globalThis.Request('http://stand-in/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData().catch(() => undefined);
  const file = [...(form?.values() ?? [])].find((v) => typeof v !== 'string');
  return file && typeof file !== 'string' ? Buffer.from(await file.arrayBuffer()) : undefined;
}

function fileIdFrom(state: StandInState, slug: string): string | undefined {
  const prefix = `${state.teamId}-`;
  return slug.startsWith(prefix) ? slug.slice(prefix.length) : undefined;
}
