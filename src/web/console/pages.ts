// The console's pages, each registering its routes on the console router
// (after the sign-in and role check, so every handler has a ConsoleRequest).
import type { Router } from 'express';
import type { ConsoleDeps } from './deps.js';
import { alertRoutes } from './alerts.js';
import { assetRoutes } from './assets.js';
import { auditRoutes } from './audit.js';
import { overviewRoutes } from './overview.js';

export const CONSOLE_PAGES: ((router: Router, d: ConsoleDeps) => void)[] = [
  overviewRoutes,
  assetRoutes,
  auditRoutes,
  alertRoutes,
];
