import { describe, expect, it } from 'vitest';
import { maskLinkTokens } from '../../src/web/http-app.js';
import { secureCookies } from '../../src/web/viewer/http.js';

describe('request logs', () => {
  it('never show a card link’s token', () => {
    const token = 'kYjKCa1nho7nmdEM1ybpM0JJow6esZpRWQaQXPPknr4';
    expect(maskLinkTokens(`/view/${token}`)).toBe('/view/…');
    expect(maskLinkTokens(`/viewer/api/${token}/frames/3`)).toBe('/viewer/api/…/frames/3');
    expect(maskLinkTokens(`/view/${token}/break-glass`)).toBe('/view/…/break-glass');
    expect(maskLinkTokens('/viewer/api/session')).toBe('/viewer/api/session');
    expect(maskLinkTokens('/healthz')).toBe('/healthz');
  });
});

describe('the session cookie', () => {
  it('is Secure everywhere but on this machine', () => {
    expect(secureCookies(new URL('https://loupe.hospital.example'))).toBe(true);
    expect(secureCookies(new URL('http://loupe.hospital.example'))).toBe(true);
    expect(secureCookies(new URL('http://localhost:3000'))).toBe(false);
    expect(secureCookies(new URL('http://127.0.0.1:4000'))).toBe(false);
  });
});
