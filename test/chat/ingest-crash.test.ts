// The crash test: `loupe serve` as a real child process against the Slack
// stand-in, fed round after round of real photos, DICOM files and zipped studies, killed with
// SIGKILL at random points of their ingest (seeded: set LOUPE_CRASH_SEED to
// replay a run) and restarted each time. After draining, every upload is
// accounted for (out of the chat with exactly one card, or its uploader told),
// nothing of them is in the clear on disk or in the database, and the audit
// chain verifies.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONCILE_JOB } from '../../src/chat/slack/reconcile.js';
import { SlackStandIn } from '../../src/demo/slack/index.js';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { openDatabase } from '../../src/storage/database.js';
import { testEngines } from '../support/engines.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';
import { makePhotoFixtures } from '../support/photos.js';
import { SLACK_ADMIN, until } from '../support/slack.js';
import { studySlices, zipOf } from '../support/study-archive.js';
import { seededRandom } from '../../scripts/seeded-random.js';
import { LOUPE_CLI } from '../support/build.js';

// At least 20; LOUPE_CRASH_KILLS raises it (or lowers it for a quick look while developing).
const KILLS = Number(process.env.LOUPE_CRASH_KILLS ?? 20);
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const PATIENT = { name: 'VANTERPOOL^EUDORA', identifier: 'MRN40817K', birthDate: '19520611' };
const CHANNELS = ['C0WOUNDS01', 'C0RADIOL01'];
const UPLOADERS = ['U0CLIN0001', 'U0CLIN0002', 'U0NURSE001'];
const SEED = Number(process.env.LOUPE_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Sample {
  name: string;
  bytes: Buffer;
  mimetype: string;
}

/** Real files: the phone photos of the test fixtures, and pydicom's CT and MR with the patient planted in their headers. */
async function samples(dir: string): Promise<Sample[]> {
  const photos = await makePhotoFixtures(dir);
  const planted = async (file: string) => {
    const instance = readInstance(await readFile(join(PYDICOM, file)), DEFAULT_LIMITS);
    const ds = instance.dicom.dict;
    ds['00100010'] = { vr: 'PN', Value: [{ Alphabetic: PATIENT.name }] };
    ds['00100020'] = { vr: 'LO', Value: [PATIENT.identifier] };
    ds['00100030'] = { vr: 'DA', Value: [PATIENT.birthDate] };
    return writeInstance(instance);
  };
  // A vendor file the DICOM library throws on (over-long DS): it must end reported, never lost.
  const vendor = join(dir, 'vendor.dcm');
  await writeFile(vendor, await planted('CT_small.dcm'));
  execFileSync('dcmodify', ['-nb', '-m', '(0018,0050)=5.00000000000000000000000000001', vendor]);
  return [
    { name: 'wound.jpg', bytes: await readFile(photos.jpeg), mimetype: 'image/jpeg' },
    { name: 'scan.png', bytes: await readFile(photos.png), mimetype: 'image/png' },
    { name: 'photo.webp', bytes: await readFile(photos.webp), mimetype: 'image/webp' },
    { name: 'iphone.heic', bytes: await readFile(photos.heic), mimetype: 'image/heic' },
    { name: 'ct.dcm', bytes: await planted('CT_small.dcm'), mimetype: 'application/dicom' },
    { name: 'mr.dcm', bytes: await planted('MR_small.dcm'), mimetype: 'application/dicom' },
    { name: 'vendor.dcm', bytes: await readFile(vendor), mimetype: 'application/dicom' },
    // A whole study: killed halfway through its images, it resumes with those already stored; its images name the patient.
    { name: 'study.zip', bytes: await zipOf(await studySlices({ patient: PATIENT, series: [4, 3] })), mimetype: 'application/zip' },
  ];
}

/** Stretches of a file that could not occur anywhere by chance (varied bytes), to look for in the clear. */
function fingerprints(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 48 <= bytes.length && out.length < 4; at += Math.max(48, Math.floor(bytes.length / 6))) {
    const slice = bytes.subarray(at, at + 48);
    if (new Set(slice).size >= 24) out.push(slice);
  }
  return out;
}

