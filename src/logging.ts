// Structured JSON logs. The redaction list is the second line of defence: code
// should not log patient fields, tokens or keys at all, but if an object that
// carries one reaches a log call, its value is replaced before it is written.
import { pino, type DestinationStream, type Logger } from 'pino';

const SENSITIVE = [
  // patient fields
  'patient',
  'patientName',
  'name',
  'birthDate',
  'dob',
  'mrn',
  'identifier',
  'phi',
  'messageText',
  'text',
  // credentials and keys
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'botToken',
  'userToken',
  'password',
  'secret',
  'clientSecret',
  'signingSecret',
  'key',
  'dataKey',
  'kek',
  'wrapped',
  'authorization',
  'cookie',
];

/** Each field at the top level and one or two levels down (pino paths do not recurse). */
export const REDACT_PATHS = [
  ...SENSITIVE,
  ...SENSITIVE.map((f) => `*.${f}`),
  ...SENSITIVE.map((f) => `*.*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'res.headers["set-cookie"]',
];

export type { Logger };

/**
 * A card link's token (43 base64url characters) is a credential with a
 * sign-in, so a logged URL shows only that one was there. Found wherever it
 * stands: after `%20` or `+`, in a query string or fragment, and through
 * percent-encoding of any case, even repeated (`%2F`, `%2f`, `%2541`).
 * Any run of 43 or more token characters goes: too much masked costs nothing.
 */
export function maskLinkTokens(url: string): string {
  let decoded = url;
  for (let i = 0; i < 3; i++) decoded = decoded.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return decoded.replace(/[A-Za-z0-9_-]{43,}/g, '…');
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'loupe' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
