// Upload-to-card latency on Teams: a clinician posts a 4 MB phone photo in the
// Wound consult channel of the local Teams stand-in; the clock runs until
// Loupe's card is in the thread (signed activity, Graph and SharePoint
// download, encryption, database, Bot Connector reply; the clean-up follows
// in its own job). 1, 10, 50 and 200 uploads at once, on the embedded
// database and on PostgreSQL, with Loupe's default settings: the same
// figures as slack-upload, for comparison.
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS } from '../src/demo/teams/index.js';
import { jobsSettled, measureUploadToCard, onBothDatabases, pendingUploadJobs } from './lib.js';
import { startTeamsBenchLoupe } from './teams-loupe.js';

const CHANNEL = TEAMS_DEMO_TEAM.channels.wound.id;
const POSTERS = [TEAMS_DEMO_USERS.amara, TEAMS_DEMO_USERS.liWei, TEAMS_DEMO_USERS.sam].map((u) => u.aadObjectId);

async function run(label: string, photo: Buffer, env: NodeJS.ProcessEnv, engine: 'embedded' | 'PostgreSQL'): Promise<void> {
  const bench = await startTeamsBenchLoupe(env);
  const { teams, config, loupe } = bench;
  try {
    console.log(`${label}: ${config.worker.concurrency} imaging jobs and ${config.worker.chatConcurrency} other jobs at once`);
    await measureUploadToCard(
      {
        upload: async (i) => {
          const t0 = performance.now();
          const posted = await teams.postFile({ user: POSTERS[i % POSTERS.length]!, place: { team: TEAMS_DEMO_TEAM.id, channel: CHANNEL }, name: `bench-${i}.jpg`, bytes: photo });
          // A channel post's card is a reply in its thread, which Teams names after the root message.
          return { thread: `${CHANNEL};messageid=${posted.messageId}`, ackMs: [performance.now() - t0] };
        },
        cards: () => teams.messages.filter((m) => m.byBot).map((m) => [m.conversationId, Date.parse(m.createdDateTime)] as const),
        settled: () => jobsSettled(() => pendingUploadJobs(loupe.services.storage.db.prisma)),
      },
      { engine: `${engine}, Teams`, cardP95At50: engine === 'PostgreSQL' ? 1.5 : 2 },
    );
  } finally {
    await bench.stop();
  }
}

await onBothDatabases('teams', run);
