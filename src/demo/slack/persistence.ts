// The demo's chat across restarts: what was posted and shared in the stand-in
// (messages, files and the id counters) saved under the data folder and loaded
// at start, as Slack itself would still hold them. Ephemeral messages, open
// views and short-lived handles are not kept (Slack forgets them too). A file's
// bytes are kept only while the file is shared: once deleted (Loupe took it
// out) they are removed from the folder, as they are from the channel.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StandInState, StoredFile } from './state.js';
import type { StandInMessage } from './types.js';

interface SavedState {
  version: 1;
  ids: number;
  messages: StandInMessage[];
  files: Omit<StoredFile, 'bytes'>[];
}

const SAVE_EVERY_MS = 1_000;

export class SavedChat {
  private last = '';
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: StandInState,
    private readonly dir: string,
  ) {}

  private get stateFile(): string {
    return join(this.dir, 'state.json');
  }

  private bytesFile(id: string): string {
    return join(this.dir, 'files', id.replace(/[^A-Za-z0-9]/g, ''));
  }

  /** Loads what an earlier run saved (nothing on a first start), then saves every second while something changed. */
  async start(): Promise<void> {
    await mkdir(join(this.dir, 'files'), { recursive: true, mode: 0o700 });
    const text = await readFile(this.stateFile, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (text !== undefined) await this.restore(JSON.parse(text) as SavedState);
    this.last = this.snapshot();
    // A failed write is tried again at the next tick; the last one, at stop, reports its failure.
    this.timer = setInterval(() => void this.save().catch(() => undefined), SAVE_EVERY_MS);
    this.timer.unref();
  }

  private async restore(saved: SavedState): Promise<void> {
    const s = this.state;
    for (const f of saved.files) {
      const bytes = f.deleted ? Buffer.alloc(0) : await readFile(this.bytesFile(f.id)).catch(() => Buffer.alloc(0));
      s.files.set(f.id, { ...f, bytes });
    }
    s.messages.unshift(...saved.messages);
    s.ids.resume(saved.ids);
    for (const m of saved.messages) s.ts.resume(m.ts);
  }

  private snapshot(): string {
    const s = this.state;
    const saved: SavedState = {
      version: 1,
      ids: s.ids.count,
      messages: s.messages.filter((m) => m.ephemeralTo === undefined),
      files: [...s.files.values()].map(({ bytes: _bytes, ...f }) => f),
    };
    return JSON.stringify(saved);
  }

  /** Writes the state if it changed since the last write (one write at a time; the file is replaced whole). */
  save(): Promise<void> {
    this.saving = this.saving.catch(() => undefined).then(async () => {
      const text = this.snapshot();
      if (text === this.last) return;
      for (const f of this.state.files.values()) {
        const path = this.bytesFile(f.id);
        if (f.deleted) await rm(path, { force: true });
        else await writeFile(path, f.bytes, { flag: 'wx', mode: 0o600 }).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
      }
      await writeFile(`${this.stateFile}.tmp`, text, { mode: 0o600 });
      await rename(`${this.stateFile}.tmp`, this.stateFile);
      this.last = text;
    });
    return this.saving;
  }

  /** Stops the timer after a last save. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.save();
  }
}
