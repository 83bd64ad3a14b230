// The /demo page's Teams half (demo mode only): pick an invented clinician,
// post a file in a channel, the group chat or a personal chat with Loupe,
// press the card's buttons, all through the local Teams stand-in, so the
// real Teams adapter does the rest. Each person sees only their own chats.
import express, { type Request, type Response, type Router } from 'express';
import { logQuietly } from '../web/http-app.js';
import type { Place, TeamsMessage, TeamsStandIn } from './teams/index.js';
import { isSampleKind, makeSample } from './samples.js';
import { TEAMS_CSS, TEAMS_HTML, TEAMS_JS } from './teams-page.js';
import { filesOf, textOf, type UploadedFile } from './upload-files.js';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const PERSONAL = 'personal';

interface ShownMessage {
  id: string;
  place: string;
  threadRootId: string | undefined;
  from: string;
  /** Posted by the person looking. */
  mine: boolean;
  byBot: boolean;
  text: string;
  cards: unknown[];
  /** How many files are attached (named attachments; a pasted image has no name). */
  files: number;
  hidden: boolean;
  deleted: boolean;
  modified: string | null;
}

/** A hidden or deleted message shows nothing of what it held. */
function shown(m: TeamsMessage, place: string, from: string, viewer: string): ShownMessage {
  const gone = m.hiddenByPolicy || m.deletedDateTime !== null;
  return {
    id: m.id,
    place,
    threadRootId: m.threadRootId,
    from,
    mine: m.fromAadObjectId === viewer,
    byBot: m.byBot,
    text: gone ? '' : m.text,
    cards: gone ? [] : m.attachments.filter((a) => a['contentType'] === 'application/vnd.microsoft.card.adaptive').map((a) => a['content']),
    files: gone ? 0 : m.attachments.filter((a) => typeof a['name'] === 'string').length,
    hidden: m.hiddenByPolicy,
    deleted: m.deletedDateTime !== null,
    modified: m.lastModifiedDateTime,
  };
}

