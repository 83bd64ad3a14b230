// Upload-to-card latency: a clinician drops a 4 MB phone photo into a consult
// channel of the local Slack stand-in; the clock runs until Loupe's card for
// it is posted in the thread (signed event, download, clean-up, encryption,
// database, chat.postMessage). 1, 10 and 50 uploads at once, on the embedded
// database and on PostgreSQL, with the default two workers.
import { measureUploadToCard, onBothDatabases } from './lib.js';
import { startBenchLoupe } from './slack-loupe.js';

const CHANNEL = 'C0WOUNDS01';
const UPLOADERS = ['U0CLIN0001', 'U0CLIN0002', 'U0NURSE001'];

async function run(label: string, photo: Buffer, env: NodeJS.ProcessEnv): Promise<void> {
  const bench = await startBenchLoupe(env, CHANNEL);
  const { slack, config } = bench;
  try {
    console.log(`${label}: ${config.worker.concurrency} workers`);
    await measureUploadToCard({
      upload: async (i) => (await slack.uploadFile({ user: UPLOADERS[i % UPLOADERS.length]!, channel: CHANNEL, name: `bench-${i}.jpg`, bytes: photo })).ts,
      cards: () => slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => [String(c.params['thread_ts'] ?? ''), c.at] as const),
    });
  } finally {
    await bench.stop();
  }
}

await onBothDatabases('slack', run);
