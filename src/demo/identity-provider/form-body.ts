// Reads a small urlencoded form body from the raw request, or takes the one
// an upstream express body parser already read.
import type { IncomingMessage } from 'node:http';

const LIMIT_BYTES = 8 * 1024;

export class FormTooLarge extends Error {}

export async function readForm(req: IncomingMessage & { body?: unknown }): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  if (!req.readable) {
    const parsed = req.body;
    if (parsed && typeof parsed === 'object') {
      const entries = Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string');
      return new URLSearchParams(entries);
    }
    return new URLSearchParams();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > LIMIT_BYTES) throw new FormTooLarge('form too large');
    chunks.push(buf);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
