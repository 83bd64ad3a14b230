// Slack's request signing, v0: the receiver recomputes this HMAC over the raw
// body, so the body must be sent byte for byte as signed.
import { createHmac } from 'node:crypto';

export function slackSignature(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;
}

export function signedHeaders(signingSecret: string, timestampSeconds: number, rawBody: string): Record<string, string> {
  return {
    'X-Slack-Request-Timestamp': String(timestampSeconds),
    'X-Slack-Signature': slackSignature(signingSecret, timestampSeconds, rawBody),
  };
}
