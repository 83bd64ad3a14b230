// Web API arguments arrive as form fields (strings; complex ones as JSON
// text, which is what @slack/web-api sends) or as a JSON body (real values).
// These readers accept both, as Slack does.

export type Params = Record<string, unknown>;

export function str(p: Params, key: string): string | undefined {
  const v = p[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

export const INVALID = Symbol('invalid');

/** A structured argument (blocks, view): parsed when it came as JSON text. 'invalid' when it cannot be. */
export function structured(p: Params, key: string): unknown {
  const v = p[key];
  if (typeof v !== 'string') return v;
  if (v === '') return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return INVALID;
  }
}

export function parseBody(contentType: string, rawBody: string, query: string): { params: Params; json: boolean } | 'invalid_json' {
  const params: Params = Object.fromEntries(new URLSearchParams(query));
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') {
    if (rawBody.trim() === '') return { params, json: true };
    try {
      const body = JSON.parse(rawBody) as unknown;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'invalid_json';
      return { params: { ...params, ...(body as Params) }, json: true };
    } catch {
      return 'invalid_json';
    }
  }
  return { params: { ...params, ...Object.fromEntries(new URLSearchParams(rawBody)) }, json: false };
}
