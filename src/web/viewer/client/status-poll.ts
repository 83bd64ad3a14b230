// Keeps the page in step with the server: a status poll every 5 seconds (not
// counted as use), an idle timer that fires when the server's session would
// lock, and the user's own activity reported, throttled, as use.
import type { PageEnding, StatusResponse } from '../api-types.js';
import type { ViewerApi } from './api.js';

const POLL_MS = 5000;

export interface StatusHooks {
  /** Blanks the page for good, saying why. */
  end(reason: PageEnding): void;
  /** Whether the page has blanked. */
  ended(): boolean;
  /** Whether an image is open (activity before that is not reported). */
  showing(): boolean;
}

export class StatusPoll {
  private poll: ReturnType<typeof setInterval> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private trailing: ReturnType<typeof setTimeout> | undefined;
  private lastReport = 0;
  /** At most one report this often: a third of the idle timeout, within 1 to 30 seconds (0: report the first at once). */
  private every = 0;

  constructor(
    private readonly api: ViewerApi,
    private readonly hooks: StatusHooks,
  ) {}

  start(): void {
    this.poll = setInterval(() => void this.check(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.poll);
    clearTimeout(this.idleTimer);
    clearTimeout(this.trailing);
  }

  /** Asks the server and follows its answer: 'ok', the ending, or 'unknown' when it cannot be reached. */
  async check(): Promise<string> {
    if (this.hooks.ended()) return 'ended';
    const s = await this.api.status();
    if (s) this.follow(s);
    return s ? s.state : 'unknown';
  }

  /** The user's own activity: reported at most every third of the idle timeout, the last of a burst always. */
  activity(): void {
    if (this.hooks.ended() || !this.hooks.showing()) return;
    const since = Date.now() - this.lastReport;
    if (since >= this.every) {
      this.lastReport = Date.now();
      void this.api.activity().then((s) => {
        if (s && !this.hooks.ended()) this.follow(s);
      });
    } else if (!this.trailing) {
      this.trailing = setTimeout(() => {
        this.trailing = undefined;
        this.activity();
      }, this.every - since);
    }
  }

  /** Blanks on an end; otherwise sets the idle timer to fire when the server's session would lock. */
  private follow(s: StatusResponse): void {
    if (s.state !== 'ok') return this.hooks.end(s.state);
    this.every = Math.max(1000, Math.min(30000, (s.idleSeconds * 1000) / 3));
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.atIdleDeadline(), s.idleMs + 50);
  }

  /** Use elsewhere (another tab) may have kept the session alive: ask; if the server cannot say, blank. */
  private async atIdleDeadline(): Promise<void> {
    if ((await this.check()) === 'unknown') this.hooks.end('locked');
  }
}