describe.each(testEngines())('ingest survives kill -9 on %s', (engine) => {
  let inst: InstanceEnv;
  let slack: SlackStandIn;
  let fixtures: string;
  let port: number;
  let child: ChildProcess | undefined;
  // Everything the children logged (the tail is shown when something goes wrong).
  let output = '';
  const signingSecret = `crash-signing-secret-${engine}-0123456789`;

  beforeAll(async () => {
    slack = await SlackStandIn.start({ signingSecret, botToken: 'xoxb-crash-bot', adminUserToken: 'xoxp-crash-admin' });
    inst = await createInstanceEnv(engine, {
      // Any free port; each start says which in its log, and the stand-in is pointed there.
      PORT: '0',
      PUBLIC_URL: 'http://127.0.0.1:3000',
      LOG_LEVEL: 'info',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_BOT_TOKEN: 'xoxb-crash-bot',
      SLACK_ADMIN_USER_TOKEN: 'xoxp-crash-admin',
      SLACK_API_URL: slack.apiUrl,
      LOUPE_JOB_LEASE_SECONDS: '5',
      LOUPE_JOB_POLL_MS: '50',
      LOUPE_SHUTDOWN_TIMEOUT_SECONDS: '5',
    });
    fixtures = await mkdtemp(join(tmpdir(), 'loupe-crash-files-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await slack?.close();
    await inst?.cleanup();
    if (fixtures) await rm(fixtures, { recursive: true, force: true });
  });

  async function serve(): Promise<ChildProcess> {
    const proc = spawn(process.execPath, [LOUPE_CLI, 'serve'], { env: { ...process.env, ...inst.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    let exited = false;
    proc.once('exit', () => (exited = true));
    const from = output.length;
    port = await until(
      'loupe serve listening',
      () => {
        if (exited) throw new Error(`loupe serve exited early:\n${output.slice(-4000)}`);
        const line = /"port":(\d+)[^\n]*"msg":"Loupe is listening"/.exec(output.slice(from));
        return line ? Number(line[1]) : undefined;
      },
      120_000,
    );
    slack.setEventsUrl(`http://127.0.0.1:${port}/slack/events`);
    return proc;
  }

  async function kill(proc: ChildProcess): Promise<void> {
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await gone;
  }

  it(`accounts for every upload across ${KILLS} kills at random points of ingest: one card or a report, nothing in the clear, the chain intact`, async () => {
    process.stdout.write(`ingest crash test on ${engine}: seed ${SEED} (LOUPE_CRASH_SEED=${SEED} replays it)\n`);
    const started = performance.now();
    const random = seededRandom(SEED);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const pool = await samples(fixtures);
    child = await serve();
    for (const channel of CHANNELS) {
      await slack.slashCommand({ user: SLACK_ADMIN, channel, command: '/loupe', text: 'policy set interception on' });
      await slack.slashCommand({ user: SLACK_ADMIN, channel, command: '/loupe', text: 'policy set pattern \\b(MRN\\d{5}[A-Z])\\b' });
    }
    const uploads: { fileId: string; ts: string; user: string; sample: Sample }[] = [];
    const delays: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      const count = 2 + Math.floor(random() * 3);
      for (let i = 0; i < count; i++) {
        const sample = pick(pool);
        const user = pick(UPLOADERS);
        const text = random() < 0.5 ? `please review ${PATIENT.identifier}` : '';
        const up = await slack.uploadFile({ user, channel: pick(CHANNELS), name: sample.name, bytes: sample.bytes, mimetype: sample.mimetype, text });
        // Acknowledged at once; an upload whose accepting a kill cut short is found again by the reconciliation at the next start.
        expect(up.responses[0]?.status).toBe(200);
        uploads.push({ fileId: up.fileId, ts: up.ts, user, sample });
      }
      const delay = Math.floor(random() * 2500);
      delays.push(delay);
      await sleep(delay);
      await kill(child);
      child = await serve();
    }
    const killedIn = performance.now() - started;
    process.stdout.write(`${engine}: ${uploads.length} uploads, ${KILLS} kills after ${delays.join(', ')} ms (${(killedIn / 1000).toFixed(0)} s)\n`);

    // Drain: every upload reaches its end as the chat sees it.
    const cardsOf = (ts: string) => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.params.thread_ts === ts && c.token === 'xoxb-crash-bot');
    const reported = (u: (typeof uploads)[number]) =>
      slack.calls.some((c) => c.method === 'chat.postEphemeral' && c.params.thread_ts === u.ts && c.params.user === u.user && String(c.params.text).includes('could not secure'));
    const settled = (u: (typeof uploads)[number]) => (slack.file(u.fileId)?.deleted && cardsOf(u.ts).length >= 1) || reported(u);
    await until('every upload settled', () => uploads.every(settled), 90_000).catch((error: unknown) => {
      const open = uploads.filter((u) => !settled(u)).map((u) => `${u.sample.name} ${u.fileId}`);
      throw new Error(`${(error as Error).message}: ${open.join(', ')}\n${output.slice(-4000)}`);
    });
    // Let the removals still queued finish, then stop cleanly; a photo's clean-up runs after its card, so Loupe is
    // started again (as an operator would) until no upload is left in preparation.
    await until('every original removed or reported', () => uploads.every((u) => slack.file(u.fileId)?.deleted || reported(u)), 60_000);
    const embeddedDir = inst.env.DATABASE_URL ? undefined : join(inst.dataDir, 'db');
    for (let restarts = 0; ; restarts++) {
      const stopped = new Promise((r) => child!.once('exit', r));
      child!.kill('SIGTERM');
      await stopped;
      child = undefined;
      const db = await openDatabase({ url: inst.env.DATABASE_URL, dataDir: embeddedDir });
      // Uploads still in preparation, and upload jobs still to run (a file_shared follow-up waits 5 s for its message event).
      const [preparing, jobs] = await Promise.all([
        db.prisma.asset.count({ where: { status: { in: ['received', 'processing'] } } }),
        db.prisma.job.count({ where: { status: { in: ['queued', 'running'] }, type: { startsWith: 'slack.', not: RECONCILE_JOB } } }),
      ]).finally(() => db.close());
      if (preparing === 0 && jobs === 0) {
        process.stdout.write(`${engine}: settled ${((performance.now() - started - killedIn) / 1000).toFixed(0)} s after the last kill, ${restarts} more starts\n`);
        break;
      }
      if (restarts === 5) throw new Error(`${preparing} uploads still in preparation after ${restarts} restarts`);
      child = await serve();
      await sleep(8000);
    }

    // Nothing lost: out of the chat with exactly one card, or its uploader told.
    for (const u of uploads) {
      const cards = cardsOf(u.ts).length;
      expect(cards, `${u.sample.name} ${u.fileId} cards`).toBeLessThanOrEqual(1);
      expect((slack.file(u.fileId)?.deleted && cards === 1) || reported(u), `${u.sample.name} ${u.fileId} accounted for`).toBe(true);
    }
    const db = await openDatabase({ url: inst.env.DATABASE_URL, dataDir: inst.env.DATABASE_URL ? undefined : join(inst.dataDir, 'db') });
    try {
      const assets = await db.prisma.asset.findMany({ include: { blobs: { select: { kind: true } } } });
      expect(assets).toHaveLength(uploads.length);
      for (const a of assets) {
        expect(['stored', 'failed'], `asset ${a.id} ended`).toContain(a.status);
        if (a.status === 'failed') expect(a.blobs.map((b) => b.kind), `failed asset ${a.id} keeps its original only`).toEqual(a.errorCode === 'LOUPE_INGEST_ABANDONED' ? expect.any(Array) : ['original']);
      }
      const slackJobs = await db.prisma.job.groupBy({ by: ['status'], where: { type: { startsWith: 'slack.', not: RECONCILE_JOB } }, _count: { _all: true } });
      const outcomes: Record<string, number> = {};
      for (const a of assets) outcomes[a.errorCode ?? a.status] = (outcomes[a.errorCode ?? a.status] ?? 0) + 1;
      process.stdout.write(`${engine}: assets ${JSON.stringify(outcomes)}, slack jobs ${JSON.stringify(slackJobs.map((g) => [g.status, g._count._all]))}\n`);
      // The upload jobs are all done (the recurring reconciliation always has its next run queued).
      expect(slackJobs.filter((g) => g.status === 'queued' || g.status === 'running')).toEqual([]);
    } finally {
      await db.close();
    }

    // Nothing in the clear: no file under the data folder, and no row of the database, holds the uploads' bytes or the planted patient.
    const needles = [Buffer.from(PATIENT.identifier), Buffer.from('VANTERPOOL'), Buffer.from('EUDORA'), ...pool.flatMap((s) => fingerprints(s.bytes))];
    expect(needles.length).toBeGreaterThan(3 + pool.length);
    const haystacks: [string, Buffer][] = [];
    for (const name of await readdir(inst.dataDir, { recursive: true })) {
      const file = await readFile(join(inst.dataDir, name)).catch(() => undefined);
      if (file) haystacks.push([name, file]);
    }
    if (engine === 'postgres') {
      const url = new URL(inst.env.DATABASE_URL!);
      const dump = spawnSync('pg_dump', ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres', '-n', url.searchParams.get('schema')!, url.pathname.slice(1)], { maxBuffer: 1 << 30 });
      expect(dump.status, String(dump.stderr)).toBe(0);
      haystacks.push(['pg_dump', dump.stdout]);
    }
    expect(haystacks.length).toBeGreaterThan(uploads.length);
    for (const [name, bytes] of haystacks) {
      for (const needle of needles) {
        // bytea columns appear hex-encoded in a dump.
        const found = bytes.includes(needle) || bytes.includes(Buffer.from(needle.toString('hex')));
        expect(found, `${name} holds plaintext`).toBe(false);
      }
    }

    // Nor did any of the processes log them.
    for (const value of [PATIENT.identifier, 'VANTERPOOL', 'EUDORA', PATIENT.birthDate]) expect(output, 'the logs').not.toContain(value);

    // The audit chain verifies.
    const verify = spawnSync(process.execPath, [LOUPE_CLI, 'audit', 'verify'], { env: { ...process.env, ...inst.env }, encoding: 'utf8' });
    expect(verify.status, `${verify.stdout}${verify.stderr}`).toBe(0);
  }, 1_200_000);
});
