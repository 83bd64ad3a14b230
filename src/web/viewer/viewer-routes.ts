// The viewer: /view/<token> (the card's link) and the session-bound API its
// page reads. Each request is decided by the authorize-view use case (an
// allowing decision for a session's image audited once per window); pixels
// and patient data never travel without a live session and an allowing
// decision, what was decrypted or decoded is kept a minute in memory for the
// image's other viewers and frames (recent-views.ts), and
// nothing is cacheable. There is no download endpoint: the original file is
// decoded in the imaging sandbox and only its pixels (or a photo's cleaned
// copy) leave.
import type { DetailsResponse, FrameHeaders, InfoResponse, SeriesItem, SeriesResponse, SessionResponse, StatusResponse } from './api-types.js';
import { AHEAD_HEADER } from './api-types.js';
import express, { type Request, type Response, type Router } from 'express';
import { authorizeView, viewDecisionsFollowing, type ViewAuthorization, type ViewerContext, type ViewRequestKind } from '../../app/viewer/authorize-view.js';
import { readClinicalQuestion } from '../../app/viewer/read-clinical-question.js';
import { requestBreakGlass } from '../../app/viewer/request-break-glass.js';
import type { Clock } from '../../core/clock.js';
import { describeError, ErrorCode, isLoupeError, LoupeError } from '../../core/errors.js';
import type { ImagingLimits } from '../../imaging/limits.js';
import { stackLength, stackPosition, studyOf, type StudySeries } from '../../intake/study-summary.js';
import type { ImagingSandbox } from '../../imaging/sandbox/sandbox.js';
import type { FramePixels } from '../../imaging/dicom/frame-pixels.js';
import { dicomDate, patientSex, personName, studyFields } from '../../imaging/view/human-form.js';
import type { ViewFacts, ViewInfo } from '../../imaging/view/instance-view.js';
import type { Logger } from '../../logging.js';
import type { Storage } from '../../storage/services.js';
import type { SessionState, ViewerSessions } from '../../storage/viewer-sessions.js';
import type { ViewerDirectory } from '../../app/ports/viewer-directory.js';
import { logQuietly } from '../http-app.js';
import { sameOrigin, sessionCookie, signInPath } from './http.js';
import { InstanceViews, type OriginalSource } from './instance-views.js';
import { noticeHtml, type Notice } from '../design/notice.js';
import { VIEWER_CSS, viewerHtml, viewerScripts } from './page.js';
import { pageStatus, type PageStatus } from './page-status.js';
import { RecentViews } from './recent-views.js';
import { chosenSeries, seriesLabel } from './study-stack.js';

export interface ViewerDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  sessions: ViewerSessions;
  directory: ViewerDirectory;
  limits: ImagingLimits;
  /** Decodes the originals the viewer shows, off the server's event loop. */
  sandbox: ImagingSandbox;
  publicUrl: URL;
  breakGlassMinutes: number;
  /** The acr value the provider uses for multi-factor sign-in. */
  mfaAcr: string;
}

/** What the sandbox says of a file it cannot show: the frame is unavailable, not the server broken. */
const IMAGE_FAILURES: ErrorCode[] = [
  ErrorCode.ImageCorrupt,
  ErrorCode.ImageUnsupported,
  ErrorCode.ImageBudgetExceeded,
  ErrorCode.ImageTooLarge,
  ErrorCode.ImageTooManyPixels,
  ErrorCode.ImageTooManyFrames,
  ErrorCode.InvalidInput,
];
const imageFailure = (error: unknown): ErrorCode | undefined => (isLoupeError(error) && IMAGE_FAILURES.includes(error.code) ? error.code : undefined);
/** A minute of the last 256 MiB decrypted or decoded (see recent-views.ts). */
const RECENT_BYTES = 256 * 1024 * 1024;
const RECENT_MS = 60_000;
const sized = (data: Buffer) => ({ data, bytes: data.length });
const siblingOf = (req: Request): string | undefined => (typeof req.query['asset'] === 'string' ? req.query['asset'] : undefined);
/** What the sandbox decodes for a request, and the key it (and the minute's memory) holds it under. */
type Held = { key: string; source: () => Promise<OriginalSource> };
/** For a study: the series `series=` names (undefined when it names none: 404); null for any other asset. */
const stackOf = (req: Request, asset: { kind: string | null; metadata: unknown }): { index: number; series: StudySeries } | null | undefined => {
  if (asset.kind !== 'dicom_study') return null;
  const study = studyOf(asset);
  return study && chosenSeries(study, req.query['series']);
};

