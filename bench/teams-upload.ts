// Upload-to-card latency on Teams: a clinician posts a 4 MB phone photo in the
// Wound consult channel of the local Teams stand-in; the clock runs until
// Loupe's card is in the thread (signed activity, Graph and SharePoint
// download, clean-up, encryption, database, Bot Connector reply). 1, 10 and 50
// uploads at once, on the embedded database and on PostgreSQL, with the
// default two workers: the same figures as slack-upload, for comparison.
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS } from '../src/demo/teams/index.js';
import { measureUploadToCard, onBothDatabases } from './lib.js';
import { startTeamsBenchLoupe } from './teams-loupe.js';

const CHANNEL = TEAMS_DEMO_TEAM.channels.wound.id;
const POSTERS = [TEAMS_DEMO_USERS.amara, TEAMS_DEMO_USERS.liWei, TEAMS_DEMO_USERS.sam].map((u) => u.aadObjectId);

async function run(label: string, photo: Buffer, env: NodeJS.ProcessEnv): Promise<void> {
  const bench = await startTeamsBenchLoupe(env);
  const { teams, config } = bench;
  try {
    console.log(`${label}: ${config.worker.concurrency} workers`);
    await measureUploadToCard({
      upload: async (i) => {
        const posted = await teams.postFile({ user: POSTERS[i % POSTERS.length]!, place: { team: TEAMS_DEMO_TEAM.id, channel: CHANNEL }, name: `bench-${i}.jpg`, bytes: photo });
        // A channel post's card is a reply in its thread, which Teams names after the root message.
        return `${CHANNEL};messageid=${posted.messageId}`;
      },
      cards: () => teams.messages.filter((m) => m.byBot).map((m) => [m.conversationId, Date.parse(m.createdDateTime)] as const),
    });
  } finally {
    await bench.stop();
  }
}

await onBothDatabases('teams', run);
