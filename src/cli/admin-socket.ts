// While `loupe serve` holds the embedded database, admin commands run inside
// it: the server listens on a Unix socket in the data folder (mode 0600 in a
// 0700 folder, so only the owner can connect) and streams each command's
// output back as NDJSON frames ({out}, {err}, then {exit} or {error}).
import { chmod, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isAuditExportFormat } from '../app/export-audit.js';
import { auditFilterParams, parseAuditFilter } from '../core/audit/filter.js';
import { ErrorCode, LoupeError, describeError, isLoupeError } from '../core/errors.js';
import type { Logger } from '../logging.js';
import type { Services } from '../main.js';
import { ADMIN_COMMANDS, isAdminCommand, isPatientReportFormat, type AdminCommandName, type AdminIo, type AdminOptions } from './admin-commands.js';

export const adminSocketPath = (dataDir: string): string => join(dataDir, 'loupe.sock');

type Frame = { out: string } | { err: string } | { progress: [number, number] } | { exit: number } | { error: { code: string; message: string } };

interface AdminRequest {
  command: AdminCommandName;
  options: AdminOptions;
}

async function readRequest(req: IncomingMessage): Promise<AdminRequest> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 64 * 1024) throw new LoupeError(ErrorCode.InvalidInput, 'admin request too large');
  }
  const parsed = JSON.parse(body) as { command?: unknown; options?: Record<string, unknown> | null };
  if (!isAdminCommand(parsed.command)) throw new LoupeError(ErrorCode.InvalidInput, 'unknown admin command');
  const given = typeof parsed.options === 'object' && parsed.options !== null ? parsed.options : {};
  // Only the keys the commands know are taken, each checked as the CLI checked it.
  const filter = parseAuditFilter(given);
  if (!filter.ok) throw new LoupeError(ErrorCode.InvalidInput, `invalid admin request: ${filter.problem}`);
  if (given.format !== undefined && !isAuditExportFormat(given.format)) throw new LoupeError(ErrorCode.InvalidInput, 'invalid admin request: unknown export format');
  const options: AdminOptions = auditFilterParams(filter.filter);
  if (given.format !== undefined) options.format = given.format;
  if (typeof given.dryRun === 'boolean') options.dryRun = given.dryRun;
  // The patient's identifier and issuer travel only over this owner-only socket, and are never logged.
  for (const k of ['identifier', 'issuer'] as const) if (typeof given[k] === 'string') options[k] = given[k];
  if (given.reportFormat !== undefined && !isPatientReportFormat(given.reportFormat)) throw new LoupeError(ErrorCode.InvalidInput, 'invalid admin request: unknown report format');
  if (given.reportFormat !== undefined) options.reportFormat = given.reportFormat;
  if (typeof given.shareId === 'string') options.shareId = given.shareId;
  return { command: parsed.command, options };
}

/** Writes a frame; waits while the client is behind; fails once it has gone, which stops the command. */
function send(res: ServerResponse, frame: Frame): Promise<void> | void {
  const gone = () => new LoupeError(ErrorCode.AdminSocketFailed, 'the admin command was abandoned by its caller');
  if (res.destroyed) throw gone();
  if (!res.write(JSON.stringify(frame) + '\n')) {
    return new Promise((resolve, reject) => {
      res.once('drain', resolve);
      res.once('close', () => reject(gone()));
    });
  }
}

export interface AdminSocket {
  close(): Promise<void>;
}

/** Serves admin commands on the data folder's socket; a socket file left by a dead server is replaced. */
export async function listenAdminSocket(services: Services, logger: Logger): Promise<AdminSocket> {
  const path = adminSocketPath(services.config.dataDir);
  const running = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    const run = (async () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let frame: Frame;
      try {
        const { command, options } = await readRequest(req);
        logger.info({ command }, 'admin command from the local socket');
        const io: AdminIo = {
          out: (line) => send(res, { out: line }),
          // Error lines are few: written without waiting, dropped if the caller has gone.
          err: (line) => void (res.destroyed || res.write(JSON.stringify({ err: line }) + '\n')),
          // Progress is only a hint: never waited for, dropped if the caller has gone.
          progress: (done, total) => void (res.destroyed || res.write(JSON.stringify({ progress: [done, total] }) + '\n')),
        };
        frame = { exit: await ADMIN_COMMANDS[command](services, io, options) };
      } catch (error) {
        frame = isLoupeError(error)
          ? { error: { code: error.code, message: error.message } }
          : { error: { code: 'unexpected', message: `unexpected failure: ${describeError(error).message}` } };
        logger.warn({ err: describeError(error) }, 'admin command failed');
      }
      res.end(JSON.stringify(frame) + '\n');
    })();
    running.add(run);
    void run.finally(() => running.delete(run));
  });
  // Only this process holds the data folder (its lock), so a socket file here is a dead server's.
  await rm(path, { force: true });
  await chmod(services.config.dataDir, 0o700);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      // A command in progress finishes (an export stops at its next line, its caller gone) before the database closes under it.
      await Promise.allSettled(running);
      await rm(path, { force: true });
    },
  };
}

/**
 * Runs `command` in the server listening on `dataDir`'s socket. Undefined when
 * no server answers there (no socket, or a dead server's): the caller then
 * opens the database itself, under its lock.
 */
export async function runInServer(dataDir: string, command: AdminCommandName, options: AdminOptions, io: AdminIo): Promise<number | undefined> {
  const body = JSON.stringify({ command, options });
  const res = await new Promise<IncomingMessage | undefined>((resolve, reject) => {
    const req = request({ socketPath: adminSocketPath(dataDir), method: 'POST', path: '/admin' }, resolve);
    req.once('error', (error: NodeJS.ErrnoException) => {
      // Nobody listening: the command runs on its own. Once connected, a failure is the command's failure.
      if (['ENOENT', 'ECONNREFUSED'].includes(error.code ?? '')) resolve(undefined);
      else reject(new LoupeError(ErrorCode.AdminSocketFailed, 'the running `loupe serve` dropped the admin command; see its log', { cause: error }));
    });
    req.end(body);
  });
  if (!res) return undefined;
  const dropped = (cause?: unknown) =>
    new LoupeError(ErrorCode.AdminSocketFailed, 'the running `loupe serve` stopped before the admin command finished; see its log', { cause });
  try {
    for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
      const frame = JSON.parse(line) as Frame;
      if ('out' in frame) await io.out(frame.out);
      else if ('err' in frame) io.err(frame.err);
      else if ('progress' in frame) io.progress?.(...frame.progress);
      else if ('exit' in frame) return frame.exit;
      else if (frame.error.code.startsWith('LOUPE_')) throw new LoupeError(frame.error.code as ErrorCode, frame.error.message);
      else throw new LoupeError(ErrorCode.AdminSocketFailed, `the running \`loupe serve\` reported an ${frame.error.message}`);
    }
  } catch (error) {
    throw isLoupeError(error) ? error : dropped(error);
  }
  throw dropped();
}
