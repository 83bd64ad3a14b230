// What the Slack upload benchmarks share: Loupe started in a process of its
// own (loupe-process.ts) against the local Slack stand-in, asked over IPC,
// and the stand-in's side of a burst (a clinician's upload, the cards and
// removals Loupe posts, the floor).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { SlackStandIn } from '../src/demo/slack/index.js';
import { jobsSettled, type UploadToCard } from './lib.js';
import type { LoupeProcessReady, LoupeProcessRequest } from './loupe-process.js';

export const CHANNEL = 'C0WOUNDS01';
/** Interception is off here: the floor's photos are not Loupe's to take. */
const FLOOR_CHANNEL = 'C0RADIOL01';
const UPLOADERS = ['U0CLIN0001', 'U0CLIN0002', 'U0NURSE001'];
export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

type Request = LoupeProcessRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Ask = <T>(request: Request) => Promise<T>;

/** Asks the Loupe process; resolves with its answer. */
function asker(child: ChildProcess): Ask {
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

export interface LoupeChild {
  child: ChildProcess;
  ready: LoupeProcessReady['ready'];
  ask: Ask;
  /** Stops Loupe as an operator would (gracefully), and waits for its process to exit. */
  stop(): Promise<void>;
}

/** Starts one Loupe process configured from `env` for the stand-in, with interception on in CHANNEL; resolves once it listens. */
export async function forkLoupe(slack: SlackStandIn, env: NodeJS.ProcessEnv): Promise<LoupeChild> {
  const child = fork(new URL('./loupe-process.js', import.meta.url), [], {
    env: { ...process.env, ...env, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_ADMIN_USER_TOKEN: 'xoxp-bench', SLACK_API_URL: slack.apiUrl, BENCH_CHANNEL: CHANNEL },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = asker(child);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    await ask({ type: 'stop' }).catch(() => child.kill());
    await exited;
  };
  try {
    const [{ ready }] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => Promise.reject(new Error('Loupe exited before it was ready')))])) as [LoupeProcessReady];
    return { child, ready, ask, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs `fn` with a fresh stand-in and one Loupe process whose events it sends, both stopped afterwards. */
export async function withSlackLoupe(env: NodeJS.ProcessEnv, fn: (slack: SlackStandIn, loupe: LoupeChild) => Promise<void>): Promise<void> {
  const slack = await SlackStandIn.start({ signingSecret: SIGNING_SECRET, botToken: 'xoxb-bench', adminUserToken: 'xoxp-bench' });
  try {
    const loupe = await forkLoupe(slack, env);
    try {
      slack.setEventsUrl(`http://127.0.0.1:${loupe.ready.port}/slack/events`);
      await fn(slack, loupe);
    } finally {
      await loupe.stop();
    }
  } finally {
    await slack.close();
  }
}

/** The stand-in as measureUploadToCard drives it: `photo` (or a file of `type`) uploaded by the clinicians, settled when `loupe` has no upload job left. */
export function slackChat(slack: SlackStandIn, photo: Buffer, loupe: LoupeChild, type: { extension: string; mimetype?: string } = { extension: 'jpg' }): UploadToCard {
  const threadOfFile = new Map<string, string>();
  return {
    upload: async (i) => {
      const file = { name: `bench-${i}.${type.extension}`, bytes: photo, ...(type.mimetype ? { mimetype: type.mimetype } : {}) };
      const posted = await slack.uploadFile({ user: UPLOADERS[i % UPLOADERS.length]!, channel: CHANNEL, ...file });
      threadOfFile.set(posted.fileId, posted.ts);
      return { thread: posted.ts, ackMs: posted.responses.map((r) => r.ms ?? Number.NaN) };
    },
    cards: () => slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => [String(c.params['thread_ts'] ?? ''), c.at] as const),
    removals: () => slack.calls.filter((c) => c.method === 'files.delete').map((c) => [threadOfFile.get(String(c.params['file'])) ?? '', c.at] as const),
    settled: () => jobsSettled(() => loupe.ask<number>({ type: 'pending' })),
    floor: async (concurrent) => {
      const files = await Promise.all(Array.from({ length: concurrent }, (_, i) => slack.uploadFile({ user: UPLOADERS[0]!, channel: FLOOR_CHANNEL, name: `floor-${i}.jpg`, bytes: photo }, { deliver: false })));
      return loupe.ask<number[]>({ type: 'floor', fileIds: files.map((f) => f.fileId) });
    },
  };
}
