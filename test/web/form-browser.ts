// A browser without script for sign-in tests: keeps cookies, follows
// redirects by hand, submits the provider's form.
import { expect } from 'vitest';

/** A browser without script: keeps cookies, follows redirects by hand, stops at the client's URLs. */
export class FormBrowser {
  /** `isClient`: URLs the browser stops at instead of loading (a client that is not running). */
  constructor(private readonly isClient: (url: string) => boolean = () => false) {}

  private readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.cookies.size) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now());
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects from `res`; returns the last response, or the URL of a client page it led to. */
  async follow(res: Response, from: string): Promise<{ page: Response; url: string } | { clientUrl: URL }> {
    let url = from;
    while (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      if (this.isClient(url)) return { clientUrl: new URL(url) };
      res = await this.request(url);
    }
    return { page: res, url };
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  cookieNames(): string[] {
    return [...this.cookies.keys()];
  }
}

export function formAction(html: string, base: string): string {
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  expect(action).toBeDefined();
  return new URL(action!.replaceAll('&#38;', '&'), base).href;
}
