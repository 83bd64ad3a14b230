// Where sign-in may send someone back to: a viewer link, or a console page with
// its own filters; never another site, another of Loupe's paths, or a query
// that could carry more than the console's ids and filter words.
import { describe, expect, it } from 'vitest';
import { safeReturn } from '../../src/web/viewer/http.js';

const SIGNED_IN = '/auth/signed-in';

describe('the page sign-in returns to', () => {
  it('keeps a viewer link and a console page with its filters', () => {
    expect(safeReturn('/view/abcdefghijklmnopqrstuvwxyz012345')).toBe('/view/abcdefghijklmnopqrstuvwxyz012345');
    expect(safeReturn('/admin')).toBe('/admin');
    expect(safeReturn('/admin/audit?asset=0b0e7d2a-5a53-4c1e-9f0e-3a1c2b4d5e6f&outcome=denied')).toBe('/admin/audit?asset=0b0e7d2a-5a53-4c1e-9f0e-3a1c2b4d5e6f&outcome=denied');
    expect(safeReturn('/admin/assets?channel=19%3Awound%40thread.tacv2&state=stored')).toBe('/admin/assets?channel=19%3Awound%40thread.tacv2&state=stored');
  });

  it('sends anything else to the signed-in page', () => {
    for (const bad of [
      'https://evil.example/admin',
      '//evil.example/admin',
      '/admin/../auth/logout',
      '/adminx',
      '/admin?',
      '/admin?q=<script>',
      '/admin?q=a b',
      '/admin?q="x"',
      `/admin?q=${'a'.repeat(601)}`,
      '/admin/audit?asset=x#fragment',
      '/view/short',
      undefined,
      42,
    ]) {
      expect(safeReturn(bad)).toBe(SIGNED_IN);
    }
  });
});
