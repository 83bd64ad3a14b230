// The composition root: builds every part from the validated configuration
// and hands each its dependencies. Nothing else constructs clients or reads
// the environment.
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Express, RequestHandler } from 'express';
import type { Config } from './config.js';
import { AuditAction } from './core/audit/event.js';
import { systemClock, type Clock } from './core/clock.js';
import { ErrorCode, LoupeError, describeError } from './core/errors.js';
import type { KeyRing } from './crypto/keyring.js';
import { loadKeyRing } from './crypto/keyring-source.js';
import { CARD_SWEEP_JOB, cardSweepHandler } from './app/card-sweep.js';
import { openAlertCounts } from './app/alerts.js';
import { ALERT_SWEEP_JOB, alertSweepHandler } from './app/evaluate-alerts.js';
import { AUDIT_VERIFY_JOB, AUDIT_VERIFY_PERIOD_MS, auditVerifySweepHandler } from './app/audit-verify-sweep.js';
import { RETENTION_SWEEP_JOB, retentionSweepHandler } from './app/retention-sweep.js';
import { loadChatAdapters, type ChatAdapterModules } from './chat/load-adapters.js';
import { DEBRIS_SWEEP_JOB, debrisSweepHandler, sweepDebrisAtStart } from './jobs/debris-sweep.js';
import { scheduleEvery } from './jobs/schedule-every.js';
import { listenAdminSocket, type AdminSocket } from './cli/admin-socket.js';
import { RelyingParty } from './web/oidc/relying-party.js';
import { authRouter } from './web/viewer/auth-routes.js';
import { viewerDirectory } from './app/ports/viewer-directory.js';
import { appJobHandlers } from './app/job-handlers.js';
import { AppJob } from './app/job-names.js';
import { ChatPlatforms } from './app/ports/chat-platforms.js';
import { ViewerSessions } from './storage/viewer-sessions.js';
import { viewerRouter } from './web/viewer/viewer-routes.js';
import { consoleRouter } from './web/console/console-router.js';
import { patientRouter } from './web/patient/routes.js';
import { DEFAULT_LIMITS } from './imaging/limits.js';
import { DEFAULT_SANDBOX, ImagingSandbox, VIEWER_SANDBOX } from './imaging/sandbox/sandbox.js';
import { JobQueue } from './storage/job-queue.js';
import { Worker, type JobHandler } from './jobs/worker.js';
import type { Logger } from './logging.js';
import { embeddedDatabaseDir, openDatabase, requireEmbeddedDatabase } from './storage/database.js';
import { openBlobStore } from './storage/open-blob-store.js';
import { checkKeysCover, noKeysYet, syncKeyVersions } from './storage/key-versions.js';
import { migrate, pendingMigrations, readMigrations } from './storage/migrate.js';
import { createStorage, type Storage } from './storage/services.js';
import { createHttpApp, finishHttpApp } from './web/http-app.js';
import { siteRouter } from './web/design/site-routes.js';
import { createMetrics, type Metrics } from './web/metrics.js';
import { TEACHING_PATH, type TeachingDeps } from './app/teaching/teaching-deps.js';
import type { PacsDeps } from './app/pacs/pacs-deps.js';
import { pacsExportHandlers } from './app/pacs/export-to-pacs.js';
import { loupeVersion } from './version.js';
import { teachingRouter } from './web/teaching/teaching-routes.js';

