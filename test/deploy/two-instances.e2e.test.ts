// Two `loupe serve` processes on one PostgreSQL and one S3-compatible store
// (Swift), behind a load balancer that sends each request to the next
// instance in turn, as a hospital runs Loupe: uploads and views go through
// both; every upload gets one card (its jobs ran once), the sweeps are
// scheduled once per period however many instances ask, a sign-in started on
// one instance finishes on the other and its session works on both, the
// bodies are ciphertext in the object store and nowhere on either instance's
// disk, and the audit trail is one intact chain.
import { readdir, readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../../src/demo/slack/index.js';
import { DEMO_PEOPLE, startIdentityProvider, type RunningIdentityProvider } from '../../src/demo/identity-provider/index.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { AUDIT_VERIFY_JOB } from '../../src/app/audit-verify-sweep.js';
import { CARD_SWEEP_JOB } from '../../src/app/card-sweep.js';
import { ALERT_SWEEP_JOB } from '../../src/app/evaluate-alerts.js';
import { RETENTION_SWEEP_JOB } from '../../src/app/retention-sweep.js';
import { DEBRIS_SWEEP_JOB } from '../../src/jobs/debris-sweep.js';
import { launchChromium } from '../support/chromium.js';
import { cli } from '../support/cli.js';
import { ctDicom } from '../support/console-uploads.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startRoundRobin, type RoundRobin } from '../support/round-robin.js';
import { spawnServe, type ServeProcess } from '../support/serve-process.js';
import { clientConfig, startSwiftS3, type S3Server } from '../support/swift-s3.js';
import { until } from '../support/until.js';

const RADIOLOGY = 'C0RADIOL01';
const WOUNDS = 'C0WOUNDS01';
const AMARA = { id: 'U0CLIN0001', email: 'amara.okafor@hospital.example' };
const ADMIN = 'U0ADMIN001';
const BUCKET = 'loupe-two';
const MRN = 'MRN-TWO-1';
const SWEEPS = [CARD_SWEEP_JOB, AUDIT_VERIFY_JOB, ALERT_SWEEP_JOB, RETENTION_SWEEP_JOB, DEBRIS_SWEEP_JOB];

describe('two Loupe instances on one PostgreSQL and one S3 store', { timeout: 300_000 }, () => {
  let swift: S3Server;
  let s3: S3Client;
  let slack: SlackStandIn;
  let idp: RunningIdentityProvider;
  let balancer: RoundRobin;
  let inst: InstanceEnv;
  let keys: string;
  let db: Database;
  let browser: Browser;
  const instances: { serve: ServeProcess; port: number; dataDir: string; stopped?: boolean }[] = [];
  const uploads: { ts: string; bytes: Buffer }[] = [];

  beforeAll(async () => {
    swift = await startSwiftS3();
    s3 = new S3Client(clientConfig(swift));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const signingSecret = 'two-instances-signing-secret-0123456789';
    slack = await SlackStandIn.start({ signingSecret, botToken: 'xoxb-loupe-two', adminUserToken: 'xoxp-loupe-two' });
    // The balancer sends requests to the instances still serving (as one whose readiness fails is taken out).
    balancer = await startRoundRobin(() => instances.filter((i) => !i.stopped).map((i) => i.port));
    idp = await startIdentityProvider({
      clients: [{ clientId: 'loupe-two', clientSecret: 'two-secret-0123456789', redirectUris: [`${balancer.url}/auth/callback`], postLogoutRedirectUris: [`${balancer.url}/auth/signed-out`] }],
      people: DEMO_PEOPLE,
    });
    inst = await createInstanceEnv('postgres');
    keys = await readFile(join(inst.dataDir, 'keys.json'), 'utf8');
    // What both instances share, as a deployment's secrets and settings would give it: the database, the keys, the store, Slack, the provider.
    const shared: NodeJS.ProcessEnv = {
      ...inst.env,
      LOUPE_KEYS: keys,
      LOUPE_BLOB_STORE: 's3',
      LOUPE_S3_ENDPOINT: swift.endpoint,
      LOUPE_S3_REGION: swift.region,
      LOUPE_S3_BUCKET: BUCKET,
      LOUPE_S3_PREFIX: 'loupe/',
      LOUPE_S3_ACCESS_KEY_ID: swift.accessKeyId,
      LOUPE_S3_SECRET_ACCESS_KEY: swift.secretAccessKey,
      LOUPE_S3_FORCE_PATH_STYLE: 'true',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_BOT_TOKEN: 'xoxb-loupe-two',
      SLACK_ADMIN_USER_TOKEN: 'xoxp-loupe-two',
      SLACK_API_URL: slack.apiUrl,
      PUBLIC_URL: balancer.url,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: 'loupe-two',
      OIDC_CLIENT_SECRET: 'two-secret-0123456789',
      // Sweeps every second, so both instances ask for them many times while the test runs.
      LOUPE_CARD_SWEEP_SECONDS: '1',
    };
    // Started together, as a deployment's first rollout starts them: both record the keys and queue the sweeps at once.
    const started = await Promise.all(
      [0, 1].map(async (i) => {
        const dataDir = await mkdtemp(join(tmpdir(), `loupe-instance-${i}-`));
        const serve = spawnServe({ ...shared, LOUPE_DATA_DIR: dataDir });
        return { serve, port: await serve.listening, dataDir };
      }),
    );
    instances.push(...started);
    slack.setEventsUrl(`${balancer.url}/slack/events`);
    db = await openDatabase({ url: inst.env.DATABASE_URL! });
    browser = await launchChromium();
    for (const channel of [RADIOLOGY, WOUNDS]) {
      const r = await slack.slashCommand({ user: ADMIN, channel, command: '/loupe', text: 'policy set interception on' });
      expect(r.status).toBe(200);
    }
  });
  afterAll(async () => {
    await browser?.close();
    for (const i of instances) {
      if (i.serve.child.exitCode === null) i.serve.child.kill('SIGTERM');
      await i.serve.exited;
      await rm(i.dataDir, { recursive: true, force: true });
    }
    await db?.close();
    await balancer?.close();
    await idp?.close();
    await slack?.close();
    s3?.destroy();
    await swift?.stop();
    await inst?.cleanup();
  });

  const cardsIn = (ts: string) => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.params.thread_ts === ts);

  it('takes uploads through both instances: one card each, every job run once, ciphertext in the store and nothing on either disk', async () => {
    const photos = await makePhotoFixtures(instances[0]!.dataDir);
    for (let i = 0; i < 4; i++) {
      const bytes = await readFile(photos.jpeg);
      const up = await slack.uploadFile({ user: AMARA.id, channel: WOUNDS, name: `wound-${i}.jpg`, bytes, mimetype: 'image/jpeg' });
      uploads.push({ ts: up.ts, bytes });
    }
    for (let i = 0; i < 2; i++) {
      const bytes = await ctDicom(MRN, 'urn:oid:1.2.3');
      const up = await slack.uploadFile({ user: AMARA.id, channel: RADIOLOGY, name: `ct-${i}.dcm`, bytes });
      uploads.push({ ts: up.ts, bytes });
    }
    for (const u of uploads) await until('its card', () => cardsIn(u.ts)[0], 120_000);
    // Both instances took events.
    for (const i of instances) expect((balancer.served.get(i.port) ?? []).filter((p) => p === '/slack/events').length).toBeGreaterThan(0);
    await until(
      'every job done',
      // Due now: a removal's re-check and Slack's reconciliation are queued for later on purpose.
      async () => ((await db.prisma.job.count({ where: { type: { notIn: SWEEPS }, OR: [{ status: 'running' }, { status: 'queued', runAt: { lte: new Date() } }] } })) === 0 ? true : undefined),
      120_000,
    );
    for (const u of uploads) expect(cardsIn(u.ts)).toHaveLength(1);
    // Once each: no job needed a second attempt, none died.
    expect(await db.prisma.job.findMany({ where: { OR: [{ status: 'dead' }, { attempts: { gt: 1 } }] }, select: { type: true, lastError: true } })).toEqual([]);

    const blobs = await db.prisma.blob.findMany({ select: { storageKey: true } });
    const stored = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'loupe/' }))).Contents ?? [];
    expect(stored.map((o) => o.Key).sort()).toEqual(blobs.map((b) => `loupe/${b.storageKey}`).sort());
    for (const o of stored) {
      const body = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key }))).Body!.transformToByteArray());
      expect(body.includes(Buffer.from(MRN))).toBe(false);
      // No 64 bytes of any upload (from past a DICOM file's zero preamble) in the clear.
      for (const u of uploads) expect(body.includes(u.bytes.subarray(200, 264))).toBe(false);
    }
    for (const i of instances) {
      const names = await readdir(i.dataDir, { recursive: true });
      expect(names.filter((n) => n.startsWith('blobs'))).toEqual([]);
    }
  });

  it('schedules each sweep once per period, however many instances ask', async () => {
    // Both instances queued every sweep at start and the card sweep runs every second, on whichever instance claims it first.
    for (const type of SWEEPS) expect(await db.prisma.job.count({ where: { type, status: 'queued' } })).toBeLessThanOrEqual(1);
    const runs = await db.prisma.job.findMany({ where: { type: CARD_SWEEP_JOB, status: 'done' }, select: { dedupeKey: true, attempts: true } });
    expect(runs.length).toBeGreaterThan(2);
    expect(new Set(runs.map((r) => r.dedupeKey)).size).toBe(runs.length);
    expect(runs.every((r) => r.attempts === 1)).toBe(true);
  });

  it('signs in with a sign-in started on one instance and finished on the other, and views through both', async () => {
    const card = cardsIn(uploads[4]!.ts)[0]!;
    const url = /"url":"([^"]+\/view\/[^"]+)"/.exec(String(card.params.blocks))![1]!;
    expect(url.startsWith(balancer.url)).toBe(true);
    const seen = () => new Map(instances.map((i) => [i.port, (balancer.served.get(i.port) ?? []).length]));
    const before = seen();
    // The sign-in starts on one instance and the provider's callback reaches the other.
    balancer.steer((path) => (path.startsWith('/auth/login') ? instances[0]!.port : path.startsWith('/auth/callback') ? instances[1]!.port : undefined));
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    await page.fill('#email', AMARA.email);
    await page.fill('#password', 'demo');
    await Promise.all([page.waitForLoadState('load'), page.click('button.primary')]);
    await page.waitForSelector('#preset-label:not([hidden])');
    balancer.steer(undefined);
    expect(await page.textContent('#what')).toContain('CT');
    const during = instances.map((i) => (balancer.served.get(i.port) ?? []).slice(before.get(i.port)));
    const login = during.findIndex((paths) => paths.some((p) => p.startsWith('/auth/login')));
    const callback = during.findIndex((paths) => paths.some((p) => p.startsWith('/auth/callback')));
    expect(login).toBeGreaterThanOrEqual(0);
    expect(callback).toBeGreaterThanOrEqual(0);
    expect(callback).not.toBe(login);
    // And the viewer's requests went to both.
    for (const paths of during) expect(paths.some((p) => p.includes('/viewer/api/'))).toBe(true);
    // The session made on one instance opens the image on each instance directly.
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const token = url.split('/view/')[1]!;
    for (const i of instances) {
      const r = await fetch(`http://127.0.0.1:${i.port}/viewer/api/${token}/info`, { headers: { cookie } });
      expect(r.status).toBe(200);
    }
    // A stranger's request, on either instance, is refused.
    for (const i of instances) expect((await fetch(`http://127.0.0.1:${i.port}/viewer/api/${token}/info`)).status).toBe(401);
  });

  it('keeps one audit chain that verifies, written by both instances', async () => {
    const { status, out } = await cli({ ...inst.env, LOUPE_KEYS: keys }, 'audit', 'verify');
    expect(status).toBe(0);
    // Each instance recorded its start in the same chain.
    expect(await db.prisma.auditEvent.count({ where: { action: 'service.started' } })).toBe(2);
    expect(out).toMatch(/^audit chain intact: \d+ events/);
  });

  it('stops one instance gracefully while the other carries on', async () => {
    const first = instances[0]!;
    first.stopped = true;
    first.serve.child.kill('SIGTERM');
    expect(await first.serve.exited).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { action: 'service.stopped' } })).toBe(1);
    const up = await slack.uploadFile({ user: AMARA.id, channel: RADIOLOGY, name: 'ct-after.dcm', bytes: await ctDicom(MRN, 'urn:oid:1.2.3') });
    expect(up.responses.every((r) => r.status === 200)).toBe(true);
    await until('its card, from the instance left', () => cardsIn(up.ts)[0], 120_000);
  });
});
