// The console's pages, each registering its routes on the console router
// (after the sign-in and role check, so every handler has a ConsoleRequest).
import type { Router } from 'express';
import type { ConsoleDeps } from './deps.js';
import { holdRoutes } from './holds.js';
import { alertRoutes } from './alerts.js';
import { assetRoutes } from './assets.js';
import { auditRoutes } from './audit.js';
import { consentRoutes } from './consent.js';
import { overviewRoutes } from './overview.js';
import { patientAccessRoutes } from './patient-access.js';
import { patientReportRoutes } from './patient-report.js';
import { policyRoutes } from './policies.js';

export const CONSOLE_PAGES: ((router: Router, d: ConsoleDeps) => void)[] = [
  overviewRoutes,
  policyRoutes,
  holdRoutes,
  assetRoutes,
  auditRoutes,
  patientReportRoutes,
  consentRoutes,
  patientAccessRoutes,
  alertRoutes,
];
