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
