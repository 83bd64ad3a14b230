// The /demo page's endpoints (demo mode only): pick an invented clinician,
// drop a file into a channel, and watch the real Slack adapter take it out
// and post its card, all through the local Slack stand-in.
import express, { type Request, type Response, type Router } from 'express';
import { logQuietly } from '../web/http-app.js';
import type { SlackStandIn } from './slack/index.js';
import { DEMO_CSS, DEMO_HTML, DEMO_JS } from './page.js';
import { isSampleKind, makeSample } from './samples.js';
import { filesOf, textOf } from './upload-files.js';

// data: images: a Teams card carries its preview inside itself, as Teams draws it.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** What `find` returns once it returns something, or undefined after about five seconds. */
async function until<T>(find: () => T | undefined): Promise<T | undefined> {
  for (let i = 0; i < 50; i += 1) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

export function demoRouter(slack: SlackStandIn): Router {
  const router = express.Router();
  router.use('/demo', (_req, res, next) => {
    res.set({ 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    next();
  });
  router.get('/demo', (_req, res) => void res.type('html').send(DEMO_HTML));
  /** Someone in the channel: who the page may drop a file as, where. */
  const inChannel = (user: string, channel: string) => slack.directory().channels.some((c) => c.id === channel && c.members.includes(user));
  router.get('/demo/demo.js', (_req, res) => void res.type('js').send(DEMO_JS));
  router.get('/demo/demo.css', (_req, res) => void res.type('css').send(DEMO_CSS));

  router.get('/demo/api/state', (req: Request, res: Response) => {
    // The page asks every second: not an operator's news.
    logQuietly(res);
    const user = str(req.query['user']);
    const { users, botUserId, channels } = slack.directory();
    res.json({
      users: users.map((u) => ({ id: u.id, name: u.realName, admin: Boolean(u.isAdmin || u.isOwner), external: Boolean(u.external) })),
      // The app's bot user, as Slack shows its messages (not one of the people the page can act as).
      bot: { id: botUserId, name: 'Loupe' },
      channels: channels.filter((c) => !user || c.members.includes(user)).map((c) => ({ id: c.id, name: c.name })),
      messages: slack.messages
        .filter((m) => m.ephemeralTo === undefined || m.ephemeralTo === user)
        .map((m) => ({
          channel: m.channel,
          ts: m.ts,
          threadTs: m.threadTs,
          user: m.user,
          text: m.deleted ? '' : m.text,
          blocks: m.deleted ? [] : (m.blocks ?? []),
          files: m.files.map((id) => ({ id, deleted: slack.file(id)?.deleted ?? true })),
          deleted: m.deleted,
          ephemeral: m.ephemeralTo !== undefined,
        })),
    });
  });

  // One message with every file the page sent.
  router.post('/demo/api/upload', express.raw({ type: () => true, limit: '200mb' }), async (req: Request, res: Response) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const files = filesOf(req.get('x-demo-files'), str(req.query['name']), bytes);
    if (!files) return void res.status(400).json({ error: 'the files do not add up' });
    if (!inChannel(str(req.query['user']), str(req.query['channel']))) return void res.status(400).json({ error: 'unknown user or channel' });
    const thread = str(req.query['thread']);
    const text = textOf(req.get('x-demo-text'));
    const r = await slack.uploadFiles({
      user: str(req.query['user']),
      channel: str(req.query['channel']),
      files,
      ...(thread ? { threadTs: thread } : {}),
      ...(text ? { text } : {}),
    });
    res.json({ ts: r.ts });
  });

  // A card's preview as Slack shows it to the channel: only the bot's own files (what Loupe uploads), never a clinician's upload.
  router.get('/demo/api/file/:id', (req: Request<{ id: string }>, res: Response) => {
    const file = slack.file(req.params.id);
    if (!file || file.deleted || file.user !== slack.directory().botUserId || !file.mimetype.startsWith('image/')) return void res.status(404).json({ error: 'no such file' });
    res.type(file.mimetype).send(file.bytes);
  });

  // A sample file, made on request, dropped as the person into the channel with its invented patient's identifier.
  router.post('/demo/api/sample', express.json(), async (req: Request, res: Response) => {
    const b = req.body as Record<string, unknown>;
    const kind = b['kind'];
    if (!isSampleKind(kind)) return void res.status(400).json({ error: 'no such sample' });
    if (!inChannel(str(b['user']), str(b['channel']))) return void res.status(400).json({ error: 'unknown user or channel' });
    const sample = await makeSample(kind);
    const r = await slack.uploadFiles({ user: str(b['user']), channel: str(b['channel']), files: [{ name: sample.name, bytes: sample.bytes }], text: str(b['text']) || sample.text });
    res.json({ ts: r.ts });
  });

  router.post('/demo/api/command', express.json(), async (req: Request, res: Response) => {
    const b = req.body as Record<string, unknown>;
    await slack.slashCommand({ user: str(b['user']), channel: str(b['channel']), command: '/loupe', text: str(b['text']) });
    res.json({ ok: true });
  });

  // A button: block_actions as Slack sends it; a modal it opens comes back to the page to fill in.
  router.post('/demo/api/click', express.json(), async (req: Request, res: Response) => {
    const b = req.body as Record<string, unknown>;
    const before = slack.calls.length;
    await slack.interaction({
      type: 'block_actions',
      user: { id: str(b['user']) },
      channel: { id: str(b['channel']) },
      message: { ts: str(b['ts']) },
      container: { type: 'message', message_ts: str(b['ts']), channel_id: str(b['channel']) },
      actions: [{ type: 'button', action_id: str(b['actionId']), block_id: 'demo', value: str(b['value']), action_ts: String(Date.now() / 1000) }],
    });
    const opened = slack.calls.slice(before).find((c) => c.method === 'views.open');
    res.json({ view: opened ? JSON.parse(String(opened.params['view'])) : null });
  });

  // A menu in an open modal: block_actions from the view, as Slack sends it; the modal
  // Loupe redraws (views.update, addressed by the view's external id) comes back to the page.
  router.post('/demo/api/view-action', express.json(), async (req: Request, res: Response) => {
    const b = req.body as { user?: unknown; view?: Record<string, unknown>; blockId?: unknown; action?: Record<string, unknown> };
    const externalId = str(b.view?.['external_id']);
    const before = slack.calls.length;
    await slack.interaction({
      type: 'block_actions',
      user: { id: str(b.user) },
      view: { id: 'VDEMO', external_id: externalId, callback_id: str(b.view?.['callback_id']), private_metadata: str(b.view?.['private_metadata']), hash: 'demo', state: { values: {} } },
      container: { type: 'view', view_id: 'VDEMO' },
      actions: [{ ...(b.action ?? {}), block_id: str(b.blockId), action_ts: String(Date.now() / 1000) }],
    });
    // Loupe acknowledges first and redraws after, so wait a little for the update.
    const updated = await until(() => slack.calls.slice(before).filter((c) => c.method === 'views.update' && (c.params['external_id'] === externalId || c.params['view_id'] === 'VDEMO')).pop());
    res.json({ view: updated ? JSON.parse(String(updated.params['view'])) : null });
  });

  router.post('/demo/api/submit', express.json(), async (req: Request, res: Response) => {
    const b = req.body as { user?: unknown; view?: { callback_id?: unknown; private_metadata?: unknown }; values?: unknown };
    const r = await slack.interaction({
      type: 'view_submission',
      user: { id: str(b.user) },
      view: { id: 'VDEMO', callback_id: str(b.view?.callback_id), private_metadata: str(b.view?.private_metadata), state: { values: b.values ?? {} } },
    });
    res.json(r.body ? JSON.parse(r.body) : {});
  });
  return router;
}
