// Socket Mode as Slack speaks it: apps.connections.open (with the app-level
// token) hands out a WebSocket URL; on it the server says hello, pings, sends
// each event, command or interaction in an envelope, and waits for the app to
// acknowledge the envelope id; an envelope not yet acknowledged when the app
// reconnects goes again on the new connection. Used when the stand-in runs
// with an app token.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Delivery } from './delivery.js';
import type { StandInState } from './state.js';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** Slack's limit for an acknowledgement. */
const ACK_TIMEOUT_MS = 3_000;
/** Slack's client library reconnects when it hears no ping for 30 s. */
const PING_INTERVAL_MS = 10_000;

interface Waiting {
  frame: string;
  acknowledged: (payload: unknown) => void;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  /** Whether an app has connected before: while it reconnects, envelopes wait for it. */
  private everConnected = false;
  private readonly waiting = new Map<string, Waiting>();
  private readonly connections = new Set<string>();

  constructor(
    private readonly state: StandInState,
    server: Server,
    private readonly ackTimeoutMs = ACK_TIMEOUT_MS,
  ) {
    server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => {
      const id = /^\/socket-mode\/([A-Za-z0-9]+)$/.exec(req.url ?? '')?.[1];
      if (!id || !this.connections.delete(id)) return void sock.destroy();
      this.wss.handleUpgrade(req, sock, head, (ws) => this.accept(ws));
    });
  }

  /** apps.connections.open: a one-time URL for the next connection. */
  open(): string {
    const id = this.state.ids.next('SM');
    this.connections.add(id);
    return `${this.state.origin.replace(/^http/, 'ws')}/socket-mode/${id}`;
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  private accept(ws: WebSocket): void {
    this.socket?.close();
    this.socket = ws;
    this.everConnected = true;
    ws.on('message', (data) => {
      let ack: { envelope_id?: unknown; payload?: unknown };
      try {
        ack = JSON.parse(String(data)) as typeof ack;
      } catch {
        return;
      }
      if (typeof ack.envelope_id === 'string') this.waiting.get(ack.envelope_id)?.acknowledged(ack.payload ?? null);
    });
    const pings = setInterval(() => ws.ping(), PING_INTERVAL_MS).unref();
    ws.on('close', () => {
      clearInterval(pings);
      if (this.socket === ws) this.socket = undefined;
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: this.state.appId }, debug_info: { host: 'loupe-stand-in' } }));
    for (const { frame } of this.waiting.values()) ws.send(frame);
  }

  /** Sends one envelope; 200 with the ack's payload when acknowledged in time, 504 when not. */
  async send(type: EnvelopeType, payload: unknown, retry?: { num: number; reason: string }): Promise<Delivery> {
    if (!this.everConnected) return { status: 503, body: 'no Socket Mode connection' };
    const envelopeId = this.state.ids.next('E').toLowerCase();
    const frame = JSON.stringify({
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(retry ? { retry_attempt: retry.num, retry_reason: retry.reason } : {}),
    });
    const acked = new Promise<Delivery>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelopeId);
        resolve({ status: 504, body: 'not acknowledged' });
      }, this.ackTimeoutMs).unref();
      this.waiting.set(envelopeId, {
        frame,
        acknowledged: (ackPayload) => {
          clearTimeout(timer);
          this.waiting.delete(envelopeId);
          resolve({ status: 200, body: ackPayload === null ? '' : JSON.stringify(ackPayload) });
        },
      });
    });
    // Reconnecting: accept() sends it on the new connection.
    this.socket?.send(frame);
    return acked;
  }

  close(): void {
    this.socket?.terminate();
    this.wss.close();
  }
}
