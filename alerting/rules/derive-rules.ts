import {
  allowedSilence,
  findingMeasures,
  flowMeasures,
  flowThresholds,
  type AlertMeasure,
  type AlertRuleSpec,
  type Catalog,
  type FindingMeasure,
  type Flow,
  type derivedRuleIds,
} from '../../core/catalog/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { AlertRule } from '../model/alert.ts';
import { selectFlows } from './select.ts';

/** Severity of each finding-backed rule (one alert per open finding of its kind, firing at once, resolving with it). */
const findingSeverity: Record<FindingMeasure, AlertRule['severity']> = {
  'record-count-drift': 'high',
  'key-drift': 'high',
  'schema-drift': 'medium',
  'hop-record-loss': 'high',
  // The analyzer's estate findings that someone must act on (shadow IT, a write into a system of record,
  // a deprecated flow still running).
  'unknown-system': 'medium',
  'sor-violation': 'high',
  'deprecated-in-use': 'low',
  'probe-failing': 'high',
};
/**
 * How long a finding-backed alert stays firing after its finding resolved: a probe failing every other pair of runs
 * opened and resolved its probe-failing finding once a minute, and paged FIRING and RESOLVED each time (16 e-mails in 8
 * minutes); with 5 minutes it is one alert, as a flapping flow is. The other kinds resolve on evidence that holds (a
 * count back in line, a catalog entry added), at once.
 */
const findingKeepFiringFor: Partial<Record<FindingMeasure, string>> = { 'probe-failing': '5m' };
const findingRules = Object.fromEntries(
  findingMeasures.map((m) => [m, { measure: m, window: '5m', for: '0s', keepFiringFor: findingKeepFiringFor[m] ?? '0s', severity: findingSeverity[m] }]),
) as Record<FindingMeasure, { measure: AlertMeasure; window: string; for: string; keepFiringFor: string; severity: AlertRule['severity'] }>;

/** Defaults of the rules Weft derives from the catalog, per measure (documented in alerting/README.md). */
export const derivedDefaults: Record<
  (typeof derivedRuleIds)[number],
  { measure: AlertMeasure; window: string; for: string; keepFiringFor: string; severity: AlertRule['severity'] }
> = {
  'flow-latency-p95': { measure: 'latency-p95', window: '5m', for: '0s', keepFiringFor: '5m', severity: 'medium' },
  'flow-latency-p99': { measure: 'latency-p99', window: '5m', for: '0s', keepFiringFor: '5m', severity: 'high' },
  'flow-error-rate': { measure: 'error-rate', window: '5m', for: '0s', keepFiringFor: '5m', severity: 'high' },
  // A deprecated flow still carrying traffic is being phased out, not abandoned: its failures are still someone's data
  // going wrong, told at low severity (a ticket, not a page). Its silence is what deprecation leads to: no stale rule.
  'deprecated-flow-error-rate': { measure: 'error-rate', window: '5m', for: '0s', keepFiringFor: '5m', severity: 'low' },
  'flow-stale': { measure: 'staleness', window: '5m', for: '0s', keepFiringFor: '0s', severity: 'high' },
  'flow-throughput-drop': { measure: 'throughput-drop', window: '1h', for: '10m', keepFiringFor: '30m', severity: 'medium' },
  ...findingRules,
  'system-unreachable': { measure: 'system-unreachable', window: '1m', for: '0s', keepFiringFor: '1m', severity: 'high' },
  // 5m: an intake whose spans come every 90 s (over the 60 s threshold, before the usual-silence learning has 20 of its
  // silences) was told FIRING and RESOLVED every 90 s; with keepFiringFor it is one alert, resolved 5 minutes after the
  // spans come closer together. Only a gap that goes on inhibits the flows' alerts, not one recovering (evaluate.ts).
  'telemetry-gap': { measure: 'telemetry-gap', window: '5m', for: '0s', keepFiringFor: '5m', severity: 'critical' },
  'weft-behind': { measure: 'pairing-lag', window: '5m', for: '0s', keepFiringFor: '0s', severity: 'high' },
};

/** The throughput-drop score above which the derived rule fires (half the usual traffic gone). */
export const THROUGHPUT_DROP_SCORE = 0.5;
/** A system stopped answering when at least this many calls reached it in the window… */
export const UNREACHABLE_MIN_CALLS = 3;
/** …from at least this many integrations (one integration failing every call may be its own fault), and every one failed. */
export const UNREACHABLE_MIN_CALLERS = 2;
/** Weft's own intake silent for longer than this is a telemetry gap. */
export const TELEMETRY_GAP_MS = 60_000;
/**
 * Weft is behind when its pairing job has not completed a run for longer than this (ms; twenty runs at the default
 * 30 s interval), or than three evaluation intervals when that is longer (`RuleOptions`): alerting evaluates at the
 * analyzer's pace, and an analyzer that runs every 15 minutes is not behind 11 minutes after its last run.
 */
export const PAIRING_LAG_MS = 600_000;

/**
 * How long Weft's intake may be silent before `telemetry-gap` fires (ms): TELEMETRY_GAP_MS; or, when every active flow of
 * the catalog runs on a schedule (a batch estate, whose integrations send nothing between their runs), the shortest
 * silence one of them is allowed (`allowedSilence`: its `staleAfter`, its class's, else twice its period) when that is
 * longer. An estate of hourly jobs is silent for most of each hour, and was told every hour, as critical, that "the
 * integrations' exporters, the network or Weft's collector is down". A flow without a schedule may run at any moment,
 * as an event consumer does: with one, any silence over TELEMETRY_GAP_MS is a gap.
 */
