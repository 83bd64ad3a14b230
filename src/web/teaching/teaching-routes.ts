// A teaching share's link: /teach/<token>, after hospital sign-in (the
// viewer's sign-in and session), a page showing only the de-identified image
// (no patient, no consult, no way to the original), and the image itself.
// Every request is decided and audited by the open-teaching-share use case.
import express, { type Request, type Response, type Router } from 'express';
import { openTeachingShare, type OpenTeachingShareResult, type TeachingViewRequest } from '../../app/teaching/open-teaching-share.js';
import { TEACHING_PATH, type TeachingDeps } from '../../app/teaching/teaching-deps.js';
import type { ViewerSessions } from '../../storage/viewer-sessions.js';
import { html } from '../html.js';
import { sessionCookie, signInPath } from '../viewer/http.js';
import { noticeHtml, type Notice } from '../design/notice.js';
import { sitePage } from '../design/site-page.js';

export interface TeachingRouteDeps {
  teaching: TeachingDeps;
  sessions: ViewerSessions;
}

const REFUSED: Record<Extract<OpenTeachingShareResult, { outcome: 'refused' }>['reason'], { status: number; notice: Notice }> = {
  share_expired: { status: 410, notice: { title: 'This teaching link has expired', message: 'Ask whoever shared it to share it again if you still need it.' } },
  share_revoked: { status: 403, notice: { title: 'This teaching link was revoked', message: 'Whoever shared it, or an administrator, ended it.' } },
  asset_gone: { status: 410, notice: { title: 'This image no longer exists', message: 'The image was deleted or revoked, and its teaching copy with it.' } },
  consent_missing: { status: 403, notice: { title: 'Not covered by the patient’s consent', message: 'The patient’s recorded consent no longer allows this image to be used for teaching.' } },
  consent_refused: { status: 403, notice: { title: 'Not covered by the patient’s consent', message: 'The patient’s recorded consent no longer allows this image to be used for teaching.' } },
};

export function teachingRouter(d: TeachingRouteDeps): Router {
  const router = express.Router();
  const open = (req: Request<{ token: string }>, request: TeachingViewRequest) =>
    openTeachingShare({ ...d.teaching, sessions: d.sessions }, { token: req.params.token, sessionToken: sessionCookie(req), request });
  /** Answers everything but an allowed request; true when it did. */
  const answered = (res: Response, token: string, result: OpenTeachingShareResult): boolean => {
    if (result.outcome === 'allowed') return false;
    if (result.outcome === 'sign_in') res.redirect(302, signInPath(`${TEACHING_PATH}${token}`));
    else if (result.outcome === 'unknown') res.status(404).type('html').send(noticeHtml({ title: 'Link not found', message: 'This link does not lead to anything in Loupe.' }, { status: 404 }));
    else res.status(REFUSED[result.reason].status).type('html').send(noticeHtml(REFUSED[result.reason].notice, { status: REFUSED[result.reason].status }));
    return true;
  };

  router.get(`${TEACHING_PATH}:token`, async (req: Request<{ token: string }>, res: Response) => {
    const result = await open(req, 'page');
    if (answered(res, req.params.token, result) || result.outcome !== 'allowed') return;
    const until = result.expiresAt.toISOString().slice(0, 16).replace('T', ' ');
    const body = html`<h1>Teaching image</h1>
<p>A de-identified copy shared for teaching, with the patient’s consent, until ${until} UTC. Do not try to identify the patient.</p>
<img id="teaching-image" src="${TEACHING_PATH}${req.params.token}/image" alt="De-identified teaching image">`;
    res.type('html').send(sitePage({ title: 'Teaching image', body, who: result.who, mainClass: 'teaching', stylesheet: '/viewer/viewer.css' }));
  });

  router.get(`${TEACHING_PATH}:token/image`, async (req: Request<{ token: string }>, res: Response) => {
    const result = await open(req, 'image');
    if (result.outcome === 'sign_in') return void res.status(401).end();
    if (answered(res, req.params.token, result) || result.outcome !== 'allowed' || !result.image) return;
    const { mediaType, body } = result.image;
    res.type(mediaType);
    body.on('error', () => res.destroy());
    body.pipe(res);
  });

  return router;
}
