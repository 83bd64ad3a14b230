// One upload from a demo page with every file the person dropped or chose:
// their names and sizes in a header, and the message's words in another (both
// kept out of the URL, where a file name or an identifier typed with the
// upload could say who the patient is), their bytes one after the other in
// the body.
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** At most this many files in one message. */
const MOST_FILES = 20;

export interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/** The files as the header lists them (their bytes in order), or one file named by the query; undefined when they do not add up. */
export function filesOf(header: string | undefined, name: string, bytes: Buffer): UploadedFile[] | undefined {
  const named = (n: unknown) => str(n).slice(0, 120) || 'upload';
  if (!header) return [{ name: named(name), bytes }];
  let listed: unknown;
  try {
    listed = JSON.parse(decodeURIComponent(header));
  } catch {
    return undefined;
  }
  if (!Array.isArray(listed) || listed.length === 0 || listed.length > MOST_FILES) return undefined;
  const files: UploadedFile[] = [];
  let at = 0;
  for (const f of listed as { name?: unknown; size?: unknown }[]) {
    const size = f.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || at + size > bytes.length) return undefined;
    files.push({ name: named(f.name), bytes: bytes.subarray(at, at + size) });
    at += size;
  }
  return at === bytes.length ? files : undefined;
}

/** The message's words, from their header (URI-encoded); empty when there are none or they do not decode. */
export function textOf(header: string | undefined): string {
  try {
    return decodeURIComponent(header ?? '').slice(0, 4000);
  } catch {
    return '';
  }
}
