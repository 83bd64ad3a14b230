// The Teams stand-in's chat across restarts (saved by ../saved-chat.ts): the
// messages (cards included), uploaded files, pasted images and each user's
// personal chat with the bot, as Teams itself would still hold them. Calls and
// download links are not kept (they are short-lived). The stand-in listens on
// new ports after a restart, so the addresses in what was saved move with it.
// A file's bytes are kept only while a message still shows it.
import type { ChatFile, SavableChat } from '../saved-chat.js';
import type { Hosted, Origins, StoredFile, TeamsState } from './state.js';
import type { TeamsMessage } from './types.js';

interface SavedState {
  version: 1;
  origins: Origins;
  personalChats: [string, string][];
  messages: TeamsMessage[];
  files: Omit<StoredFile, 'bytes'>[];
  hosted: (Omit<Hosted, 'bytes'> & { id: string })[];
}

const gone = (m: TeamsMessage) => m.hiddenByPolicy || m.deletedDateTime !== null;
const fileKey = (id: string) => `f${id}`;
const hostedKey = (id: string) => `h${id}`;

/** A file is gone once every message that showed it is hidden or deleted (a file no message shows, another site's, stays). */
function goneFiles(s: TeamsState): Set<string> {
  const byUrl = new Map<string, boolean>();
  for (const m of s.messages) {
    for (const a of m.attachments) {
      const url = a['contentUrl'];
      if (typeof url === 'string') byUrl.set(url, (byUrl.get(url) ?? true) && gone(m));
    }
  }
  return new Set([...s.files.values()].filter((f) => byUrl.get(f.webUrl) === true).map((f) => f.id));
}

/** The saved chat with the earlier run's addresses replaced by this run's, in one pass (a new port may be an old one of another host). */
function moved(saved: SavedState, now: Origins): SavedState {
  const to = new Map(Object.entries(saved.origins).map(([host, origin]) => [`${origin}/`, `${now[host as keyof Origins]}/`]));
  const escaped = [...to.keys()].map((o) => o.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const text = JSON.stringify(saved).replace(new RegExp(escaped.join('|'), 'g'), (o) => to.get(o) ?? o);
  return JSON.parse(text) as SavedState;
}

export function savableTeamsChat(s: TeamsState): SavableChat<SavedState> {
  return {
    changes: s.changes,
    snapshot: () => ({
      version: 1,
      origins: s.origins,
      personalChats: [...s.personalChats],
      messages: s.messages,
      files: [...s.files.values()].map(({ bytes: _bytes, ...f }) => f),
      hosted: [...s.hosted].map(([id, { bytes: _bytes, ...h }]) => ({ id, ...h })),
    }),
    files: (): ChatFile[] => {
      const goneIds = goneFiles(s);
      const hidden = new Set(s.messages.filter(gone).map((m) => m.id));
      return [
        ...[...s.files.values()].map((f) => ({ id: fileKey(f.id), bytes: f.bytes, gone: goneIds.has(f.id) })),
        ...[...s.hosted].map(([id, h]) => ({ id: hostedKey(id), bytes: h.bytes, gone: hidden.has(h.messageId) })),
      ];
    },
    restore: async (earlier, bytes) => {
      const saved = moved(earlier, s.origins);
      for (const [user, chat] of saved.personalChats) s.personalChats.set(user, chat);
      s.messages.unshift(...saved.messages);
      for (const m of saved.messages) s.resumeIds(m.id);
      for (const f of saved.files) s.files.set(f.id, { ...f, bytes: await bytes(fileKey(f.id)) });
      for (const { id, ...h } of saved.hosted) s.hosted.set(id, { ...h, bytes: await bytes(hostedKey(id)) });
    },
  };
}
