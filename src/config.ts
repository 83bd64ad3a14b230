// The environment is read here, once, at start-up. A wrong value stops Loupe
// with a message that names the variable and what it expects.
import { resolve } from 'node:path';
import { z } from 'zod';
import { ErrorCode, LoupeError } from './core/errors.js';

const int = (min: number, max: number) => {
  const error = `expected an integer from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const schema = z.object({
  // 0 asks the system for a free port.
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL users reach Loupe at' }).default('http://localhost:3000'),
  LOUPE_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgresql:// URL, or unset for the embedded database')
    .optional(),
  LOUPE_BLOB_DIR: z.string().min(1).optional(),
  LOUPE_KEY_FILE: z.string().min(1).optional(),
  LOUPE_KEYS: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOUPE_WORKER_CONCURRENCY: int(0, 64).default(2),
  LOUPE_JOB_LEASE_SECONDS: int(5, 3600).default(60),
  LOUPE_JOB_POLL_MS: int(10, 60000).default(500),
  LOUPE_AUDIT_CHECKPOINT_INTERVAL: int(1, 1_000_000).default(1000),
  LOUPE_AUDIT_CHECKPOINT_MINUTES: int(1, 1440).default(10),
  LOUPE_SHUTDOWN_TIMEOUT_SECONDS: int(0, 600).default(20),
  LOUPE_MAX_BLOB_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(4 * 1024 ** 3),
});

export interface Config {
  port: number;
  host: string;
  publicUrl: URL;
  dataDir: string;
  /** Unset: the embedded database under the data folder. */
  databaseUrl: string | undefined;
  blobDir: string;
  keys: { source: 'env'; json: string } | { source: 'file'; path: string };
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  worker: { concurrency: number; leaseSeconds: number; pollMs: number };
  auditCheckpointInterval: number;
  auditCheckpointMinutes: number;
  shutdownTimeoutMs: number;
  maxBlobBytes: number;
  embedded: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      // Never echo the value: it may be a secret.
      return `${name}: ${issue.message}`;
    });
    throw new LoupeError(ErrorCode.ConfigInvalid, `invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.LOUPE_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: new URL(e.PUBLIC_URL),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    blobDir: resolve(e.LOUPE_BLOB_DIR ?? `${dataDir}/blobs`),
    keys: e.LOUPE_KEYS
      ? { source: 'env', json: e.LOUPE_KEYS }
      : { source: 'file', path: resolve(e.LOUPE_KEY_FILE ?? `${dataDir}/keys.json`) },
    logLevel: e.LOG_LEVEL,
    worker: {
      concurrency: e.LOUPE_WORKER_CONCURRENCY,
      leaseSeconds: e.LOUPE_JOB_LEASE_SECONDS,
      pollMs: e.LOUPE_JOB_POLL_MS,
    },
    auditCheckpointInterval: e.LOUPE_AUDIT_CHECKPOINT_INTERVAL,
    auditCheckpointMinutes: e.LOUPE_AUDIT_CHECKPOINT_MINUTES,
    shutdownTimeoutMs: e.LOUPE_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    maxBlobBytes: e.LOUPE_MAX_BLOB_BYTES,
    embedded: e.DATABASE_URL === undefined,
  };
}
