// Failures of the system beneath Loupe (a missing file, a database that does
// not answer) reach the command's edge as Node errors. They are named here
// with a stable code and what to check: the file, or the database's
// host:port (never the URL, which may hold a password).
import { ErrorCode, LoupeError } from '../core/errors.js';

type SystemError = NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };

const FILE_PROBLEMS: Record<string, [ErrorCode, string]> = {
  ENOENT: [ErrorCode.FileNotFound, 'no such file or folder'],
  ENOTDIR: [ErrorCode.FileNotFound, 'a part of the path is not a folder'],
  EISDIR: [ErrorCode.FileAccessDenied, 'is a folder, not a file'],
  EACCES: [ErrorCode.FileAccessDenied, 'permission denied'],
  EPERM: [ErrorCode.FileAccessDenied, 'operation not permitted'],
  EROFS: [ErrorCode.FileAccessDenied, 'read-only file system'],
};

const NETWORK_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is it running?)',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved now',
  ETIMEDOUT: 'no answer in time',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'the connection was reset',
};

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'is in use by another program (PORT, HOST)',
  EADDRNOTAVAIL: 'is not an address of this machine (HOST)',
};

/** The first error in the cause chain that carries a system error code. */
function systemCause(error: unknown): SystemError | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as SystemError).code;
    if (typeof code === 'string' && (code in FILE_PROBLEMS || code in NETWORK_PROBLEMS || code in LISTEN_PROBLEMS)) return e as SystemError;
  }
  return undefined;
}

function databaseHost(databaseUrl: string | undefined): string {
  try {
    const url = new URL(databaseUrl ?? '');
    return `${url.hostname}:${url.port || 5432}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** A LoupeError naming what to check, for a system error; undefined for anything else. */
export function describeSystemFailure(error: unknown, env: NodeJS.ProcessEnv): LoupeError | undefined {
  const e = systemCause(error);
  if (!e?.code) return undefined;
  const file = FILE_PROBLEMS[e.code];
  if (file && e.path) return new LoupeError(file[0], `${e.path}: ${file[1]}`, { cause: error });
  const listen = LISTEN_PROBLEMS[e.code];
  if (listen && e.syscall === 'listen') return new LoupeError(ErrorCode.PortUnavailable, `cannot listen on ${e.address ?? 'HOST'}:${e.port ?? 'PORT'}: it ${listen}`, { cause: error });
  const network = NETWORK_PROBLEMS[e.code];
  if (network) {
    const where = e.address && e.port ? `${e.address}:${e.port}` : e.hostname ?? databaseHost(env.DATABASE_URL);
    // The embedded default has no database server: then it was some other service.
    if (!env.DATABASE_URL) return new LoupeError(ErrorCode.NetworkUnreachable, `cannot reach ${where}: ${network}`, { cause: error });
    return new LoupeError(ErrorCode.DbUnreachable, `cannot reach the database at ${where} (DATABASE_URL): ${network}`, { cause: error });
  }
  return undefined;
}