export function teamsDemoRouter(teams: TeamsStandIn): Router {
  const router = express.Router();
  // Security headers come from the Slack half's /demo middleware, mounted before this router.
  router.get('/demo/teams', (_req, res) => void res.type('html').send(TEAMS_HTML));
  router.get('/demo/teams.js', (_req, res) => void res.type('js').send(TEAMS_JS));
  router.get('/demo/teams.css', (_req, res) => void res.type('css').send(TEAMS_CSS));
  const dir = () => teams.directory();
  const userOf = (id: string) => dir().users.find((u) => u.aadObjectId === id);
  const nameOf = (m: TeamsMessage) => (m.byBot ? 'Loupe' : (dir().users.find((u) => u.id === m.from)?.name ?? 'Someone'));

  /** Where a user may post (the team's channels, group chats they are in, their chat with Loupe), and who is there. */
  function placesOf(user: string) {
    const channels = dir().teams.filter((t) => t.members.includes(user)).flatMap((t) => t.channels.map((c) => ({ id: c.id, name: `${t.name} › ${c.name}`, kind: 'channel', members: t.members })));
    const chats = dir().groupChats.filter((g) => g.members.includes(user)).map((g) => ({ id: g.id, name: g.topic, kind: 'groupChat', members: g.members }));
    return [...channels, ...chats, { id: PERSONAL, name: 'Loupe (personal chat)', kind: 'personal', members: [user] }];
  }

  function placeOf(user: string, id: string): Place | undefined {
    if (id === PERSONAL) return { personal: true };
    if (dir().groupChats.some((g) => g.id === id && g.members.includes(user))) return { groupChat: id };
    const team = dir().teams.find((t) => t.members.includes(user) && t.channels.some((c) => c.id === id));
    return team && { team: team.id, channel: id };
  }

  router.get('/demo/api/teams/state', (req: Request, res: Response) => {
    // The page asks every second: not an operator's news.
    logQuietly(res);
    const user = str(req.query['user']);
    const places = userOf(user) ? placesOf(user) : [];
    const ids = new Set(places.map((p) => p.id));
    const inChats = teams.messages.flatMap((m) => {
      const place = m.conversationType === 'channel' ? m.conversationId.split(';')[0]! : m.conversationId;
      return m.conversationType !== 'personal' && ids.has(place) ? [shown(m, place, nameOf(m), user)] : [];
    });
    const personal = userOf(user) ? teams.personalMessages(user).map((m) => shown(m, PERSONAL, nameOf(m), user)) : [];
    res.json({
      users: dir().users.map((u) => ({ id: u.aadObjectId, chatId: u.id, name: u.name })),
      places,
      messages: [...inChats, ...personal],
    });
  });

  async function post(res: Response, o: { user: string; place: string; thread: string; files: UploadedFile[]; text: string }): Promise<void> {
    const place = placeOf(o.user, o.place);
    if (!userOf(o.user) || !place) return void res.status(400).json({ error: 'unknown user or place' });
    const posted = await teams.postFiles({
      user: o.user,
      place: 'team' in place && o.thread ? { ...place, threadRoot: o.thread } : place,
      files: o.files,
      ...(o.text ? { text: o.text } : {}),
    });
    res.json({ messageId: posted.messageId, status: posted.delivery?.status ?? 0 });
  }

  // One message with every file the page sent, as Teams attaches several files to one message.
  router.post('/demo/api/teams/upload', express.raw({ type: () => true, limit: '200mb' }), async (req: Request, res: Response) => {
    const q = (k: string) => str(req.query[k]);
    const files = filesOf(req.get('x-demo-files'), q('name'), Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    if (!files) return void res.status(400).json({ error: 'the files do not add up' });
    await post(res, { user: q('user'), place: q('place'), thread: q('thread'), files, text: textOf(req.get('x-demo-text')) });
  });

  // A sample file, made on request, posted as the person with its invented patient's identifier.
  router.post('/demo/api/teams/sample', express.json(), async (req: Request, res: Response) => {
    const b = req.body as Record<string, unknown>;
    const kind = b['kind'];
    if (!isSampleKind(kind)) return void res.status(400).json({ error: 'no such sample' });
    const sample = await makeSample(kind);
    await post(res, { user: str(b['user']), place: str(b['place']), thread: '', files: [{ name: sample.name, bytes: sample.bytes }], text: str(b['text']) || sample.text });
  });

  // The sender deletes their own message (where Loupe asks them to, as in personal chats).
  router.post('/demo/api/teams/delete', express.json(), (req: Request, res: Response) => {
    const b = req.body as Record<string, unknown>;
    const message = teams.messages.find((m) => m.id === str(b['messageId']) && m.fromAadObjectId === str(b['user']));
    if (!message) return void res.status(400).json({ error: 'not your message' });
    teams.deleteByUser(message.conversationId, message.id);
    res.json({ ok: true });
  });

  // A card's button (Action.Execute) or Teams asking for one user's own drawing (refresh): Loupe's answer comes back.
  router.post('/demo/api/teams/invoke', express.json(), async (req: Request, res: Response) => {
    const b = req.body as Record<string, unknown>;
    const user = str(b['user']);
    const message = teams.messages.find((m) => m.id === str(b['messageId']) && m.byBot);
    if (!userOf(user) || !message) return void res.status(400).json({ error: 'unknown user or card' });
    const data = typeof b['data'] === 'object' && b['data'] !== null ? b['data'] : {};
    const answer = await teams.invoke({
      user,
      conversationId: message.conversationId,
      replyToId: message.id,
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: str(b['verb']), data }, trigger: str(b['trigger']) === 'automatic' ? 'automatic' : 'manual' },
    });
    res.json({ status: answer.status, answer: answer.body });
  });
  return router;
}