export interface Services {
  config: Config;
  logger: Logger;
  clock: Clock;
  keyRing: KeyRing;
  storage: Storage;
  queue: JobQueue;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface OpenOptions {
  clock?: Clock;
  /** The command holding the embedded database, named to a second process it refuses. */
  command?: string;
  /** `loupe serve` may create the data folder and the embedded database; other commands refuse a missing one. */
  create?: boolean;
  /** `loupe serve` on the embedded default may create the key file, and only for an empty database. */
  allowKeyGeneration?: boolean;
}

/** Database, keys and storage: what every command needs. */
export async function openServices(config: Config, logger: Logger, options: OpenOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  if (options.create) await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  else if (config.embedded) await requireEmbeddedDatabase(config.dataDir);
  const migrations = await readMigrations();
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.embedded ? embeddedDatabaseDir(config.dataDir) : undefined,
    holder: options.command ?? 'loupe',
    // Applied first in a child process where the folder lacks any (see pglite-initdb.ts); `migrate` below then finds none.
    ...(config.embedded ? { migrations } : {}),
  });
  let keys: Awaited<ReturnType<typeof loadKeyRing>>;
  try {
    if (config.embedded) {
      const applied = [...(db.migratedOnOpen ?? []), ...(await migrate(db, migrations))];
      if (applied.length) logger.info({ applied }, 'database migrated');
    } else {
      const pending = await pendingMigrations(db, migrations);
      if (pending.length) {
        throw new LoupeError(ErrorCode.DbMigrationFailed, `database needs migrations (${pending.join(', ')}): run \`loupe migrate\``);
      }
    }
    // A new key ring for a database that already holds data would only lock that data away.
    const fresh = await noKeysYet(db);
    keys = await loadKeyRing(config.keys, { allowGenerate: Boolean(options.allowKeyGeneration) && config.embedded && fresh, clock });
    if (keys.generated) {
      logger.warn(
        { keyFile: config.keys.source === 'file' ? config.keys.path : undefined },
        'generated a new key file for the embedded default; production must supply its own keys (LOUPE_KEYS or LOUPE_KEY_FILE) and back them up apart from the data',
      );
    }
    await syncKeyVersions(db, keys.ring);
  } catch (error) {
    await db.close();
    throw error;
  }
  // The gauge reads the queue only when scraped, after it exists.
  const metrics = createMetrics(() => queue.counts(), () => openAlertCounts(db), () => storage.audit.lag());
  const blobStore = await openBlobStore(config.blobStore);
  const storage = createStorage({
    db,
    keyRing: keys.ring,
    clock,
    blobStore,
    checkpointInterval: config.auditCheckpointInterval,
    maxBlobBytes: config.maxBlobBytes,
    onAuditAppend: () => metrics.auditAppends.inc(),
  });
  const queue = new JobQueue({ db, clock, audit: storage.audit });
  const close = async () => {
    blobStore.close();
    await db.close();
  };
  return { config, logger, clock, keyRing: keys.ring, storage, queue, metrics, close };
}

