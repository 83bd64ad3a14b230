// The frames of the image on show, as the page draws them: fetched once from
// /frames/<i> and kept (frame-cache.ts), the others fetched in the background
// a few at a time, nearest the frame on show first, once the first is drawn.
// Dropped with the image: a frame arriving after that is not kept.
import { frameHeader, HttpError, PageEnded, type ViewerApi } from './api.js';
import { CACHE_BYTES, FrameCache, nearestWanted } from './frame-cache.js';
import { frameSamples, type Samples } from './window-level.js';

/** Where a study series' image stands, from its own header (its frame's answer): what the corner text shows of it. */
export interface StackPlace {
  instanceNumber?: number;
  sliceLocation?: number;
}

/** A frame as drawn: greyscale samples (row by row), a colour bitmap, or one the server could not decode (422); a study's image says where it stands. */
export type Frame = ({ kind: 'grey'; samples: Samples; rows: number; columns: number } | { kind: 'bitmap'; bitmap: ImageBitmap } | { kind: 'damaged' }) & { place?: StackPlace };

/** Requests at once in the background: the server's decoding is shared with everyone else's. */
const PARALLEL = 3;

const bytesOf = (f: Frame): number => (f.kind === 'grey' ? f.samples.byteLength : f.kind === 'bitmap' ? f.bitmap.width * f.bitmap.height * 4 : 0);

/** Wipes a frame's pixels now rather than whenever memory is collected: the patient's image must not linger once dropped. */
function wipe(f: Frame): void {
  if (f.kind === 'grey') f.samples.fill(0);
  else if (f.kind === 'bitmap') f.bitmap.close();
}

export class FrameSource {
  private readonly cache = new FrameCache<Frame>(CACHE_BYTES, wipe);
  private readonly pending = new Map<number, Promise<Frame>>();
  /** The frame on show: the background fetches start nearest it. */
  current = 0;

  constructor(
    private readonly api: ViewerApi,
    private readonly frames: number,
    /** Told how many frames are kept after each arrives, and null once the background fetching ends. */
    private readonly onProgress: (loaded: number | null, frames: number) => void = () => {},
  ) {}

  /** Frame `index`: kept, on its way, or fetched now. Fails as the request does (PageEnded, HttpError), but for a damaged frame. */
  get(index: number, o: { ahead?: boolean } = {}): Promise<Frame> {
    const kept = this.cache.get(index);
    if (kept) return Promise.resolve(kept);
    const pending = this.pending.get(index) ?? this.fetch(index, o.ahead === true).finally(() => this.pending.delete(index));
    this.pending.set(index, pending);
    return pending;
  }

  /** Fetches the frames not kept yet, PARALLEL at a time, until all are kept, the cache is full or dropped, or a request fails. */
  async prefetch(): Promise<void> {
    let failed = false;
    const wanted = (i: number) => this.cache.get(i) === undefined && !this.pending.has(i);
    const worker = async (): Promise<void> => {
      for (let i = nearestWanted(this.current, this.frames, wanted); i !== undefined && !failed && !this.cache.closed; i = nearestWanted(this.current, this.frames, wanted)) {
        await this.get(i, { ahead: true });
        if (!this.cache.closed) this.onProgress(this.cache.count, this.frames);
      }
    };
    try {
      this.onProgress(this.cache.count, this.frames);
      await Promise.all(Array.from({ length: PARALLEL }, () => worker().catch(() => void (failed = true))));
    } finally {
      // A failure here is met again, and said, when that frame is shown.
      this.onProgress(null, this.frames);
    }
  }

  /** Forgets every frame, for good (another image, or the page blanked). */
  drop(): void {
    this.cache.drop();
  }

  private async fetch(index: number, ahead: boolean): Promise<Frame> {
    let r: Response;
    try {
      r = await this.api.get(`/frames/${index}`, { ahead });
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 422)) throw e;
      return this.kept(index, { kind: 'damaged' });
    }
    const place = placeOf(r);
    if ((r.headers.get('content-type') ?? '').startsWith('image/')) return this.kept(index, { kind: 'bitmap', bitmap: await createImageBitmap(await r.blob()), ...place });
    const body = await r.arrayBuffer();
    if (this.api.ended()) {
      new Uint8Array(body).fill(0);
      throw new PageEnded();
    }
    const samples = frameSamples(body, frameHeader(r, 'X-Loupe-Encoding'));
    return this.kept(index, { kind: 'grey', samples, rows: Number(frameHeader(r, 'X-Loupe-Rows')), columns: Number(frameHeader(r, 'X-Loupe-Columns')), ...place });
  }

  /** Keeps the frame if it may; one arriving after the image was dropped (another image, the page blanked) is wiped, and never shown. */
  private kept(index: number, frame: Frame): Frame {
    if (!this.cache.keep(index, frame, bytesOf(frame)) && this.cache.isDropped) wipe(frame);
    return frame;
  }
}

/** A study's image's own Instance Number and Slice Location, when its answer names them; nothing for any other frame. */
function placeOf(r: Response): { place?: StackPlace } {
  const [instance, location] = [frameHeader(r, 'X-Loupe-Instance-Number'), frameHeader(r, 'X-Loupe-Slice-Location')];
  if (instance === null && location === null) return {};
  return { place: { ...(instance === null ? {} : { instanceNumber: Number(instance) }), ...(location === null ? {} : { sliceLocation: Number(location) }) } };
}
