// Upload-to-card latency: a clinician drops a 4 MB phone photo into a consult
// channel of the local Slack stand-in; the clock runs until Loupe's card for
// it is posted in the thread (signed event acknowledged, download,
// encryption, database, chat.postMessage; the clean-up follows in its own
// job). 1, 10, 50 and 200 uploads at once, on the embedded database and on
// PostgreSQL, with Loupe's default settings, Loupe in a process of its own
// (loupe-process.ts, started by slack-burst.ts) and the stand-in, standing
// for Slack's cloud, in this one. Each burst also reports how long Slack waited for its events to be
// acknowledged, when each original left the chat, and the floor: the same
// photos downloaded from the stand-in, encrypted and written to a folder with
// nothing else, in Loupe's process.
import { measureUploadToCard, onBothDatabases } from './lib.js';
import { slackChat, withSlackLoupe } from './slack-burst.js';

async function run(label: string, photo: Buffer, env: NodeJS.ProcessEnv, engine: 'embedded' | 'PostgreSQL'): Promise<void> {
  await withSlackLoupe(env, async (slack, loupe) => {
    console.log(`${label}: ${loupe.ready.imagingJobs} imaging jobs and ${loupe.ready.otherJobs} other jobs at once, Loupe in a process of its own`);
    await measureUploadToCard(slackChat(slack, photo, loupe), { engine, cardP95At50: engine === 'PostgreSQL' ? 1.5 : 2, ackP95At200: 500 });
  });
}

await onBothDatabases('slack', run);
