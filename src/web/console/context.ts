// What every console page knows about the request it answers: who is signed
// in, what they may do (and where), the form token, and the workspaces.
import type { Response } from 'express';
import type { ConsoleAccess } from '../../app/console/console-access.js';
import type { AuditActor } from '../../core/audit/event.js';
import type { Platform } from '../../storage/prisma/client.js';

export interface ConsoleWorkspace {
  id: string;
  platform: Platform;
  name: string;
}

export interface ConsoleRequest {
  access: ConsoleAccess;
  user: { name: string; issuer: string; subject: string; sessionId: string };
  /** Every console audit event names the person by their sign-in subject. */
  actor: AuditActor;
  /** The session's form token: every POST form carries it (csrf.ts). */
  csrf: string;
  /** Every workspace Loupe serves; pages show only those the action allows. */
  workspaces: ConsoleWorkspace[];
  requestId: string;
}

const KEY = 'loupeConsole';

export function setConsoleRequest(res: Response, c: ConsoleRequest): void {
  res.locals[KEY] = c;
}

/** The console request set by the router's sign-in check: every /admin route runs after it. */
export function consoleRequest(res: Response): ConsoleRequest {
  const c = res.locals[KEY] as ConsoleRequest | undefined;
  if (!c) throw new Error('console route mounted outside the console router');
  return c;
}
