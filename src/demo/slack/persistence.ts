// The Slack stand-in's chat across restarts (saved by ../saved-chat.ts): what
// was posted and shared (messages, files and the id counters), as Slack itself
// would still hold them. Ephemeral messages, open views and short-lived handles
// are not kept (Slack forgets them too). A file's bytes are kept only while the
// file is shared.
import type { ChatChanges, ChatFile, SavableChat } from '../saved-chat.js';
import type { StandInState, StoredFile } from './state.js';
import type { StandInMessage } from './types.js';

interface SavedState {
  version: 1;
  ids: number;
  messages: StandInMessage[];
  files: Omit<StoredFile, 'bytes'>[];
}

export function savableSlackChat(s: StandInState, changes: ChatChanges): SavableChat<SavedState> {
  return {
    changes,
    snapshot: () => ({
      version: 1,
      ids: s.ids.count,
      messages: s.messages.filter((m) => m.ephemeralTo === undefined),
      files: [...s.files.values()].map(({ bytes: _bytes, ...f }) => f),
    }),
    files: (): ChatFile[] => [...s.files.values()].map((f) => ({ id: f.id, bytes: f.bytes, gone: f.deleted })),
    restore: async (saved, bytes) => {
      for (const f of saved.files) s.files.set(f.id, { ...f, bytes: f.deleted ? Buffer.alloc(0) : await bytes(f.id) });
      s.messages.unshift(...saved.messages);
      s.ids.resume(saved.ids);
      for (const m of saved.messages) s.ts.resume(m.ts);
    },
  };
}
