// Upload-to-card latency: a clinician drops a 4 MB phone photo into a consult
// channel of the local Slack stand-in; the clock runs until Loupe's card for
// it is posted in the thread (signed event acknowledged, download,
// encryption, database, chat.postMessage; the clean-up follows in its own
// job). 1, 10, 50 and 200 uploads at once, on the embedded database and on
// PostgreSQL, with Loupe's default settings, Loupe in a process of its own
// (loupe-process.ts) and the stand-in, standing for Slack's cloud, in this
// one. Each burst also reports how long Slack waited for its events to be
// acknowledged, when each original left the chat, and the floor: the same
// photos downloaded from the stand-in, encrypted and written to a folder with
// nothing else, in Loupe's process.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { SlackStandIn } from '../src/demo/slack/index.js';
import { jobsSettled, measureUploadToCard, onBothDatabases } from './lib.js';
import type { LoupeProcessReady, LoupeProcessRequest } from './loupe-process.js';

const CHANNEL = 'C0WOUNDS01';
/** Interception is off here: the floor's photos are not Loupe's to take. */
const FLOOR_CHANNEL = 'C0RADIOL01';
const UPLOADERS = ['U0CLIN0001', 'U0CLIN0002', 'U0NURSE001'];
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

type Request = LoupeProcessRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Asks the Loupe process; resolves with its answer. */
function asker(child: ChildProcess): <T>(request: Request) => Promise<T> {
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id?: number; value?: unknown; error?: string }) => {
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id!);
    if (m.error) w.reject(new Error(m.error));
    else w.resolve(m.value);
  });
  // A Loupe that dies answers nothing more: fail what waits rather than hang the run.
  child.once('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`Loupe exited (${signal ?? code})`));
    waiting.clear();
  });
  return <T>(request: Request) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...request, id });
    });
}

async function run(label: string, photo: Buffer, env: NodeJS.ProcessEnv, engine: 'embedded' | 'PostgreSQL'): Promise<void> {
  const slack = await SlackStandIn.start({ signingSecret: SIGNING_SECRET, botToken: 'xoxb-bench', adminUserToken: 'xoxp-bench' });
  const child = fork(new URL('./loupe-process.js', import.meta.url), [], {
    env: { ...process.env, ...env, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_ADMIN_USER_TOKEN: 'xoxp-bench', SLACK_API_URL: slack.apiUrl, BENCH_CHANNEL: CHANNEL },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = asker(child);
  const threadOfFile = new Map<string, string>();
  try {
    const [{ ready }] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => Promise.reject(new Error('Loupe exited before it was ready')))])) as [LoupeProcessReady];
    slack.setEventsUrl(`http://127.0.0.1:${ready.port}/slack/events`);
    console.log(`${label}: ${ready.imagingJobs} imaging jobs and ${ready.otherJobs} other jobs at once, Loupe in a process of its own`);
    await measureUploadToCard(
      {
        upload: async (i) => {
          const posted = await slack.uploadFile({ user: UPLOADERS[i % UPLOADERS.length]!, channel: CHANNEL, name: `bench-${i}.jpg`, bytes: photo });
          threadOfFile.set(posted.fileId, posted.ts);
          return { thread: posted.ts, ackMs: posted.responses.map((r) => r.ms ?? Number.NaN) };
        },
        cards: () => slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => [String(c.params['thread_ts'] ?? ''), c.at] as const),
        removals: () => slack.calls.filter((c) => c.method === 'files.delete').map((c) => [threadOfFile.get(String(c.params['file'])) ?? '', c.at] as const),
        settled: () => jobsSettled(() => ask<number>({ type: 'pending' })),
        floor: async (concurrent) => {
          const files = await Promise.all(Array.from({ length: concurrent }, (_, i) => slack.uploadFile({ user: UPLOADERS[0]!, channel: FLOOR_CHANNEL, name: `floor-${i}.jpg`, bytes: photo }, { deliver: false })));
          return ask<number[]>({ type: 'floor', fileIds: files.map((f) => f.fileId) });
        },
      },
      { engine, cardP95At50: engine === 'PostgreSQL' ? 1.5 : 2, ackP95At200: 500 },
    );
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      await ask({ type: 'stop' }).catch(() => child.kill());
      await exited;
    }
    await slack.close();
  }
}

await onBothDatabases('slack', run);
