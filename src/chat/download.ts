// Downloads an upload from a chat platform's file host, refusing any other
// host (a payload naming another URL must not make Loupe send its token, or
// its request at all, there) and stopping at the size cap before it is
// exceeded in memory. Redirects are not followed: a caller that expects one
// (Graph's /shares) checks where it leads first.
import { ErrorCode, LoupeError } from '../core/errors.js';

export interface DownloadOptions {
  /** The bearer token the host wants; none for pre-authenticated URLs. */
  token?: string;
  /** Hosts files may come from: host[:port], or `.domain` for any host under it. */
  hosts: string[];
  maxBytes: number;
  /** The platform's name, for the refusals' words. */
  platform: string;
}

/** A download that has not finished by then is abandoned (its job retries): a stalled host must not hold a worker. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const allowed = (host: string, hosts: string[]) => hosts.some((h) => (h.startsWith('.') ? host.endsWith(h) && !host.includes(':') : host === h));

export function checkFileUrl(url: string, hosts: string[], platform: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LoupeError(ErrorCode.InvalidInput, 'the file URL is not a URL');
  }
  // Plain http only to this machine (a local stand-in); the platforms themselves are https.
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
  if (!secure || !allowed(parsed.host.toLowerCase(), hosts) || parsed.username || parsed.password) {
    throw new LoupeError(ErrorCode.InvalidInput, `the file URL is not on a ${platform} file host: refused`);
  }
  return parsed;
}

/** A response's body, read to its end unless it grows past the cap. */
export async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel();
    if (!response.body) return Buffer.alloc(0);
    throw new LoupeError(ErrorCode.ImageTooLarge, `the file is larger than the limit of ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new LoupeError(ErrorCode.ImageTooLarge, `the file is larger than the limit of ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

export async function downloadFile(url: string, o: DownloadOptions): Promise<Buffer> {
  const target = checkFileUrl(url, o.hosts, o.platform);
  // No redirects: Slack answers a bad token with one to its sign-in page, and a redirect could lead off the allowed hosts.
  const response = await fetch(target, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {}, redirect: 'manual', signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new LoupeError(ErrorCode.DownloadFailed, `the file could not be downloaded from ${o.platform} (HTTP ${response.status})`);
  }
  return readCapped(response, o.maxBytes);
}
