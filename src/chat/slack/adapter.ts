// The Slack adapter, built only when Slack is configured: the real Bolt app
// over HTTP at /slack/events on Loupe's own server (request verification on),
// or over Socket Mode for development; its listeners; its gateway and
// directory for the use cases; its own recovery jobs.
import { App, ExpressReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Express } from 'express';
import type { SlackConfig } from '../../config.js';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { JobHandler } from '../../jobs/worker.js';
import type { Logger } from '../../logging.js';
import type { Storage } from '../../storage/services.js';
import type { ChatPlatform } from '../../app/ports/chat-platforms.js';
import { boltLogger } from './bolt-logger.js';
import { slackDirectory } from './directory.js';
import { registerCommands } from './commands.js';
import { registerHome } from './home.js';
import { registerCardInteractions } from './interactions.js';
import { FILE_SHARED_JOB, fileSharedHandler } from './file-shared.js';
import { slackGateway } from './gateway.js';
import { registerUploadListeners } from './listeners.js';
import { RECONCILE_JOB, reconcileHandler, scheduleReconcile } from './reconcile.js';
import { rememberedOf, slackReplayGuard } from './replay-guard.js';
import { AfterAck } from '../after-ack.js';
import type { TeachingDeps } from '../../app/teaching/teaching-deps.js';
import type { PacsDeps } from '../../app/pacs/pacs-deps.js';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Acknowledged uploads accepted at once: enough to keep up with a burst, few enough to leave the database's connections to everything else. */
const AFTER_ACK_CONCURRENCY = 4;
/** How long shutdown waits for acknowledged uploads to be accepted. */
const AFTER_ACK_DRAIN_MS = 5_000;

export interface SlackAdapterDeps {
  slack: SlackConfig;
  http: Express;
  storage: Storage;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /** Share for teaching (built in main.ts, with the imaging sandbox). */
  teaching?: TeachingDeps | undefined;
  /** Send to PACS (built in main.ts); offered on cards only when a PACS is configured. */
  pacs?: PacsDeps | undefined;
}

export interface SlackAdapter {
  bolt: App;
  /** Registered as the 'slack' platform in main.ts. */
  platform: ChatPlatform;
  /** Slack's own jobs: file_shared recovery and reconciliation. */
  handlers: Record<string, JobHandler>;
  /** Socket Mode connects here; over HTTP there is nothing to start. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackAdapter(d: SlackAdapterDeps): SlackAdapter {
  const { slack } = d;
  const logger = boltLogger(d.logger);
  const clientOptions = { slackApiUrl: slack.apiUrl.href, logger };
  // Mounted before Bolt's receiver, so a replayed or future-dated request never reaches it.
  if (!slack.socketMode) d.http.post(SLACK_EVENTS_PATH, ...slackReplayGuard({ db: d.storage.db, clock: d.clock, signingSecret: slack.signingSecret, logger: d.logger.child({ component: 'slack' }) }));
  const receiver = slack.socketMode
    ? new SocketModeReceiver({ appToken: slack.socketMode.appToken, logger, installerOptions: { clientOptions } })
    : new ExpressReceiver({ signingSecret: slack.signingSecret, endpoints: SLACK_EVENTS_PATH, processBeforeResponse: true, app: d.http, logger, customPropertiesExtractor: rememberedOf });
  const bolt = new App({ token: slack.botToken, receiver, logger, clientOptions });
  const bot = new webApi.WebClient(slack.botToken, clientOptions);
  const admin = slack.adminUserToken ? new webApi.WebClient(slack.adminUserToken, clientOptions) : undefined;
  const { storage } = d;
  const accept = { db: storage.db, clock: d.clock, dataKeys: storage.dataKeys, audit: storage.audit, queue: d.queue, policies: storage.policies };
  const slackLogger = d.logger.child({ component: 'slack' });
  const afterAck = new AfterAck({
    concurrency: AFTER_ACK_CONCURRENCY,
    logger: slackLogger,
    onFailure: () => void scheduleReconcile(d.queue, d.clock.now(), 'now').catch((error: unknown) => slackLogger.error({ err: describeError(error) }, 'could not schedule a reconciliation')),
  });
  registerUploadListeners(bolt, { accept, afterAck, clock: d.clock, workspaces: storage.workspaces, queue: d.queue });
  const directory = slackDirectory(bot, slack.adminUsers);
  // One Slack workspace per bot token: its admins are asked of Slack whatever the workspace row.
  const isAdmin = (userId: string) => directory.isAdmin('', userId);
  const consent = { db: storage.db, audit: storage.audit, clock: d.clock, patients: storage.patients, consents: storage.consents, workspaces: storage.workspaces, policies: storage.policies, queue: d.queue, consentChanges: storage.consentChanges };
  registerCardInteractions(bolt, {
    consent,
    lifecycle: { db: storage.db, audit: storage.audit, queue: d.queue, clock: d.clock },
    link: { db: storage.db, audit: storage.audit, queue: d.queue, clock: d.clock, patients: storage.patients, dataKeys: storage.dataKeys, policies: storage.policies, pacs: d.pacs?.pacs },
    policies: storage.policies,
    invite: { db: storage.db, audit: storage.audit, clock: d.clock, policies: storage.policies },
    queue: d.queue,
    isAdmin,
    workspaces: storage.workspaces,
    responseUrlHosts: ['hooks.slack.com', slack.apiUrl.host],
    logger: d.logger.child({ component: 'slack' }),
    teaching: d.teaching,
    pacs: d.pacs,
  });
  registerCommands(bolt, { db: storage.db, clock: d.clock, policies: storage.policies, workspaces: storage.workspaces, isAdmin, consent, pacsConfigured: d.pacs?.pacs !== undefined });
  registerHome(bolt, isAdmin);
  const handlers: Record<string, JobHandler> = {
    [FILE_SHARED_JOB]: fileSharedHandler({ bot, accept }),
    [RECONCILE_JOB]: reconcileHandler({ bot, accept, workspaces: storage.workspaces, queue: d.queue, clock: d.clock, logger: d.logger.child({ component: 'slack' }) }),
  };
  return {
    bolt,
    platform: { gateway: slackGateway({ bot, admin, botToken: slack.botToken, adminUsers: slack.adminUsers, fileHosts: slack.fileHosts, logger: d.logger.child({ component: 'slack' }), pacs: d.pacs?.pacs !== undefined }), directory },
    handlers,
    start: async () => {
      if (slack.socketMode) await bolt.start();
      // Uploads Slack gave up delivering while Loupe was down.
      await scheduleReconcile(d.queue, d.clock.now(), 'now');
    },
    stop: async () => {
      if (slack.socketMode) await bolt.stop();
      // Events already acknowledged: accepted now if they can be, else the next start's reconciliation finds them.
      await afterAck.drain(AFTER_ACK_DRAIN_MS);
    },
  };
}
