// Prometheus metrics on a registry of this instance's own (no global default).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Histogram<'method' | 'route' | 'status'>;
  jobOutcomes: Counter<'type' | 'outcome'>;
  auditAppends: Counter;
  jobsByStatus: Gauge<'status'>;
  openAlerts: Gauge<'rule'>;
  alertsRaised: Counter<'rule'>;
  auditUnsealed: Gauge;
  auditOldestUnsealed: Gauge;
}

/** The audit sealer's lag (see src/storage/audit-sealer.ts). */
export type AuditLagReader = () => Promise<{ count: number; oldestAgeSeconds: number }>;

/**
 * `openAlerts`: breach monitoring's open alerts by rule, and `auditLag`, the
 * audit events not yet sealed into the chain: both read from the database
 * when scraped (so every instance answers the same).
 */
export function createMetrics(
  jobCounts: () => Promise<Record<string, number>>,
  openAlerts: () => Promise<Record<string, number>> = async () => ({}),
  auditLag: AuditLagReader = async () => ({ count: 0, oldestAgeSeconds: 0 }),
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'loupe_' });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'loupe_http_request_duration_seconds',
      help: 'HTTP requests by route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    jobOutcomes: new Counter({
      name: 'loupe_job_outcomes_total',
      help: 'Finished job attempts by type and outcome.',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    auditAppends: new Counter({
      name: 'loupe_audit_events_total',
      help: 'Audit events written by this instance (counted at write; a rolled-back transaction still counts).',
      registers: [registry],
    }),
    jobsByStatus: new Gauge({
      name: 'loupe_jobs',
      help: 'Jobs in the queue by status.',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        for (const [status, n] of Object.entries(await jobCounts())) this.set({ status }, n);
      },
    }),
    openAlerts: new Gauge({
      name: 'loupe_alerts_open',
      help: 'Breach monitoring alerts not yet acknowledged or closed, by rule.',
      labelNames: ['rule'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [rule, n] of Object.entries(await openAlerts())) this.set({ rule }, n);
      },
    }),
    alertsRaised: new Counter({
      name: 'loupe_alerts_raised_total',
      help: 'Breach monitoring alerts raised by this instance, by rule.',
      labelNames: ['rule'],
      registers: [registry],
    }),
    auditUnsealed: new Gauge({
      name: 'loupe_audit_unsealed_events',
      help: 'Committed audit events not yet sealed into the hash chain (all instances).',
      registers: [registry],
      async collect() {
        this.set((await auditLag()).count);
      },
    }),
    auditOldestUnsealed: new Gauge({
      name: 'loupe_audit_oldest_unsealed_seconds',
      help: 'How long the oldest unsealed audit event has waited since it was recorded; 0 when none.',
      registers: [registry],
      async collect() {
        this.set((await auditLag()).oldestAgeSeconds);
      },
    }),
  };
}
