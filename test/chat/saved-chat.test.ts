// The demo's saved chat (src/demo/saved-chat.ts), as the data folder shows
// it: nothing written until the chat changes, a file's bytes written once and
// removed once the file is gone, and everything given back at the next start.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatChanges, SavedChat, type ChatFile, type SavableChat } from '../../src/demo/saved-chat.js';

interface Saved {
  messages: string[];
}

/** A chat as small as a stand-in's: messages, files, and its change count. */
function chat(): SavableChat<Saved> & { messages: string[]; shared: ChatFile[]; restored: { saved: Saved; bytes: Buffer[] }[] } {
  const c = {
    changes: new ChatChanges(),
    messages: [] as string[],
    shared: [] as ChatFile[],
    restored: [] as { saved: Saved; bytes: Buffer[] }[],
    snapshot: () => ({ messages: [...c.messages] }),
    files: () => c.shared,
    restore: async (saved: Saved, bytes: (id: string) => Promise<Buffer>) => {
      c.restored.push({ saved, bytes: await Promise.all(['F1', 'F2'].map(bytes)) });
    },
  };
  return c;
}

describe('the demo chat saved in the data folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-saved-chat-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes nothing until the chat changes, then its state and each file once; a file gone leaves no bytes', async () => {
    const c = chat();
    const saved = new SavedChat(c, dir);
    await saved.start();
    await saved.save();
    expect(await readdir(dir)).toEqual(['files']);

    c.messages.push('hello');
    c.shared.push({ id: 'F1', bytes: Buffer.from('photo'), gone: false });
    c.changes.mark();
    await saved.save();
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toEqual({ messages: ['hello'] });
    expect(await readFile(join(dir, 'files', 'F1'), 'utf8')).toBe('photo');

    // Later saves leave a file already written alone (its bytes never change).
    await writeFile(join(dir, 'files', 'F1'), 'as written');
    c.messages.push('again');
    c.changes.mark();
    await saved.save();
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toEqual({ messages: ['hello', 'again'] });
    expect(await readFile(join(dir, 'files', 'F1'), 'utf8')).toBe('as written');

    c.shared[0] = { id: 'F1', bytes: Buffer.from('photo'), gone: true };
    c.changes.mark();
    await saved.stop();
    expect(await readdir(join(dir, 'files'))).toEqual([]);
  });

  it('gives the next start what was saved, with the bytes of the files still shared', async () => {
    const first = chat();
    const saved = new SavedChat(first, dir);
    await saved.start();
    first.messages.push('kept');
    first.shared.push({ id: 'F1', bytes: Buffer.from('photo'), gone: false });
    first.changes.mark();
    await saved.stop();

    const second = chat();
    const again = new SavedChat(second, dir);
    await again.start();
    await again.stop();
    expect(second.restored).toEqual([{ saved: { messages: ['kept'] }, bytes: [Buffer.from('photo'), Buffer.alloc(0)] }]);
  });
});
