// The demo composition: `loupe serve` with no chat platform configured. It
// starts the stand-ins (Slack and Teams), then the production Loupe on the
// configuration they give it, with the /demo page and the demo's sign-in as
// extra routes; once Loupe listens, the stand-ins deliver to it. Loupe itself knows no demo.
import { join } from 'node:path';
import express from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import { createLoupe, type Loupe, type LoupeOptions } from '../main.js';
import { prepareDemo } from './prepare.js';
import { demoRouter } from './routes.js';
import { teamsDemoRouter } from './teams-routes.js';
import { closeStandIns, DEMO_IDP_PATH, startStandIns, type Demo } from './stand-ins.js';

/** Where the stand-ins keep the demo's chats, under the data folder, so they survive a restart. */
export const DEMO_SLACK_CHAT_FOLDER = 'demo-slack-chat';
export const DEMO_TEAMS_CHAT_FOLDER = 'demo-teams-chat';

function demoRoutes(demo: Demo): express.Router {
  const router = express.Router();
  router.use(DEMO_IDP_PATH, demo.identityProvider.handler);
  router.use(demoRouter(demo.slack));
  router.use(teamsDemoRouter(demo.teams));
  return router;
}

export async function startDemo(config: Config, logger: Logger, options: LoupeOptions = {}): Promise<Loupe> {
  const started = await startStandIns(config, logger);
  const { demo } = started;
  let loupe: Loupe;
  try {
    loupe = await createLoupe(started.config, logger, { ...options, routes: [...(options.routes ?? []), demoRoutes(demo)] });
  } catch (error) {
    // A refused start (the data folder held by another serve) must not leave the stand-ins running.
    await closeStandIns(demo);
    throw error;
  }
  // Only once Loupe holds the data folder: a refused start must not write over another serve's chat.
  try {
    await demo.slack.persistIn(join(config.dataDir, DEMO_SLACK_CHAT_FOLDER));
    await demo.teams.persistIn(join(config.dataDir, DEMO_TEAMS_CHAT_FOLDER));
  } catch (error) {
    await loupe.stop();
    await closeStandIns(demo);
    throw error;
  }
  return {
    services: loupe.services,
    app: loupe.app,
    worker: loupe.worker,
    get server() {
      return loupe.server;
    },
    listen: async () => {
      try {
        const listening = await loupe.listen();
        await prepareDemo(demo, loupe.services.storage, listening.port);
        return listening;
      } catch (error) {
        // A port in use, for one: the stand-ins go too.
        await closeStandIns(demo);
        throw error;
      }
    },
    stop: async () => {
      await loupe.stop();
      await closeStandIns(demo);
    },
  };
}
