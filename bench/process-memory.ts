// Peak resident sets of a process and of its children over a phase, from
// /proc (Linux): sampled VmRSS, topped up with VmHWM where it rose during the
// phase. A sample can miss a short spike; VmHWM cannot, but covers the
// process's whole life, so it counts only when it grew in the phase.
import { readdirSync, readFileSync } from 'node:fs';

interface Seen {
  hwmAtStart: number;
  hwm: number;
  peak: number;
}

/** VmRSS and VmHWM in bytes, or undefined once the process is gone. */
function status(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The direct children of `parent` whose command line holds `marker`. */
function childrenOf(parent: number, marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // The command name may hold spaces: the parent is the second field after its closing parenthesis.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(marker)) found.push(Number(name));
    } catch {
      // gone since the listing
    }
  }
  return found;
}

export interface TreePeaks {
  /** The process's own peak, bytes. */
  root: number;
  /** The largest peak of any matching child alive in the phase, bytes (0 if none was). */
  child: number;
  /** How many matching children were seen in the phase. */
  children: number;
}

/** Samples `root` and its children whose command line holds `childMarker`, from start() to stop(). */
export class TreeRssSampler {
  private readonly seen = new Map<number, Seen>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: number,
    private readonly childMarker: string,
  ) {}

  start(intervalMs = 50): void {
    this.seen.clear();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), intervalMs);
    this.timer.unref();
  }

  stop(): TreePeaks {
    this.sample(false);
    clearInterval(this.timer);
    const peak = (s: Seen) => (s.hwm > s.hwmAtStart ? Math.max(s.peak, s.hwm) : s.peak);
    const children = [...this.seen].filter(([pid]) => pid !== this.root).map(([, s]) => peak(s));
    return { root: peak(this.seen.get(this.root)!), child: Math.max(0, ...children), children: children.length };
  }

  private sample(first: boolean): void {
    for (const pid of [this.root, ...childrenOf(this.root, this.childMarker)]) {
      const now = status(pid);
      if (!now) continue;
      // A child born during the phase has all its peak in it.
      const s = this.seen.get(pid) ?? { hwmAtStart: first ? now.hwm : 0, hwm: 0, peak: 0 };
      s.hwm = now.hwm;
      s.peak = Math.max(s.peak, now.rss);
      this.seen.set(pid, s);
    }
  }
}