export function viewerRouter(d: ViewerDeps): Router {
  const router = express.Router();
  const { storage } = d;
  const assets = storage.viewer.assets;
  // A consent recorded, changed or withdrawn takes effect at the next request of an open page, not a window later.
  const decisions = viewDecisionsFollowing(storage.consentChanges, d.clock);
  const ctx: ViewerContext = { storage, sessions: d.sessions, directory: d.directory, clock: d.clock, mfaAcr: d.mfaAcr, decisions };
  const authorize = (req: Request<{ token: string }>, request: ViewRequestKind, siblingAssetId?: string): Promise<ViewAuthorization> =>
    authorizeView({ ...ctx, sessionToken: sessionCookie(req), token: req.params.token, siblingAssetId, request });
  const views = new InstanceViews(d.sandbox, d.limits);
  // A minute of the last 256 MiB read or decoded: the viewers of one card, and its frames, read and decode it once.
  const recent = new RecentViews(RECENT_BYTES, RECENT_MS, () => d.clock.now().getTime());
  // A refusal names who is signed in (so a person signed in as someone else sees it) and offers sign-out.
  const page = (res: Response, status: number, notice: Notice, session?: SessionState): void => {
    const who = session?.state === 'active' ? session.identity.displayName : undefined;
    res.status(status).type('html').send(noticeHtml(notice, { status, who }));
  };
  const loginLink = (token: string) => signInPath(`/view/${token}`);

  // Browsers ask for it on every page; there is none.
  router.get('/favicon.ico', (_req, res) => void res.status(204).end());
  router.get('/viewer/client/:file', viewerScripts());
  router.get('/viewer/viewer.css', (_req, res) => void res.type('css').send(VIEWER_CSS));

  router.get('/view/:token', async (req: Request<{ token: string }>, res: Response) => {
    const token = req.params.token;
    const view = await authorize(req, 'page');
    if (view.outcome === 'sign_in') return void res.redirect(302, loginLink(token));
    if (view.outcome === 'unknown_token') return page(res, 404, { title: 'Link not found', message: 'This link does not lead to anything in Loupe.' }, view.session);
    if (view.outcome === 'no_link') return page(res, 403, { title: 'No matching chat account', message: 'Loupe could not match your sign-in to an account in this chat workspace. Signing in for this card matches you again, or says why it cannot.', link: { href: loginLink(token), label: 'Sign in for this card' } }, view.session);
    const { decision, policy } = view;
    if (decision.allow) {
      return void res.type('html').send(viewerHtml(token, view.session.identity.displayName));
    }
    switch (decision.reason) {
      case 'asset_shredded':
        return page(res, 410, { title: 'Deleted under the retention policy', message: 'This image was deleted under the retention policy and no longer exists.' }, view.session);
      case 'asset_failed':
        return page(res, 410, { title: 'Could not be prepared', message: 'Loupe could not prepare this image for viewing. It keeps the encrypted original, and the admins have been told.' }, view.session);
      case 'token_expired':
        return page(res, 410, { title: 'This link has expired', message: 'The image is no longer available from this card. Ask the sender to share it again if you still need it.' }, view.session);
      case 'token_revoked':
      case 'card_revoked':
      case 'asset_revoked':
        return page(res, 403, { title: 'Access revoked', message: 'The sender or an administrator revoked access to this image.' }, view.session);
      case 'mfa_required':
        return page(res, 401, { title: 'Multi-factor sign-in needed', message: 'Images from this channel need a multi-factor sign-in.', link: { href: loginLink(token), label: 'Sign in again' } }, view.session);
      case 'asset_not_ready':
        // A photo's card is posted as soon as its original is secured; its clean-up takes a moment more.
        return page(res, 409, { title: 'Not ready yet', message: 'Loupe is still preparing this image. This page opens it as soon as it is ready.', refreshSeconds: 2 }, view.session);
      case 'consent_refused':
      case 'consent_missing':
        return page(res, 403, { title: 'Not covered by the patient’s consent', message: 'The patient’s recorded consent does not allow this image to be viewed for this purpose.' }, view.session);
      case 'waiting_for_patient':
        return page(res, 403, { title: 'Waiting for a patient link', message: 'Until its sender says which patient this is, only they can open it.' }, view.session);
      default:
        return page(res, 403, {
          title: 'You do not have access',
          message: 'You are not part of this consult. Ask someone in it to invite you with Invite specialist on the card.',
          ...(policy?.breakGlass ? { breakGlass: { action: `/view/${token}/break-glass` } } : {}),
        }, view.session);
    }
  });

  router.post('/view/:token/break-glass', express.urlencoded({ extended: false, limit: '4kb' }), async (req: Request<{ token: string }>, res: Response) => {
    const token = req.params.token;
    // Only a refusal page needs the session (to name who is signed in).
    const session = () => d.sessions.resolve(sessionCookie(req), false);
    if (!sameOrigin(req, d.publicUrl)) return page(res, 403, { title: 'Refused', message: 'That request did not come from Loupe.' }, await session());
    const reason = typeof req.body?.reason === 'string' ? req.body.reason : '';
    const result = await requestBreakGlass({ ...ctx, sessionToken: sessionCookie(req), token, reason, breakGlassMinutes: d.breakGlassMinutes });
    if (result.outcome === 'refused') {
      return page(res, 403, { title: 'Break-glass refused', message: result.reason.startsWith('reason') ? 'Give a reason of 10 to 500 characters.' : 'Break-glass access is not available for this image.' }, await session());
    }
    if (result.outcome === 'opened') {
      const a = result.announce;
      await d.directory.alertAdmins(a.workspaceId, a.channelId, a.notice).catch((error: unknown) => d.logger.warn({ err: describeError(error) }, 'break-glass announcement failed'));
    }
    res.redirect(303, `/view/${token}`);
  });

  router.get('/viewer/api/session', async (req: Request, res: Response) => {
    const s = await d.sessions.resolve(sessionCookie(req), false);
    res.json({ state: s.state } satisfies SessionResponse);
  });

  /**
   * Whether the open page may go on showing its image, polled every few
   * seconds: not use (the idle clock is left alone), always 200 with a state
   * (so the page has no failed request to report), decided afresh, and
   * audited only when it finds access ended (once per window: the page then
   * stops asking).
   */
  router.get('/viewer/api/:token/status', async (req: Request<{ token: string }>, res: Response) => {
    logQuietly(res);
    const view = await authorize(req, 'poll', siblingOf(req));
    res.json(pageStatus(view.session, d.clock.now(), view.outcome === 'decided' ? view.decision : 'no_viewer') satisfies StatusResponse);
  });

  /** The user's own activity in the page (window/level, zoom, scrolling, frames), sent at most every few seconds: it restarts the idle clock. */
  router.post('/viewer/api/session/activity', async (req: Request, res: Response) => {
    logQuietly(res);
    if (!sameOrigin(req, d.publicUrl)) return void res.status(403).json({ error: 'cross_origin' });
    const status: PageStatus = pageStatus(await d.sessions.resolve(sessionCookie(req)), d.clock.now());
    res.json(status satisfies StatusResponse);
  });

  /** Authorizes an API request: a live session and an allowing decision, else a status and no data. */
  async function allowed(req: Request<{ token: string }>, res: Response, request: ViewRequestKind = 'pixels'): Promise<{ assetId: string; assetKind: string | null; name: string; chatUserId: string } | undefined> {
    const view = await authorize(req, request, siblingOf(req));
    if (view.outcome === 'sign_in') return void res.status(401).json({ error: 'sign in' });
    if (view.outcome !== 'decided') return void res.status(403).json({ error: 'forbidden' });
    const { decision, card, viewer } = view;
    if (!decision.allow || !card) return void res.status(decision.allow ? 404 : decision.status).json({ error: decision.allow ? 'not found' : decision.reason });
    return { assetId: card.assetId, assetKind: card.assetKind, name: viewer.name, chatUserId: viewer.chatUserId };
  }

  async function readBlob(blobId: string, chatUserId: string): Promise<Buffer> {
    const stream = await storage.blobs.open(blobId, { type: 'user', id: chatUserId });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * A DICOM original, or a study's instance `part` (keyed with its part, so
   * that a study's instances never mix), read (and its read audited) only
   * when no sandbox child holds it, and then at most once a minute.
   */
  function heldOf(assetId: string, chatUserId: string, part?: number): Held {
    const key = part === undefined ? assetId : `${assetId}:${part}`;
    const source = async (): Promise<OriginalSource> => {
      // A study summary naming a part with no stored image (never written, or lost): that image is unavailable, not a server error.
      const blob = part === undefined ? await assets.blob(assetId, 'original') : await assets.blobIfAny(assetId, 'instance', part);
      if (!blob) throw new LoupeError(ErrorCode.ImageCorrupt, 'the study has no such image stored');
      const read = async () => (await recent.get(`original:${key}`, async () => sized(await readBlob(blob.id, chatUserId)))).data;
      return { key, bytes: Number(blob.plaintextSize), read };
    };
    return { key, source };
  }

  /** The image an asset (a study's series: its first) is described by. */
  const firstHeld = (assetId: string, chatUserId: string, stack: { series: StudySeries } | null): Held =>
    heldOf(assetId, chatUserId, stack ? stackPosition(stack.series, 0)?.part : undefined);

  /** What the page shows of a DICOM image, decoded once a minute whoever asks. */
  const infoOf = async (held: Held): Promise<ViewInfo> => (await recent.get(`info:${held.key}`, async () => ({ info: await views.info(await held.source()), bytes: 4096 }))).info;

  /** A study instance's header facts, for each of its frames' answers. */
  const factsOf = async (held: Held): Promise<ViewFacts> => (await recent.get(`facts:${held.key}`, async () => ({ facts: await views.facts(await held.source()), bytes: 4096 }))).facts;

  const frameOf = async (held: Held, index: number): Promise<FramePixels> =>
    (await recent.get(`frame:${held.key}:${index}`, async () => {
      const frame = await views.frame(await held.source(), index);
      return { frame, bytes: frame.kind === 'grey' ? frame.data.length : frame.kind === 'rgb' ? frame.png.length : 256 };
    })).frame;

  /** Where a study's image stands, for the corner text: its own Instance Number and Slice Location (none when its header cannot be read). */
  async function positionHeaders(held: Held): Promise<Partial<FrameHeaders>> {
    const facts = await factsOf(held).catch((error: unknown) => {
      if (!imageFailure(error)) throw error;
    });
    return {
      ...(facts?.instanceNumber === undefined ? {} : { 'X-Loupe-Instance-Number': String(facts.instanceNumber) }),
      ...(facts?.sliceLocation === undefined ? {} : { 'X-Loupe-Slice-Location': String(facts.sliceLocation) }),
    };
  }

  /** What one consult asset is in the Series chooser: an item, or a study's one per series. */
  function seriesItems(a: { id: string; kind: string | null; metadata: unknown }, i: number): SeriesItem[] {
    const m = (a.metadata ?? {}) as { modality?: string; bodyPart?: string; frames?: number };
    const study = studyOf(a);
    if (study) return study.series.flatMap((s, k) => (stackLength(s) > 0 ? [{ assetId: a.id, series: k, label: seriesLabel(s, k, m.modality) }] : []));
    const what = a.kind === 'photo' ? 'Photo' : [m.modality, m.bodyPart].filter(Boolean).join(' ') || 'DICOM';
    return [{ assetId: a.id, label: `${i + 1}. ${what}${m.frames && m.frames > 1 ? ` (${m.frames} frames)` : ''}` }];
  }

  /** The consult's other images, for series navigation: what each is, never whose. */
  router.get('/viewer/api/:token/series', async (req: Request<{ token: string }>, res: Response) => {
    const ok = await allowed(req, res);
    if (!ok) return;
    const asset = await assets.asset(ok.assetId);
    const stack = stackOf(req, asset);
    if (stack === undefined) return void res.status(404).json({ error: 'no such series' });
    const siblings = await assets.storedInConsult(asset.consultId);
    const items = siblings.flatMap((a, i) => seriesItems(a, i));
    // Which series have a thumbnail: one query for the study on show, none for any other asset.
    const thumbnails = stack ? new Set(await assets.parts(asset.id, 'preview')) : new Set<number>();
    res.json({
      current: asset.id,
      ...(stack ? { currentSeries: stack.index } : {}),
      items: items.map((item) => (item.assetId === asset.id && item.series !== undefined && thumbnails.has(item.series) ? { ...item, thumbnail: true } : item)),
    } satisfies SeriesResponse);
  });

  router.get('/viewer/api/:token/info', async (req: Request<{ token: string }>, res: Response) => {
    const ok = await allowed(req, res);
    if (!ok) return;
    const asset = await assets.asset(ok.assetId);
    const meta = (asset.metadata ?? {}) as { modality?: string; bodyPart?: string };
    if (asset.kind === 'photo') return void res.json({ kind: 'photo', title: 'Clinical photo', frames: 1, lossy: false, viewer: ok.name } satisfies InfoResponse);
    const stack = stackOf(req, asset);
    if (stack === undefined) return void res.status(404).json({ error: 'no such series' });
    // A study's series is described by its first image, and has as many frames as its stack has images.
    const info = await infoOf(firstHeld(asset.id, ok.chatUserId, stack)).catch((error: unknown) => {
      if (!imageFailure(error)) throw error;
    });
    if (!info) return void res.status(422).json({ error: 'image_unavailable' });
    const { facts, lossy, grey } = info;
    const title = (stack ? ['DICOM study', stack.series.modality ?? meta.modality, stack.series.bodyPart] : ['DICOM', meta.modality, meta.bodyPart]).filter(Boolean).join(' · ');
    // What the header gives of where the image stands (its corner text and orientation markers); never the patient.
    const where = {
      ...(facts.sliceThickness === undefined ? {} : { sliceThickness: facts.sliceThickness }),
      ...(facts.seriesNumber === undefined ? {} : { seriesNumber: facts.seriesNumber }),
      ...(facts.instanceNumber === undefined ? {} : { instanceNumber: facts.instanceNumber }),
      ...(facts.sliceLocation === undefined ? {} : { sliceLocation: facts.sliceLocation }),
      ...(facts.imageOrientation === undefined ? {} : { orientation: facts.imageOrientation }),
    };
    // What the measuring tools measure in; for PET the SUVbw factor alone (never the weight, dose or times it came from).
    const measure = {
      ...(facts.pixelSpacing === undefined ? {} : { pixelSpacing: facts.pixelSpacing }),
      ...(facts.imagerPixelSpacing === undefined ? {} : { imagerPixelSpacing: facts.imagerPixelSpacing }),
      ...(facts.modality === undefined ? {} : { modality: facts.modality }),
      ...(facts.suv === undefined ? {} : { suv: facts.suv }),
    };
    const cine = facts.frameRate === undefined ? {} : { frameRate: facts.frameRate };
    const frames = stack ? { frames: stackLength(stack.series), stack: true as const } : { frames: facts.frames };
    const described = { kind: 'dicom' as const, title, ...frames, rows: facts.rows, columns: facts.columns, ...where, ...measure, ...cine, lossy, viewer: ok.name };
    res.json((grey ? { ...described, ...grey } : described) satisfies InfoResponse);
  });

  router.get('/viewer/api/:token/frames/:index', async (req: Request<{ token: string; index: string }>, res: Response) => {
    // Fetched ahead by the page itself: not use of the session (the header can only make a session lock sooner).
    const ok = await allowed(req, res, req.get(AHEAD_HEADER) === '1' ? 'ahead' : 'pixels');
    if (!ok) return;
    // A photo has no frames (the page asks for /photo): what it has, not a failed DICOM read.
    if (ok.assetKind === 'photo') return void res.status(404).json({ error: 'not_dicom' });
    const index = Number(req.params.index);
    if (!Number.isInteger(index) || index < 0) return void res.status(404).json({ error: 'no such frame' });
    // A study's index is a place in its series' stack: which instance (its own key in the sandbox), and which of its frames.
    let held = heldOf(ok.assetId, ok.chatUserId);
    let at = index;
    if (ok.assetKind === 'dicom_study') {
      const stack = stackOf(req, await assets.asset(ok.assetId));
      const position = stack && stackPosition(stack.series, index);
      if (!position) return void res.status(404).json({ error: stack ? 'no such frame' : 'no such series' });
      held = heldOf(ok.assetId, ok.chatUserId, position.part);
      at = position.frame;
    }
    let code: ErrorCode | undefined;
    const frame = await frameOf(held, at).catch((error: unknown) => {
      code = imageFailure(error);
      if (!code) throw error;
    });
    if (!frame) {
      if (code === ErrorCode.InvalidInput) return void res.status(404).json({ error: 'no such frame' });
      // A frame the sandbox could not decode (damaged, or past its time or memory budget): that frame is unavailable.
      return void res.status(422).json({ error: 'frame_unavailable' });
    }
    if (frame.kind === 'unavailable') return void res.status(422).json({ error: frame.reason });
    if (ok.assetKind === 'dicom_study') res.set(await positionHeaders(held));
    if (frame.kind === 'rgb') return void res.type('image/png').send(frame.png);
    res.set({ 'X-Loupe-Encoding': frame.encoding, 'X-Loupe-Rows': String(frame.rows), 'X-Loupe-Columns': String(frame.columns) });
    res.type('application/octet-stream').send(frame.data);
  });

  router.get('/viewer/api/:token/photo', async (req: Request<{ token: string }>, res: Response) => {
    const ok = await allowed(req, res);
    if (!ok) return;
    // A DICOM's derivative is a whole file: it never leaves as such, only as decoded frames.
    if (ok.assetKind !== 'photo') return void res.status(404).json({ error: 'not a photo' });
    const photo = await recent.get(`photo:${ok.assetId}`, async () => {
      const blob = await assets.blob(ok.assetId, 'derivative');
      return { mediaType: blob.mediaType, ...sized(await readBlob(blob.id, ok.chatUserId)) };
    });
    res.type(photo.mediaType).send(photo.data);
  });

  router.get('/viewer/api/:token/details', async (req: Request<{ token: string }>, res: Response) => {
    // The patient: never on the strength of a decision made a moment ago.
    const ok = await allowed(req, res, 'patient');
    if (!ok) return;
    const asset = await assets.asset(ok.assetId);
    const stack = stackOf(req, asset);
    if (stack === undefined) return void res.status(404).json({ error: 'no such series' });
    const fields: [string, string][] = [];
    if (asset.patientId) {
      const p = await storage.patients.read(asset.patientId, { type: 'user', id: ok.chatUserId }, 'viewer details panel');
      fields.push(
        ['Patient', personName(p.name)],
        ['Identifier', `${p.identifier} (${p.issuer})`],
        ['Birth date', dicomDate(p.birthDate)],
        ['Sex', patientSex(p.sex)],
      );
    } else fields.push(['Patient', 'not linked yet']);
    if (asset.kind !== 'photo') {
      // A study's: its series' first image's.
      const read = await views.facts(await firstHeld(asset.id, ok.chatUserId, stack).source()).catch((error: unknown) => {
        if (!imageFailure(error)) throw error;
      });
      fields.push(...studyFields(read ?? {}));
    }
    const question = await readClinicalQuestion({ storage, asset, actor: { type: 'user', id: ok.chatUserId }, reason: 'viewer details panel' });
    res.json({ fields, ...(question === undefined ? {} : { question }) } satisfies DetailsResponse);
  });

  /** A study series' thumbnail (its `preview` part), for the page's strip; 404 for a series without one, or any other asset. */
  router.get('/viewer/api/:token/thumbnails/:series', async (req: Request<{ token: string; series: string }>, res: Response) => {
    const ok = await allowed(req, res, req.get(AHEAD_HEADER) === '1' ? 'ahead' : 'pixels');
    if (!ok) return;
    const study = ok.assetKind === 'dicom_study' ? studyOf(await assets.asset(ok.assetId)) : undefined;
    const chosen = study && chosenSeries(study, req.params.series);
    const blob = chosen && (await assets.blobIfAny(ok.assetId, 'preview', chosen.index));
    if (!blob) return void res.status(404).json({ error: 'no thumbnail' });
    const thumbnail = await recent.get(`preview:${blob.id}`, async () => ({ mediaType: blob.mediaType, ...sized(await readBlob(blob.id, ok.chatUserId)) }));
    res.type(thumbnail.mediaType).send(thumbnail.data);
  });
  return router;
}
