// The console's pages, each registering its routes on the console router
// (after the sign-in and role check, so every handler has a ConsoleRequest).
import type { Router } from 'express';
import type { ConsoleDeps } from './deps.js';
import { holdRoutes } from './holds.js';
import { overviewRoutes } from './overview.js';
import { policyRoutes } from './policies.js';

export const CONSOLE_PAGES: ((router: Router, d: ConsoleDeps) => void)[] = [
  overviewRoutes,
  policyRoutes,
  holdRoutes,
];
