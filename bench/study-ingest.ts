// Study ingest: a clinician drops a whole CT series, 300 slices of 512 × 512
// 16-bit pixels zipped with deflate (as a PACS or a CD export hands it over),
// into a consult channel of the local Slack stand-in; the clock runs until
// the study's one card is posted in the thread (download, the archive checked
// and unpacked entry by entry in the imaging sandbox, each image kept and
// de-identified, encrypted, stacked, a thumbnail, the card). Three uploads of
// the same zip, one after another, each once the last one's jobs are done;
// Loupe in a process of its own (loupe-process.ts, as slack-upload), on its
// defaults, on the embedded database and on PostgreSQL. Also the peak
// resident set of Loupe's process and, apart, of its imaging sandbox child,
// from each upload until its jobs are done.
import type { SlackStandIn } from '../src/demo/slack/index.js';
import { studySlices, zipOf } from '../test/support/study-archive.js';
import { MB, figure, latenciesUntil, mb, onBothDatabases, reportLine, seconds } from './lib.js';
import { TreeRssSampler, type TreePeaks } from './process-memory.js';
import { slackChat, withSlackLoupe, type LoupeChild } from './slack-burst.js';

const SLICES = 300;
const RUNS = 3;
/** What the sandbox's children run, to tell them from Loupe's other children. */
const SANDBOX_CHILD = 'imaging/sandbox/child';

// Made once, in this process: the stand-in serves it to Loupe as Slack would.
const slices = await studySlices({ patient: { name: 'BENCH^STUDY', identifier: 'MRN-BENCH-01' }, series: [SLICES], size: { rows: 512, columns: 512 } });
const unpacked = slices.reduce((sum, s) => sum + s.data.length, 0);
const zip = await zipOf(slices.map(({ name, data }) => ({ name, data })));
figure('study', `${SLICES} CT slices, 512 x 512 16-bit, ${mb(unpacked)} unpacked, ${mb(zip.length)} zipped`);
const STUDY = `Study ingest, ${SLICES}-slice CT zip (${Math.round(unpacked / MB)} MB)`;

/** One upload: milliseconds to its card, and the peaks from the upload until its jobs are done. */
async function ingestOnce(slack: SlackStandIn, loupe: LoupeChild, i: number): Promise<{ ms: number; peaks: TreePeaks }> {
  const chat = slackChat(slack, zip, loupe, { extension: 'zip', mimetype: 'application/zip' });
  const sampler = new TreeRssSampler(loupe.child.pid!, SANDBOX_CHILD);
  sampler.start();
  const t0 = Date.now();
  const { thread } = await chat.upload(i);
  const [ms] = await latenciesUntil(new Map([[thread, t0]]), () => chat.cards());
  await chat.settled();
  const peaks = sampler.stop();
  // A refusal's notice or a wrong count would time something else than a study's card.
  const card = slack.calls.find((c) => c.method === 'chat.postMessage' && c.params['thread_ts'] === thread);
  if (!`${String(card?.params['text'])}${JSON.stringify(card?.params['blocks'])}`.includes(`${SLICES} images`)) throw new Error('the card does not tell the whole study');
  return { ms: ms!, peaks };
}

async function run(label: string, _photo: Buffer, env: NodeJS.ProcessEnv, engine: 'embedded' | 'PostgreSQL'): Promise<void> {
  await withSlackLoupe(env, async (slack, loupe) => {
    console.log(`${label}: Loupe in a process of its own, ${loupe.ready.imagingJobs} imaging jobs at once`);
    const runs: { ms: number; peaks: TreePeaks }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await ingestOnce(slack, loupe, i);
      figure(`run ${i + 1}: card`, seconds(r.ms));
      figure(`run ${i + 1}: peak RSS Loupe / sandbox child`, `${mb(r.peaks.root)} / ${mb(r.peaks.child)} (${r.peaks.children} child${r.peaks.children === 1 ? '' : 'ren'})`);
      runs.push(r);
    }
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
    const most = (of: (p: TreePeaks) => number) => mb(Math.max(...runs.map((r) => of(r.peaks))));
    const line = (what: string, figureText: string) => reportLine({ name: `${STUDY}, ${engine}: ${what}`, figure: figureText, target: 'reported', pass: null });
    line('seconds to card', `median ${seconds(ms[Math.floor(RUNS / 2)]!)} of ${RUNS} (${ms.map((m) => (m / 1000).toFixed(1)).join(', ')})`);
    line("Loupe process's peak RSS (VmRSS sampled, VmHWM)", `${most((p) => p.root)}, largest of ${RUNS}`);
    line("imaging sandbox child's peak RSS (VmRSS sampled, VmHWM)", `${most((p) => p.child)}, largest of ${RUNS}`);
  });
}

await onBothDatabases('study', run);
