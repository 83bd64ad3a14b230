// Downloads an upload from Slack's file host with the bot token, refusing any
// other host (a payload naming another URL must not make Loupe send its token
// there) and stopping at the size cap before it is exceeded in memory.
import { ErrorCode, LoupeError } from '../../core/errors.js';

export interface DownloadOptions {
  token: string;
  /** Hosts files may come from (host[:port]). */
  hosts: string[];
  maxBytes: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function checkFileUrl(url: string, hosts: string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LoupeError(ErrorCode.InvalidInput, 'the file URL is not a URL');
  }
  // Plain http only to this machine (the local stand-in); Slack itself is https.
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
  if (!secure || !hosts.includes(parsed.host) || parsed.username || parsed.password) {
    throw new LoupeError(ErrorCode.InvalidInput, 'the file URL is not on the Slack file host: refused');
  }
  return parsed;
}

export async function downloadSlackFile(url: string, o: DownloadOptions): Promise<Buffer> {
  const target = checkFileUrl(url, o.hosts);
  // No redirects: Slack answers a bad token with one to its sign-in page.
  const response = await fetch(target, { headers: { authorization: `Bearer ${o.token}` }, redirect: 'manual' });
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel();
    throw new LoupeError(ErrorCode.DownloadFailed, `the file could not be downloaded from Slack (HTTP ${response.status})`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > o.maxBytes) {
    await response.body.cancel();
    throw new LoupeError(ErrorCode.ImageTooLarge, `the file is larger than the limit of ${o.maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > o.maxBytes) throw new LoupeError(ErrorCode.ImageTooLarge, `the file is larger than the limit of ${o.maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
