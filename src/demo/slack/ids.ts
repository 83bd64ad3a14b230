// Slack-shaped identifiers. Counters rather than randomness keep runs
// reproducible; uniqueness only has to hold within one stand-in.

/** Ids like 'F00000001A': a prefix, then upper-case base 36. */
export class IdSource {
  private n = 0;

  /** How many ids were handed out: saved with the state, so a restarted stand-in never repeats one. */
  get count(): number {
    return this.n;
  }

  resume(count: number): void {
    this.n = Math.max(this.n, count);
  }

  next(prefix: string): string {
    this.n += 1;
    return `${prefix}${this.n.toString(36).toUpperCase().padStart(8, '0')}`;
  }
}

/**
 * Message timestamps ('1732270000.000100'): seconds, then a six-digit counter.
 * Slack's ts is also the message's id, so it must never repeat and must sort
 * in posting order even when the clock stands still (as test clocks do).
 */
export class TsSource {
  private last = 0;

  constructor(private readonly now: () => number) {}

  /** Continues after a saved message's ts, so a restarted stand-in's messages still sort after it. */
  resume(ts: string): void {
    const [seconds = '0', micros = '0'] = ts.split('.');
    const at = Number(seconds) * 1_000_000 + Number(micros);
    if (Number.isSafeInteger(at)) this.last = Math.max(this.last, at);
  }

  next(): string {
    const floor = Math.floor(this.now() / 1000) * 1_000_000;
    this.last = Math.max(this.last + 100, floor + 100);
    return formatTs(this.last);
  }
}

function formatTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}
