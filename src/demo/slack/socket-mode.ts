// Socket Mode as Slack speaks it: apps.connections.open (with the app-level
// token) hands out a WebSocket URL; on it the server says hello, sends each
// event, command or interaction in an envelope, and waits for the app to
// acknowledge the envelope id. Used when the stand-in runs with an app token.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Delivery } from './delivery.js';
import type { StandInState } from './state.js';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

const ACK_TIMEOUT_MS = 3_000;

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  private readonly waiting = new Map<string, (payload: unknown) => void>();
  private readonly connections = new Set<string>();

  constructor(
    private readonly state: StandInState,
    server: Server,
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
    ws.on('message', (data) => {
      let ack: { envelope_id?: unknown; payload?: unknown };
      try {
        ack = JSON.parse(String(data)) as typeof ack;
      } catch {
        return;
      }
      if (typeof ack.envelope_id === 'string') this.waiting.get(ack.envelope_id)?.(ack.payload ?? null);
    });
    ws.on('close', () => {
      if (this.socket === ws) this.socket = undefined;
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: this.state.appId }, debug_info: { host: 'loupe-stand-in' } }));
  }

  /** Sends one envelope; 200 with the ack's payload when acknowledged in time, 504 when not. */
  async send(type: EnvelopeType, payload: unknown, retry?: { num: number; reason: string }): Promise<Delivery> {
    const socket = this.socket;
    if (!socket) return { status: 503, body: 'no Socket Mode connection' };
    const envelopeId = this.state.ids.next('E').toLowerCase();
    const acked = new Promise<Delivery>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelopeId);
        resolve({ status: 504, body: 'not acknowledged' });
      }, ACK_TIMEOUT_MS);
      this.waiting.set(envelopeId, (ackPayload) => {
        clearTimeout(timer);
        this.waiting.delete(envelopeId);
        resolve({ status: 200, body: ackPayload === null ? '' : JSON.stringify(ackPayload) });
      });
    });
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(retry ? { retry_attempt: retry.num, retry_reason: retry.reason } : {}),
      }),
    );
    return acked;
  }

  close(): void {
    this.socket?.terminate();
    this.wss.close();
  }
}
