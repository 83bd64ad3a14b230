// The Teams adapter, built only when Teams is configured: botbuilder's
// CloudAdapter at /api/messages on Loupe's own server (every request's token
// verified), its gateway and directory for the use cases.
import express, { type Express } from 'express';
import type { ChatPlatform } from '../../app/ports/chat-platforms.js';
import type { TeamsConfig } from '../../config.js';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';
import { ChatConversations } from '../../storage/chat-conversations.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { Storage } from '../../storage/services.js';
import { createBotFramework } from './bot-framework.js';
import { teamsDirectory } from './directory.js';
import { EntraTokens } from './entra-token.js';
import { teamsGateway } from './gateway.js';
import { Graph } from './graph.js';
import { teamsInbound } from './inbound.js';
import { cardAudiences } from './audience.js';
import { cardActions } from './card-actions.js';
import type { TeachingDeps } from '../../app/teaching/teaching-deps.js';
import type { PacsDeps } from '../../app/pacs/pacs-deps.js';
import type { CardPreviewDeps } from '../../app/card-preview.js';

export const TEAMS_MESSAGES_PATH = '/api/messages';

export interface TeamsAdapterDeps {
  teams: TeamsConfig;
  http: Express;
  storage: Storage;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /** The viewer's link for a card's one-card token. */
  viewUrl: (token: string) => string;
  /** Share for teaching (built in main.ts, with the imaging sandbox). */
  teaching?: TeachingDeps | undefined;
  /** Card previews in each user's own drawing of a card (built in main.ts, with the imaging sandbox). */
  previews?: CardPreviewDeps | undefined;
  /** Send to PACS (built in main.ts); offered on cards only when a PACS is configured. */
  pacs?: PacsDeps | undefined;
}

export interface TeamsAdapter {
  /** Registered as the 'teams' platform in main.ts. */
  platform: ChatPlatform;
}

export function createTeamsAdapter(d: TeamsAdapterDeps): TeamsAdapter {
  const { teams, storage } = d;
  const logger = d.logger.child({ component: 'teams' });
  const tokens = new EntraTokens(teams, d.clock);
  const framework = createBotFramework(teams, tokens, logger);
  const graph = new Graph(teams, tokens);
  const conversations = new ChatConversations(storage.db);
  const workspaceId = async () => (await storage.workspaces.ensure('teams', teams.tenantId, teams.tenantId, { type: 'system', id: 'teams' })).id;
  const directory = teamsDirectory({ teams, framework, graph, conversations });
  const audiences = cardAudiences({ teams, framework, graph, pacs: d.pacs?.pacs !== undefined });
  const gateway = teamsGateway({ teams, framework, graph, tokens, conversations, workspaceId, logger, pacs: d.pacs?.pacs !== undefined });
  const { db, audit } = storage;
  const consent = { db, audit, clock: d.clock, patients: storage.patients, consents: storage.consents, workspaces: storage.workspaces, policies: storage.policies, queue: d.queue, consentChanges: storage.consentChanges };
  const inbound = teamsInbound({
    workspaceId,
    appId: teams.appId,
    accept: { db, clock: d.clock, dataKeys: storage.dataKeys, audit, queue: d.queue, policies: storage.policies },
    conversations,
    directory,
    framework,
    commands: { appId: teams.appId, db, clock: d.clock, policies: storage.policies, directory, consent, pacsConfigured: d.pacs?.pacs !== undefined },
    actions: cardActions({
      lifecycle: { db, audit, queue: d.queue, clock: d.clock },
      link: { db, audit, queue: d.queue, clock: d.clock, patients: storage.patients, dataKeys: storage.dataKeys, policies: storage.policies, pacs: d.pacs?.pacs },
      invite: { db, audit, clock: d.clock, policies: storage.policies },
      consent,
      policies: storage.policies,
      conversations,
      directory,
      audiences,
      gateway,
      viewUrl: d.viewUrl,
      previews: d.previews,
      teaching: d.teaching,
      pacs: d.pacs,
    }),
  });
  // Activities are small JSON; anything larger is not Teams.
  d.http.post(TEAMS_MESSAGES_PATH, express.json({ limit: '256kb' }), (req, res, next) => {
    framework.handle(req, res, inbound).catch((error: unknown) => {
      logger.error({ err: describeError(error) }, 'a Teams activity failed; Teams will retry it');
      next(error);
    });
  });
  return {
    platform: { gateway, directory },
  };
}
