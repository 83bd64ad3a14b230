// Issue 9 point 5, in the viewer: the frames a reader opens are decoded in the
// imaging sandbox, never on the server's event loop. A heavy frame keeps
// /healthz answering while it decodes; a few-KB frame claiming a hundred
// million pixels more than its header is refused before it is decoded, and the
// rest of the image is still served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, startIdentityProvider, type RunningIdentityProvider } from '../../src/demo/identity-provider/index.js';
import { freePort } from '../support/free-port.js';
import { healthWhile } from '../support/health.js';
import { j2kDicom } from '../support/j2k-frames.js';
import { startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { FormBrowser, formAction } from './form-browser.js';

const RADIOLOGY = 'C0RADIOL01';
const AMARA = { id: 'U0CLIN0001', email: 'amara.okafor@hospital.example' };
const CLIENT = { clientId: 'loupe-frames', clientSecret: 'frames-secret-0123456789' };

describe('the viewer decodes frames in the imaging sandbox', () => {
  let env: SlackLoupe;
  let idp: RunningIdentityProvider;
  let port = 0;

  /** Uploads a file as Amara, signs her in from its card, and returns a browser with her session and the card's token. */
  async function openAsSender(bytes: Buffer): Promise<{ browser: FormBrowser; api: (path: string) => Promise<Response> }> {
    const up = await env.slack.uploadFile({ user: AMARA.id, channel: RADIOLOGY, name: 'mr.dcm', bytes });
    const card = await until('the card', () => env.slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts), 120_000);
    const viewUrl = /"url":"([^"]+\/view\/[^"]+)"/.exec(String(card.params.blocks))![1]!;
    const browser = new FormBrowser();
    const form = await browser.follow(await browser.request(viewUrl), viewUrl);
    if (!('page' in form)) throw new Error('expected the provider’s form');
    const action = formAction(await form.page.text(), form.url);
    const done = await browser.follow(await browser.request(action, { form: { email: AMARA.email, password: 'demo' } }), action);
    if (!('page' in done) || done.page.status !== 200) throw new Error('expected the viewer page');
    const token = viewUrl.split('/view/')[1]!;
    return { browser, api: (path) => browser.request(`http://127.0.0.1:${port}/viewer/api/${token}${path}`) };
  }

  beforeAll(async () => {
    port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider({
      clients: [{ ...CLIENT, redirectUris: [`${publicUrl}/auth/callback`], postLogoutRedirectUris: [`${publicUrl}/auth/signed-out`] }],
      people: DEMO_PEOPLE,
    });
    env = await startSlackLoupe('pglite', {
      giveAdminToken: true,
      env: { PORT: String(port), PUBLIC_URL: publicUrl, OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT.clientId, OIDC_CLIENT_SECRET: CLIENT.clientSecret },
    });
    await env.loupe.services.storage.policies.change(env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: 'U0ADMIN001' });
  });
  afterAll(async () => {
    await env?.close();
    await idp?.close();
  });

  it('refuses a frame claiming far more pixels than its header, quickly, and still serves the image’s honest frame', async () => {
    // An 8 KB file: frame 1 says it is 10000 × 10000 in a 64 × 64 image (on the event loop: ten seconds and a gigabyte).
    const { api } = await openAsSender(await j2kDicom(64, [64, 10_000], 'MRN-FRAMES-1'));
    const info = await api('/info');
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ kind: 'dicom', frames: 2, rows: 64, columns: 64 });
    const hostile = await api('/frames/1');
    expect(hostile.status).toBe(422);
    expect(await hostile.json()).toEqual({ error: 'frame_unavailable' });
    const honest = await api('/frames/0');
    expect(honest.status).toBe(200);
    expect([honest.headers.get('x-loupe-rows'), honest.headers.get('x-loupe-columns')]).toEqual(['64', '64']);
    expect((await honest.arrayBuffer()).byteLength).toBe(64 * 64 * 2);
    expect((await api('/frames/2')).status).toBe(404);
  }, 180_000);

  it('answers /healthz again and again while the frames of a heavy image are decoded for seconds', async () => {
    // 5000 × 5000 × 2 frames of 16-bit JPEG 2000: seconds of decoding per frame, which used to run on the server's event loop.
    const size = 5000;
    const { api } = await openAsSender(await j2kDicom(size, [size, size], 'MRN-FRAMES-2'));
    // When each frame was asked for and when its last byte arrived.
    const windows: { from: number; to: number }[] = [];
    const frames = (async () => {
      const answers: { status: number; rows: string | null; bytes: number }[] = [];
      for (const index of [0, 1, 0, 1]) {
        const from = performance.now();
        const res = await api(`/frames/${index}`);
        answers.push({ status: res.status, rows: res.headers.get('x-loupe-rows'), bytes: (await res.arrayBuffer()).byteLength });
        windows.push({ from, to: performance.now() });
      }
      return answers;
    })();
    const health = await healthWhile(port, frames);
    expect(await frames).toEqual(Array(4).fill({ status: 200, rows: String(size), bytes: size * size * 2 }));
    expect(health.every((h) => h.status === 200)).toBe(true);
    // The positive check, without a clock's threshold (how long the decoding takes depends on the machine and on
    // what else it runs): while each frame was being decoded the server went on answering, asked and answered again
    // and again inside that frame's request. Decoding on the event loop
    // blocked every answer until the frame was done, so at most the odd one fitted in while its bytes were sent.
    // Only the first request of each frame decodes: the repeats come from the viewer's recent views (memory, a
    // minute), in as long as 50 MB takes to send, which left room for only 4 answers on Node.js 24.
    const decoding = windows.slice(0, 2);
    const answeredWithin = decoding.map(({ from, to }) => health.filter((h) => h.askedAt >= from && h.answeredAt <= to).length);
    for (const count of answeredWithin) expect(count, `health answers within each frame's decoding: ${answeredWithin.join(', ')}`).toBeGreaterThanOrEqual(5);
  }, 300_000);
});
