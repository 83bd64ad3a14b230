// /patient/<token>: a patient's own access. The link asks for the one-time
// code; the right code sets a session cookie (HttpOnly, SameSite=Strict,
// Secure where Loupe's address is not this machine, path /patient) bound to
// the link. Every request is decided and audited by the use case; nothing
// here knows who the patient is, and nothing identifying is in a URL (asset
// ids are Loupe's own).
import express, { type Request, type Response, type Router } from 'express';
import { parse } from 'cookie';
import { endPatientSession, enterPatientCode, openPatientLink, patientImages, patientReport, patientRequest, readPatientBlob, type PatientAccessDeps, type PatientAnswer } from '../../app/patient-access/patient-session.js';
import type { LinkRefusal, SessionRefusal } from '../../core/patient-access/rules.js';
import { MAX_WRONG_CODES } from '../../core/patient-access/rules.js';
import { sameOrigin, secureCookies } from '../viewer/http.js';
import { codePage, imagesPage, PATIENT_CSS, patientNotice } from './page.js';

export interface PatientRoutesDeps extends PatientAccessDeps {
  publicUrl: URL;
}

const COOKIE = 'loupe_patient';
const COOKIE_PATH = '/patient';

const ENDED: Record<LinkRefusal | SessionRefusal, [number, string, string]> = {
  revoked: [403, 'This link was withdrawn', 'The hospital withdrew this link. Contact them if you still need your images.'],
  expired: [410, 'This link has expired', 'Ask the hospital for a new link if you still need your images.'],
  locked: [403, 'This link is locked', `The code was entered wrongly ${MAX_WRONG_CODES} times, so the link no longer opens. Ask the hospital for a new link.`],
  code_used: [403, 'This code was already used', 'The code opens your images once. Ask the hospital for a new link to see them again.'],
  session_idle: [401, 'Your session ended', 'It was left unused for 15 minutes. The code works once: ask the hospital for a new link to see your images again.'],
  session_ended: [401, 'Your session ended', 'The code works once: ask the hospital for a new link to see your images again.'],
};

export function patientRouter(d: PatientRoutesDeps): Router {
  const router = express.Router();
  const secure = secureCookies(d.publicUrl);
  const cookieOf = (req: Request) => (req.headers.cookie ? parse(req.headers.cookie)[COOKIE] : undefined);
  const notice = (res: Response, status: number, title: string, message: string) => void res.status(status).type('html').send(patientNotice(title, message));
  const ended = (res: Response, reason: LinkRefusal | SessionRefusal) => notice(res, ...ENDED[reason]);

  router.get('/patient/patient.css', (_req, res) => void res.type('css').send(PATIENT_CSS));
  router.use('/patient', express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }));

  /** A session request decided; anything but an allowed one is answered here. */
  async function decided(req: Request, res: Response, ask: Parameters<typeof patientRequest>[1]['ask']): Promise<Extract<PatientAnswer, { outcome: 'allowed' }> | undefined> {
    const answer = await patientRequest(d, { sessionToken: cookieOf(req), ask, requestId: String(req.id) });
    if (answer.outcome === 'allowed') return answer;
    if (answer.outcome === 'no_session') return notice(res, 401, 'Not signed in', 'Open the link the hospital gave you and enter your code.');
    if (answer.outcome === 'not_found') return notice(res, 404, 'Not found', 'There is no such image among yours.');
    return ended(res, answer.reason);
  }

  router.get('/patient/images', async (req, res) => {
    const ok = await decided(req, res, { what: 'list' });
    if (!ok) return;
    const images = await patientImages(d, ok.session);
    const report = await patientReport(d, ok.session, String(req.id));
    res.type('html').send(await imagesPage(images, report, ok.session.endsAt));
  });

  for (const what of ['photo', 'preview', 'original'] as const) {
    router.get(`/patient/images/:assetId/${what}`, async (req: Request<{ assetId: string }>, res: Response) => {
      const ok = await decided(req, res, { what, assetId: req.params.assetId });
      if (!ok) return;
      const blob = await readPatientBlob(d, ok.session, req.params.assetId, what, String(req.id));
      if (!blob) return notice(res, 404, 'Not found', 'This image has no such file.');
      res.type(what === 'original' ? 'application/dicom' : blob.mediaType).set('Content-Length', String(blob.size));
      if (what === 'original') res.attachment(`image-${ok.asset!.storedAt.toISOString().slice(0, 10)}-${ok.asset!.id.slice(0, 8)}.dcm`);
      blob.body.on('error', () => res.destroy());
      blob.body.pipe(res);
    });
  }

  router.post('/patient/sign-out', async (req, res) => {
    if (!sameOrigin(req, d.publicUrl)) return notice(res, 403, 'Refused', 'That request did not come from Loupe.');
    await endPatientSession(d, cookieOf(req), String(req.id));
    res.clearCookie(COOKIE, { httpOnly: true, secure, sameSite: 'strict', path: COOKIE_PATH });
    notice(res, 200, 'Signed out', 'You are signed out. The code works once: ask the hospital for a new link to see your images again.');
  });

  router.get('/patient/:token', async (req: Request<{ token: string }>, res: Response) => {
    const answer = await openPatientLink(d, req.params.token, String(req.id));
    if (answer.outcome === 'unknown') return notice(res, 404, 'Link not found', 'This link does not lead to anything in Loupe. Check that it was copied whole.');
    if (answer.outcome === 'refused') return ended(res, answer.reason);
    res.type('html').send(codePage());
  });

  router.post('/patient/:token', async (req: Request<{ token: string }>, res: Response) => {
    if (!sameOrigin(req, d.publicUrl)) return notice(res, 403, 'Refused', 'That request did not come from Loupe.');
    const code = typeof req.body?.code === 'string' ? req.body.code : '';
    const answer = await enterPatientCode(d, { token: req.params.token, code, requestId: String(req.id) });
    if (answer.outcome === 'unknown') return notice(res, 404, 'Link not found', 'This link does not lead to anything in Loupe. Check that it was copied whole.');
    if (answer.outcome === 'refused') return ended(res, answer.reason);
    if (answer.outcome === 'wrong') {
      return void res.status(401).type('html').send(codePage(`That code is not right. ${answer.triesLeft} ${answer.triesLeft === 1 ? 'try is' : 'tries are'} left before the link locks.`));
    }
    res.cookie(COOKIE, answer.sessionToken, { httpOnly: true, secure, sameSite: 'strict', path: COOKIE_PATH, expires: answer.endsAt });
    res.redirect(303, '/patient/images');
  });

  return router;
}
