// A demo chat across restarts, for either stand-in: its state (without file
// bytes) as one JSON file, replaced whole, and each shared file's bytes in a
// file of their own. Written only after something changed (the stand-in
// counts its changes) and each file's bytes only once; bytes of a file no
// longer shared (Loupe took it out) are removed, as they are from the chat.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How many times the chat changed: the stand-in marks, the saver compares. */
export class ChatChanges {
  private n = 0;

  get count(): number {
    return this.n;
  }

  mark(): void {
    this.n += 1;
  }
}

export interface ChatFile {
  id: string;
  bytes: Buffer;
  /** No longer shared in the chat: its bytes leave the folder too. */
  gone: boolean;
}

/** What a stand-in gives the saver: its chat as JSON, its files, and how to put a saved chat back. */
export interface SavableChat<T> {
  readonly changes: ChatChanges;
  snapshot(): T;
  files(): Iterable<ChatFile>;
  /** `bytes` reads a kept file's bytes (empty when none were kept). */
  restore(saved: T, bytes: (id: string) => Promise<Buffer>): Promise<void>;
}

const SAVE_EVERY_MS = 1_000;

const missingAs = <T>(value: T) => (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? value : Promise.reject(e));

export class SavedChat<T> {
  private savedAt = 0;
  private readonly written = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly chat: SavableChat<T>,
    private readonly dir: string,
  ) {}

  private get stateFile(): string {
    return join(this.dir, 'state.json');
  }

  private bytesFile(id: string): string {
    return join(this.dir, 'files', id.replace(/[^A-Za-z0-9]/g, ''));
  }

  /** Loads what an earlier run saved (nothing on a first start), then checks every second for changes to save. */
  async start(): Promise<void> {
    await mkdir(join(this.dir, 'files'), { recursive: true, mode: 0o700 });
    const text = await readFile(this.stateFile, 'utf8').catch(missingAs(undefined));
    if (text !== undefined) {
      await this.chat.restore(JSON.parse(text) as T, (id) => readFile(this.bytesFile(id)).catch(missingAs(Buffer.alloc(0))));
      for (const f of this.chat.files()) if (!f.gone && f.bytes.length) this.written.add(f.id);
    }
    this.savedAt = this.chat.changes.count;
    // A failed write is tried again at the next tick; the last one, at stop, reports its failure.
    this.timer = setInterval(() => void this.save().catch(() => undefined), SAVE_EVERY_MS);
    this.timer.unref();
  }

  /** Writes the chat if it changed since the last write (one write at a time). */
  save(): Promise<void> {
    this.saving = this.saving.catch(() => undefined).then(async () => {
      const at = this.chat.changes.count;
      if (at === this.savedAt) return;
      const text = JSON.stringify(this.chat.snapshot());
      for (const f of this.chat.files()) await this.saveBytes(f);
      await writeFile(`${this.stateFile}.tmp`, text, { mode: 0o600 });
      await rename(`${this.stateFile}.tmp`, this.stateFile);
      this.savedAt = at;
    });
    return this.saving;
  }

  private async saveBytes(f: ChatFile): Promise<void> {
    const path = this.bytesFile(f.id);
    if (f.gone) {
      if (this.written.delete(f.id)) await rm(path, { force: true });
    } else if (!this.written.has(f.id)) {
      await writeFile(path, f.bytes, { mode: 0o600 });
      this.written.add(f.id);
    }
  }

  /** Stops the timer after a last save. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.save();
  }
}
