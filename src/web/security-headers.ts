// What every response of Loupe's HTTP server carries, whoever answers it (a
// viewer page, a probe, an unmatched path, an OPTIONS request, an error): no
// caching, no framing, no sniffing, no referrer beyond Loupe, and a Content
// Security Policy with no inline script and no other origin. A surface that
// serves other content (the demo page, the demo provider) sets its own policy over it.

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Content-Security-Policy': CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, which the CSRF check needs.
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
