import { parseCatalog, type Catalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import type { FindingCandidate } from '../../core/contracts/index.ts';
import type { FlowWindowStats, Observations, SystemCalls } from '../evaluate/observations.ts';
import type { Alert } from '../model/alert.ts';
import type { Notification } from '../notify/groups.ts';
import { startAlerting, type AlertingOptions, type AlertingRuntime } from '../start-alerting.ts';

/** A small estate: two scheduled flows and a realtime one, a webhook receiver for the ICoE team. */
export const estateYaml = (extra = '') => `
owners:
  - { id: icoe, receiver: team-hook }
  - { id: supply, receiver: supply-hook }
systems:
  - { id: erp, match: { hosts: [erp.test] } }
  - { id: cpq, match: { hosts: [cpq.test] } }
  - { id: wms, owner: supply, match: { hosts: [wms.test] } }
classes:
  - { id: batch, latencyP95Ms: 5000, errorRate: 0.05, staleAfter: 60s }
  - { id: realtime, latencyP95Ms: 1000, errorRate: 0.05 }
flows:
  - { id: erp-cpq-sync, source: erp, target: cpq, owner: icoe, class: batch, schedule: { every: 10s }, runtime: { service: jobs, flow: erp-cpq-sync } }
  - { id: erp-wms-pick, source: erp, target: wms, owner: supply, class: realtime, runtime: { service: pick } }
  - { id: cpq-erp-quote, source: cpq, target: erp, owner: icoe, class: batch, schedule: { every: 10s }, runtime: { service: jobs, flow: cpq-erp-quote } }
receivers:
  - { id: team-hook, type: webhook, url: "http://127.0.0.1:9/hook" }
  - { id: supply-hook, type: webhook, url: "http://127.0.0.1:9/supply" }
${extra}`;

export function testCatalog(extra = ''): Catalog {
  const { catalog, problems } = parseCatalog([{ file: 'estate.yaml', text: estateYaml(extra) }]);
  if (problems.length) throw new Error(problems.map((p) => `${p.line}: ${p.path} ${p.message}`).join('\n'));
  return catalog;
}

/** Observations at `now` with per-flow stats over the 5-minute window and last runs. */
export function observations(
  now: Date,
  o: {
    stats?: Record<string, Partial<FlowWindowStats>>;
    lastSeen?: Record<string, string>;
    lastIntake?: string | null;
    /** Default: `lastIntake`. */
    lastArrival?: string | null;
    pairedUntil?: string;
    /** Default: 5 s before now. */
    lastPairingRun?: string | null;
    /** Default: null. */
    watchingSince?: string | null;
    /** Default: 30 days before now. */
    observingSince?: string | null;
    systemCalls?: Record<string, SystemCalls>;
  } = {},
): Observations {
  const w = new Map<string, FlowWindowStats>();
  for (const [id, s] of Object.entries(o.stats ?? {})) w.set(id, { traces: 10, failedTraces: 0, p95Ms: 100, p99Ms: 150, ...s });
  return {
    now,
    lastIntake: o.lastIntake === undefined ? now.toISOString() : o.lastIntake,
    lastArrival: o.lastArrival !== undefined ? o.lastArrival : o.lastIntake === undefined ? now.toISOString() : o.lastIntake,
    pairedUntil: o.pairedUntil ?? new Date(now.getTime() - 10_000).toISOString(),
    lastPairingRun: o.lastPairingRun !== undefined ? o.lastPairingRun : new Date(now.getTime() - 5_000).toISOString(),
    watchingSince: o.watchingSince ?? null,
    observingSince: o.observingSince === undefined ? new Date(now.getTime() - 30 * 86_400_000).toISOString() : o.observingSince,
    windows: new Map([
      [300_000, w],
      [3_600_000, w],
    ]),
    settled: new Map([
      [300_000, w],
      [3_600_000, w],
    ]),
    lastSeen: new Map(Object.entries(o.lastSeen ?? {})),
    baseline: new Map(),
    systemCalls: new Map(Object.entries(o.systemCalls ?? {})),
    findings: [],
    gaps: [],
  };
}

/**
 * Alerting as the tests that drive it by hand start it: no loop (`evaluateNow()` evaluates), a silent log, links
 * to http://weft.test, rules every 10 s at the latest, no environment; `options` add to these or replace them.
 */
export function alertingForTest(options: Pick<AlertingOptions, 'store' | 'catalog'> & Partial<AlertingOptions>): AlertingRuntime {
  return startAlerting({ logger: silentLogger(), env: () => undefined, intervalMs: 10_000, externalUrl: 'http://weft.test', schedule: false, ...options });
}

/** A firing flow-stale alert, for tests of delivery. */
export const staleAlert = {
  fingerprint: '0123456789abcdef',
  rule: 'flow-stale',
  labels: { alertname: 'flow-stale' },
  annotations: {},
  firedAt: '2026-11-02T10:00:00.000Z',
} as unknown as Alert;

/** The first notification of `staleAlert` to `receiver` (a group of its own). */
export const firstNotification = (receiver: string): Notification => ({
  groupKey: `${receiver}:{}`,
  receiver,
  groupLabels: {},
  status: 'firing',
  alerts: [{ alert: staleAlert, status: 'firing' }],
  reason: 'first',
  after: { key: `${receiver}:{}`, receiver, labels: {}, createdAt: '', lastSentAt: null, sent: {} },
});

/** A probe-failing finding on `system` (its probe `<system>-count` refused): what most alerting tests fire on. */
export const probeFailing = (system: string): FindingCandidate => ({
  kind: 'probe-failing',
  key: `${system}-count`,
  severity: 'high',
  title: `Probe ${system}-count fails: connection refused`,
  subject: { systems: [system], flows: [], domains: [] },
  evidence: {},
  hint: '',
});
