// The page's side of the session-bound API (/viewer/api/...). A refused
// request (401, 403, 410) asks the status first: if access has ended, the
// page blanks with the reason and the request fails with PageEnded, which
// callers pass over in silence.
import type { FrameHeaders, StatusResponse } from '../api-types.js';

/** The page has blanked: nothing more is fetched or shown. */
export class PageEnded extends Error {
  constructor() {
    super('ended');
    this.name = 'PageEnded';
  }
}

export interface ApiGuard {
  /** Whether the page has already blanked. */
  ended(): boolean;
  /** After a refusal: asks the server whether the page may go on ('ok'); it blanks the page otherwise. */
  recheck(): Promise<string>;
}

/** A request the server answered with an error status (and no ending of access). */
export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

const REFUSED = new Set([401, 403, 410]);
// The type ties it to the server's name: the value cannot be imported into the browser's modules.
const AHEAD_HEADER: typeof import('../api-types.js').AHEAD_HEADER = 'X-Loupe-Ahead';
const SAME_ORIGIN: RequestInit = { credentials: 'same-origin', cache: 'no-store' };

export class ViewerApi {
  /** The asset chosen under Series; empty for the link's own. */
  asset = '';
  /** The study's series chosen (its thumbnail or under Series); undefined for any other image, or a study's first. */
  series: number | undefined;

  constructor(
    private readonly token: string,
    private readonly guard: ApiGuard,
  ) {}

  /** Whether the page has blanked. */
  ended(): boolean {
    return this.guard.ended();
  }

  private url(path: string): string {
    const query = [this.asset ? `asset=${encodeURIComponent(this.asset)}` : '', this.series === undefined ? '' : `series=${this.series}`].filter(Boolean).join('&');
    return `/viewer/api/${encodeURIComponent(this.token)}${path}${query ? `?${query}` : ''}`;
  }

  /**
   * A successful answer, or PageEnded when access has ended, or an error
   * naming the HTTP status only. `ahead`: the page asks on its own (frames
   * fetched ahead), which is not use of the session and keeps nobody's idle
   * lock away.
   */
  async get(path: string, o: { ahead?: boolean } = {}): Promise<Response> {
    if (this.guard.ended()) throw new PageEnded();
    const r = await fetch(this.url(path), o.ahead ? { ...SAME_ORIGIN, headers: { [AHEAD_HEADER]: '1' } } : SAME_ORIGIN);
    if (REFUSED.has(r.status) && (await this.guard.recheck()) !== 'ok') throw new PageEnded();
    if (!r.ok) throw new HttpError(r.status);
    return r;
  }

  async json<T>(path: string): Promise<T> {
    return (await (await this.get(path)).json()) as T;
  }

  /** The server's word on this page; null when it cannot be reached. Not use: it leaves the idle clock alone. */
  async status(): Promise<StatusResponse | null> {
    try {
      const r = await fetch(this.url('/status'), SAME_ORIGIN);
      return r.ok ? ((await r.json()) as StatusResponse) : null;
    } catch {
      return null;
    }
  }

  /** Reports the user's own activity (it restarts the idle clock); the session's status, or null. */
  async activity(): Promise<StatusResponse | null> {
    try {
      const r = await fetch('/viewer/api/session/activity', { ...SAME_ORIGIN, method: 'POST' });
      return r.ok ? ((await r.json()) as StatusResponse) : null;
    } catch {
      return null;
    }
  }
}

/** A header of a frame's answer (see FrameHeaders). */
export function frameHeader(r: Response, name: keyof FrameHeaders): string | null {
  return r.headers.get(name);
}