export function telemetryGapMs(catalog: Catalog): number {
  const active = catalog.flows.filter((f) => f.lifecycle === 'active');
  if (active.length === 0 || !active.every((f) => f.schedule)) return TELEMETRY_GAP_MS;
  const allowed = active.map((f) => allowedSilence(f, catalog.classes)?.ms ?? 0);
  return Math.max(TELEMETRY_GAP_MS, Math.min(...allowed));
}

/** What the derived rules depend on besides the catalog. */
export interface RuleOptions {
  /** How often rules are evaluated at the latest (ms; alerting's `intervalMs`, the analyzer's pace). Default: 30 s. */
  evaluationIntervalMs?: number;
}

/** A flow's threshold for a derived flow measure: its own (given directly or under `slo`), else its class's; undefined: not watched. */
export function flowThreshold(catalog: Catalog, f: Flow, measure: AlertMeasure): number | undefined {
  const cls = catalog.classes.find((c) => c.id === f.class);
  switch (measure) {
    case 'latency-p95':
      return flowThresholds(f, cls).p95?.value;
    case 'latency-p99':
      return flowThresholds(f, cls).p99?.value;
    case 'error-rate':
      return flowThresholds(f, cls).errorRate?.value;
    case 'staleness':
      // Only a scheduled flow is expected to run: as the stale-flow finding.
      return f.schedule ? allowedSilence(f, catalog.classes)?.ms : undefined;
    default:
      return undefined;
  }
}

const flowMeasureSet: ReadonlySet<AlertMeasure> = new Set(flowMeasures);
export const isFlowMeasure = (m: AlertMeasure) => flowMeasureSet.has(m);

/**
 * The lifecycle of the flows each derived flow rule watches: active ones, but for `deprecated-flow-error-rate`, which
 * watches the deprecated ones (a retired flow in use is the `deprecated-in-use` finding and its alert).
 */
const watchedLifecycle: Partial<Record<keyof typeof derivedDefaults, Flow['lifecycle']>> = { 'deprecated-flow-error-rate': 'deprecated' };

function derived(catalog: Catalog, id: keyof typeof derivedDefaults, options: RuleOptions): AlertRule {
  const d = derivedDefaults[id];
  const lifecycle = watchedLifecycle[id] ?? 'active';
  const flows = isFlowMeasure(d.measure) ? catalog.flows.filter((f) => f.lifecycle === lifecycle).map((f) => f.id) : [];
  const byId = new Map(catalog.flows.map((f) => [f.id, f]));
  const threshold =
    d.measure === 'throughput-drop'
      ? THROUGHPUT_DROP_SCORE
      : d.measure === 'telemetry-gap'
        ? telemetryGapMs(catalog)
        : d.measure === 'pairing-lag'
          ? Math.max(PAIRING_LAG_MS, 3 * (options.evaluationIntervalMs ?? 30_000))
          : isFlowMeasure(d.measure)
            ? (flow: string) => (byId.has(flow) ? flowThreshold(catalog, byId.get(flow)!, d.measure) : undefined)
            : 0;
  return {
    id,
    origin: 'derived',
    measure: d.measure,
    op: '>',
    threshold,
    windowMs: parseDuration(d.window),
    forMs: parseDuration(d.for),
    keepFiringForMs: parseDuration(d.keepFiringFor),
    severity: d.severity,
    flows,
    labels: {},
    annotations: {},
  };
}

/** A custom rule from `alerts:` with its selector resolved to flows. */
export function customRule(catalog: Catalog, spec: AlertRuleSpec): AlertRule {
  return {
    id: spec.id,
    origin: 'custom',
    measure: spec.measure,
    op: spec.op ?? '>',
    threshold: spec.threshold,
    windowMs: parseDuration(spec.window ?? (spec.measure === 'throughput-drop' ? '1h' : '5m')),
    ...(spec.minTraces !== undefined ? { minTraces: spec.minTraces } : {}),
    forMs: parseDuration(spec.for ?? '0s'),
    keepFiringForMs: parseDuration(spec.keepFiringFor ?? '0s'),
    severity: spec.severity,
    flows: isFlowMeasure(spec.measure) ? selectFlows(catalog, spec.select).map((f) => f.id) : [],
    labels: { ...(spec.labels ?? {}) },
    annotations: { ...(spec.annotations ?? {}) },
    remediation: spec.remediation,
    selector: spec.select,
  };
}

/**
 * Every rule Weft evaluates for this catalog: the derived ones (a custom rule with the same id
 * replaces a derived one, e.g. `telemetry-gap` with another threshold) followed by the custom ones.
 */
export function rulesFor(catalog: Catalog, options: RuleOptions = {}): AlertRule[] {
  const custom = catalog.alerts.map((a) => customRule(catalog, a));
  const replaced = new Set(custom.map((r) => r.id));
  return [
    ...(Object.keys(derivedDefaults) as Array<keyof typeof derivedDefaults>).filter((id) => !replaced.has(id)).map((id) => derived(catalog, id, options)),
    ...custom,
  ];
}
