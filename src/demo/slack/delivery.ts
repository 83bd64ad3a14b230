// Requests from "Slack" to Loupe: signed exactly as Slack signs them, sent to
// the one endpoint Bolt's HTTP receiver serves for events, commands and
// interactions alike.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { signedHeaders } from './signing.js';
import type { StandInState } from './state.js';

/** Exactly what was sent, so a test can send the same bytes again (a replay). */
export interface SentRequest {
  rawBody: string;
  headers: Record<string, string>;
}

export interface Delivery {
  status: number;
  body: string;
  /** Over HTTP only (Socket Mode carries no signature). */
  request?: SentRequest;
  /** How long Loupe took to answer (HTTP only). */
  ms?: number;
}

export interface DeliveryOptions {
  /** Seconds for X-Slack-Request-Timestamp; an old one tests the 5-minute replay window. */
  timestamp?: number;
  /** Signs with the wrong secret, so only a receiver that checks the HMAC notices. */
  badSignature?: boolean;
  headers?: Record<string, string>;
}

export async function deliverSigned(state: StandInState, rawBody: string, contentType: string, o: DeliveryOptions = {}): Promise<Delivery> {
  const url = state.eventsUrl;
  if (!url) throw new LoupeError(ErrorCode.ConfigInvalid, 'the Slack stand-in has no events URL to deliver to');
  const timestamp = o.timestamp ?? Math.floor(state.now() / 1000);
  const secret = o.badSignature ? `${state.signingSecret}-wrong` : state.signingSecret;
  const headers = {
    'Content-Type': contentType,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signedHeaders(secret, timestamp, rawBody),
    ...o.headers,
  };
  return sendRaw(url, { rawBody, headers });
}

/** Sends a request as it was sent before, byte for byte: what an attacker who captured it could do. */
export async function sendRaw(url: string, request: SentRequest): Promise<Delivery> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: request.headers, body: request.rawBody, redirect: 'manual' });
  const body = await res.text();
  return { status: res.status, body, request, ms: performance.now() - started };
}
