// The replay guard as two instances see it, sharing one database: an Events
// API delivery is acknowledged without waiting for the database, carrying the
// database's verdict to the work it asks for; a replay this instance saw is
// refused at once, and one only the other instance saw is acknowledged with
// the verdict "replay", so its work is not done. Commands and clicks wait for
// the database and are refused either way.
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberedOf, slackReplayGuard, type Remembered } from '../../src/chat/slack/replay-guard.js';
import { createLogger } from '../../src/logging.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEngines } from '../support/engines.js';
import { request } from '../support/http.js';

const SECRET = 'guard-test-signing-secret-0123456789';

describe.each(testEngines())('the Slack replay guard across two instances on %s', (engine) => {
  let t: TestDatabase;
  const servers: { close(): void }[] = [];
  const ports: number[] = [];
  const verdicts: (Remembered | 'none')[][] = [[], []];

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    for (const i of [0, 1]) {
      const app = express();
      app.post('/slack/events', ...slackReplayGuard({ db: t.db, clock: { now: () => new Date() }, signingSecret: SECRET, logger: createLogger('silent') }), async (req, res) => {
        const { remembered } = rememberedOf(req);
        verdicts[i]!.push(remembered ? await remembered : 'none');
        res.status(200).send();
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      servers.push(server);
      ports.push((server.address() as AddressInfo).port);
    }
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await t?.drop();
  });

  const signed = (body: string, contentType: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    return { method: 'POST', headers: { 'content-type': contentType, 'x-slack-request-timestamp': ts, 'x-slack-signature': signature }, body };
  };
  const send = (instance: number, req: ReturnType<typeof signed>) => request(ports[instance]!, '/slack/events', req);

  it('acknowledges an event at once with its verdict, refuses it again here, and hands the other instance "replay"', async () => {
    const event = signed(JSON.stringify({ type: 'event_callback', event_id: 'Ev0GUARD01', event: { type: 'file_shared', file_id: 'F0GUARD01' } }), 'application/json');
    expect((await send(0, event)).status).toBe(200);
    expect(verdicts[0]).toEqual(['first']);
    expect((await send(0, event)).status).toBe(401);
    expect(verdicts[0]).toEqual(['first']);
    // The other instance never saw it: acknowledged, but its work must not be done.
    expect((await send(1, event)).status).toBe(200);
    expect(verdicts[1]).toEqual(['replay']);
  });

  it('makes a command wait for the database: refused on the other instance too', async () => {
    const command = signed('command=%2Floupe&text=status&team_id=T0GUARD', 'application/x-www-form-urlencoded');
    expect((await send(0, command)).status).toBe(200);
    expect(verdicts[0]!.at(-1)).toBe('none');
    const seen = verdicts[1]!.length;
    expect((await send(1, command)).status).toBe(401);
    expect(verdicts[1]).toHaveLength(seen);
  });
});