export interface Loupe {
  services: Services;
  app: Express;
  worker: Worker;
  /** Set once listening. */
  server: Server | undefined;
  listen(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

export interface LoupeOptions {
  clock?: Clock;
  /** More routes on Loupe's server, mounted before the viewer's: how a composition around Loupe adds its own pages. */
  routes?: RequestHandler[];
  handlers?: Record<string, JobHandler>;
}

export async function createLoupe(config: Config, logger: Logger, options: LoupeOptions = {}): Promise<Loupe> {
  const services = await openServices(config, logger, {
    command: 'loupe serve',
    create: true,
    allowKeyGeneration: true,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // A failure while wiring must close the database (and its data-folder lock), or the process lingers.
  try {
    return assembleLoupe(config, logger, options, services, await loadChatAdapters(config));
  } catch (error) {
    await services.close();
    throw error;
  }
}

function assembleLoupe(config: Config, logger: Logger, options: LoupeOptions, services: Services, adapters: ChatAdapterModules): Loupe {
  const { storage, keyRing, queue, metrics } = services;
  const app = createHttpApp({
    logger,
    metrics,
    readiness: {
      database: () => storage.db.ping(),
      blobStore: () => storage.blobStore.probe(),
      keys: async () => {
        await checkKeysCover(storage.db, keyRing);
        const probe = keyRing.wrap(Buffer.alloc(32), 'readiness');
        keyRing.unwrap(probe, 'readiness');
      },
    },
  });
  const limits = { ...DEFAULT_LIMITS, maxBytes: config.maxUploadBytes };
  // Uploads are decoded in child processes with a time and memory budget, off this event loop: one per concurrent job.
  const sandbox = new ImagingSandbox({ ...DEFAULT_SANDBOX, processes: config.worker.concurrency });
  // The viewer's frames are decoded in children of their own, so viewing never waits behind intake.
  const viewerSandbox = new ImagingSandbox(VIEWER_SANDBOX);
  // Share for teaching: its copies are made in the intake sandbox, its links open after the viewer's sign-in.
  const teaching: TeachingDeps = {
    db: storage.db,
    audit: storage.audit,
    clock: services.clock,
    blobs: storage.blobs,
    sandbox,
    limits,
    lifetimeDays: config.teachingShareDays,
    teachUrl: (token) => new URL(`${TEACHING_PATH}${token}`, config.publicUrl).href,
  };
  // Cards' previews, where a channel's policy allows them: made in the intake sandbox.
  const previews = { blobs: storage.blobs, sandbox };
  // Send to PACS: a photo is made into DICOM in the intake sandbox; offered on cards only when a PACS is configured.
  const pacs: PacsDeps = {
    db: storage.db,
    audit: storage.audit,
    queue,
    clock: services.clock,
    blobs: storage.blobs,
    patients: storage.patients,
    policies: storage.policies,
    sandbox,
    pacs: config.pacs,
    softwareVersion: loupeVersion(),
    maxExportBytes: 512 * 1024 * 1024,
  };
  const slack =
    config.slack && adapters.slack
      ? adapters.slack.createSlackAdapter({ slack: config.slack, http: app, storage, queue, clock: services.clock, logger, teaching, pacs })
      : undefined;
  const viewUrl = (token: string) => new URL(`/view/${token}`, config.publicUrl).href;
  const teams =
    config.teams && adapters.teams
      ? adapters.teams.createTeamsAdapter({ teams: config.teams, http: app, storage, queue, clock: services.clock, logger, viewUrl, teaching, previews, pacs })
      : undefined;
  // The one registry of chat platforms: use cases and the viewer find a workspace's platform here.
  const platforms = new ChatPlatforms(storage.db);
  if (slack) platforms.register('slack', slack.platform);
  if (teams) platforms.register('teams', teams.platform);
  const chat = { db: storage.db, audit: storage.audit, queue, clock: services.clock, platforms, policies: storage.policies, viewUrl, previews };
  app.use(siteRouter({ demo: config.demo, signIn: config.oidc !== undefined }));
  for (const routes of options.routes ?? []) app.use(routes);
  const sessions = new ViewerSessions(storage.db, services.clock, config.session);
  const directory = viewerDirectory(platforms);
  const rp = config.oidc ? new RelyingParty(config.oidc) : undefined;
  app.use(
    authRouter({
      db: storage.db,
      clock: services.clock,
      audit: storage.audit,
      logger,
      policies: storage.policies,
      directory,
      sessions,
      rp,
      publicUrl: config.publicUrl,
      maxSessionSeconds: config.session.maxSeconds,
      consoleRequireMfa: config.console.requireMfa,
      workspaceIds: async () => (await storage.workspaces.list()).map((w) => w.id),
    }),
  );
  app.use(
    viewerRouter({
      storage,
      clock: services.clock,
      logger,
      sessions,
      directory,
      limits,
      sandbox: viewerSandbox,
      publicUrl: config.publicUrl,
      breakGlassMinutes: config.breakGlassMinutes,
      mfaAcr: config.oidc?.mfaAcr ?? '',
    }),
  );
  app.use(teachingRouter({ teaching, sessions }));
  app.use(
    consoleRouter({
      storage,
      queue,
      clock: services.clock,
      logger,
      sessions,
      directory,
      rules: { privacyOfficerGroups: config.console.privacyOfficerGroups, requireMfa: config.console.requireMfa },
      mfaAcr: config.oidc ? [config.oidc.mfaAcr] : [],
      publicUrl: config.publicUrl,
      pacsConfigured: config.pacs !== undefined,
    }),
  );
  // Patients' own access to their images, through a link a privacy officer issued.
  app.use(patientRouter({ storage, clock: services.clock, publicUrl: config.publicUrl }));
  finishHttpApp(app);
  const worker = new Worker({
    queue,
    clock: services.clock,
    handlers: {
      [CARD_SWEEP_JOB]: cardSweepHandler({ db: storage.db, audit: storage.audit, queue, clock: services.clock, policies: storage.policies }, config.cardSweepMs),
      [ALERT_SWEEP_JOB]: alertSweepHandler(
        { db: storage.db, audit: storage.audit, queue, clock: services.clock, thresholds: config.alerts.thresholds, directory, publicUrl: config.publicUrl, logger: logger.child({ component: 'alerts' }), onRaised: (a) => metrics.alertsRaised.inc({ rule: a.rule }) },
        config.alerts.sweepMs,
      ),
      [AUDIT_VERIFY_JOB]: auditVerifySweepHandler({ audit: storage.audit, queue, clock: services.clock }, AUDIT_VERIFY_PERIOD_MS),
      [RETENTION_SWEEP_JOB]: retentionSweepHandler({ ...storage, queue, clock: services.clock }, config.retentionSweepMs, logger.child({ component: 'retention' })),
      [DEBRIS_SWEEP_JOB]: debrisSweepHandler(
        { ...storage, queue, clock: services.clock, keyFile: config.keys.source === 'file' ? config.keys.path : undefined },
        config.debrisSweepMs,
      ),
      ...appJobHandlers({
        ...chat,
        ingest: { ...storage, queue, removalJob: AppJob.RemoveOriginal, prepareJob: AppJob.Prepare, clock: services.clock, limits, sandbox, pacs: config.pacs },
        maxUploadBytes: config.maxUploadBytes,
        recheckAfterMs: 15 * 60_000,
      }),
      ...pacsExportHandlers(pacs),
      ...slack?.handlers,
      ...options.handlers,
    },
    // Quick jobs (securing uploads, cards, removals) never wait behind the cleaning of a burst of images.
    concurrency: config.worker.chatConcurrency,
    lanes: [{ types: [AppJob.Prepare], concurrency: config.worker.concurrency }],
    leaseMs: config.worker.leaseSeconds * 1000,
    pollMs: config.worker.pollMs,
    logger: logger.child({ component: 'worker' }),
    onOutcome: (type, outcome) => metrics.jobOutcomes.inc({ type, outcome }),
  });

  let checkpointTimer: NodeJS.Timeout | undefined;
  let adminSocket: AdminSocket | undefined;
  const loupe: Loupe = {
    services,
    app,
    worker,
    server: undefined,
    listen: async () => {
      const server = createServer(app);
      loupe.server = server;
      // On failure (the port taken), the caller stops what started: see loupe serve.
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      // Admin commands reach the embedded database through this process, which alone may open it.
      if (config.embedded) {
        adminSocket = await listenAdminSocket(services, logger.child({ component: 'admin-socket' })).catch((error: unknown) => {
          // A data folder path too long for a socket name, for one: admin commands then refuse, naming this server.
          logger.warn({ err: describeError(error) }, 'no admin socket: admin commands cannot run while Loupe serves');
          return undefined;
        });
      }
      await scheduleEvery(queue, services.clock.now(), { type: CARD_SWEEP_JOB, periodMs: config.cardSweepMs });
      await scheduleEvery(queue, services.clock.now(), { type: AUDIT_VERIFY_JOB, periodMs: AUDIT_VERIFY_PERIOD_MS });
      await scheduleEvery(queue, services.clock.now(), { type: ALERT_SWEEP_JOB, periodMs: config.alerts.sweepMs });
      await scheduleEvery(queue, services.clock.now(), { type: RETENTION_SWEEP_JOB, periodMs: config.retentionSweepMs });
      await sweepDebrisAtStart(queue, services.clock.now());
      await scheduleEvery(queue, services.clock.now(), { type: DEBRIS_SWEEP_JOB, periodMs: config.debrisSweepMs });
      worker.start();
      // Links committed audit events into the hash chain (appends only insert).
      storage.audit.sealer.start((error) => logger.error({ err: describeError(error) }, 'audit sealing failed'));
      await slack?.start();
      // Signed checkpoints also on a timer, so a quiet period still ends with a signed head.
      checkpointTimer = setInterval(() => {
        storage.audit.checkpoint().catch((error: unknown) => logger.error({ err: describeError(error) }, 'audit checkpoint failed'));
      }, config.auditCheckpointMinutes * 60_000);
      checkpointTimer.unref();
      await storage.audit.record({
        actor: { type: 'system', id: 'loupe' },
        action: AuditAction.ServiceStarted,
        outcome: 'success',
        details: { engine: storage.db.engine },
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info({ port, engine: storage.db.engine, publicUrl: config.publicUrl.href }, 'Loupe is listening');
      return { port };
    },
    stop: async () => {
      clearInterval(checkpointTimer);
      await adminSocket?.close();
      const server = loupe.server;
      const closed = server
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : Promise.resolve();
      server?.closeIdleConnections();
      await slack?.stop();
      await worker.stop(config.shutdownTimeoutMs);
      await sandbox.close();
      await viewerSandbox.close();
      await closed;
      await storage.audit.record({
        actor: { type: 'system', id: 'loupe' },
        action: AuditAction.ServiceStopped,
        outcome: 'success',
      });
      // The checkpoint seals what is left, then signs the head.
      await storage.audit.sealer.stop();
      await storage.audit.checkpoint();
      await services.close();
      logger.info('Loupe stopped');
    },
  };
  return loupe;
}
