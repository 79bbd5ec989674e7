import {
  flowProbability,
  flowSilenceMs,
  queryFlowSeries,
  querySampledServices,
  querySamplingInWindows,
  sampledCountRange,
  SAMPLING_LOOKBACK_MS,
  selectFlow,
  takeWindows,
  type FlowPoint,
} from '../../analyzer/index.ts';
import type { Store } from '../../clickhouse/index.ts';
import { errorRateMinTraces, latencyMinTraces, type Catalog, type Flow } from '../../core/catalog/index.ts';
import { flowLabels, formatValue } from '../evaluate/conditions.ts';
import { flowRuns } from '../evaluate/observe.ts';
import { step } from '../evaluate/lifecycle.ts';
import type { Alert, AlertRule } from '../model/alert.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { count } from '../../core/text/index.ts';

/** One moment a rule would have changed an alert's state in the past. */
export interface BacktestEvent {
  at: string;
  flow: string;
  transition: 'firing' | 'resolved';
  value: string;
}

export interface BacktestResult {
  rule: string;
  /** The first evaluation (ISO): the period's start rounded up to a whole minute (never before it), or `until` when that is later. */
  since: string;
  until: string;
  stepMs: number;
  /** Flows replayed (those of the rule with a threshold). */
  flows: number;
  /** Evaluations of each flow: at `since`, then every step up to `until`, and the last at `until` (now, for a live test). */
  evaluationsPerFlow: number;
  /** Evaluations in all: `evaluationsPerFlow` × `flows`. */
  evaluations: number;
  events: BacktestEvent[];
  /** Alerts still firing at the end of the period. */
  firingAtEnd: string[];
  /**
   * Per flow with any, the evaluations that gave no verdict: `fewRuns` over fewer than `minTraces` runs in the window
   * (an error rate or a latency percentile), `noDuration` over runs of no known duration (a percentile). They neither
   * fire nor resolve an alert, which is why a rule may not have fired over failing runs. Empty for the other measures.
   */
  noVerdict: Array<{ flow: string; fewRuns: number; minTraces: number; noDuration: number }>;
}

const supported = new Set(['latency-p95', 'latency-p99', 'error-rate', 'traces', 'staleness']);

/** A measure's value at one step, from the flow's series (pure). */
function valueAt(rule: AlertRule, p: FlowPoint | undefined, minTraces: number, stepMs: number, lastRun: number | null, at: number, probability = 1): number {
  switch (rule.measure) {
    // As the live evaluation: a percentile or an error rate over at least minTraces runs, else no verdict.
    case 'latency-p95':
      return p && p.traces >= minTraces ? (p.p95Ms ?? NaN) : NaN;
    case 'latency-p99':
      return p && p.traces >= minTraces ? (p.p99Ms ?? NaN) : NaN;
    case 'error-rate':
      return p && p.traces > 0 && p.traces >= minTraces ? p.failedTraces / p.traces : NaN;
    // As live: of runs that reached Weft sampled, the runs that can have happened on the side the rule fires on.
    case 'traces': {
      const [low, high] = sampledCountRange(p?.traces ?? 0, probability);
      return rule.op === '<' ? high : low;
    }
    default:
      return lastRun === null ? NaN : at - lastRun - stepMs / 2;
  }
}

/**
 * Replays one rule over stored history (the per-minute rollups): evaluates it at `since` (rounded up to a
 * whole minute, never earlier: the period asked for is what is replayed), then every window-long step (one
 * minute for staleness), each over the window ending there, and, last, at `until` over the window ending there, as the live
 * evaluation reads it (so a test up to now agrees with an alert firing now, even before the next step's end),
 * with the same lifecycle as live evaluation, and lists when each flow's alert would have fired and resolved. Flow measures only; the probes' findings and the
 * telemetry gap have no replayable history. Staleness of a flow whose runtime service was sampled (from 14 days before
 * `since` on) is judged against that sampling, and, as live, on its schedule again from a replayed run that ended two
 * minutes or more after the service's last sampled span; a last run before `since` is not known to the replay.
 */
export async function backtestRule(store: Store, catalog: Catalog, ruleId: string, since: Date, until: Date): Promise<BacktestResult> {
  const rule = rulesFor(catalog).find((r) => r.id === ruleId);
  if (!rule)
    throw new Error(
      `No rule "${ruleId}": the rules are ${rulesFor(catalog)
        .map((r) => r.id)
        .join(', ')}.`,
    );
  if (!supported.has(rule.measure))
    throw new Error(`Rule ${ruleId} measures ${rule.measure}, which cannot be replayed from history; backtests work for ${[...supported].join(', ')}.`);
  const stepMs = rule.measure === 'staleness' ? 60_000 : Math.max(60_000, rule.windowMs);
  // The first evaluation is at `since`, rounded up to a whole minute (the rollups' grain: each evaluation
  // on the step reads whole minutes, none after it), never before it; it reads the window ending there.
  const first = Math.ceil(since.getTime() / 60_000) * 60_000;
  const origin = first - stepMs;
  const events: BacktestEvent[] = [];
  const firingAtEnd: string[] = [];
  const noVerdict: BacktestResult['noVerdict'] = [];
  let evaluations = 0;
  let flows = 0;
  let evaluationsPerFlow = 0;
  // As live: a flow whose runs reach Weft sampled is stale only after the silence its sampling allows.
  const sampled = rule.measure === 'staleness' ? await querySampledServices(store, new Date(since.getTime() - SAMPLING_LOOKBACK_MS)) : undefined;
  // As live: a count of runs that reached Weft sampled is judged against the sampling of its window, each step's (the
  // steps from the first evaluation, then the window ending at `until`), read at once, after the 14 days before the first
  // (the sampling a first window without a run of the flow is judged by, and whether its sender sampled before).
  const stepEnds: number[] = [];
  for (let t = first; t <= until.getTime(); t += stepMs) stepEnds.push(t);
  const sampling =
    rule.measure === 'traces'
      ? await querySamplingInWindows(store, [
          { since: new Date(first - stepMs - SAMPLING_LOOKBACK_MS), until: new Date(first - stepMs) },
          ...stepEnds.map((t) => ({ since: new Date(t - stepMs), until: new Date(t) })),
          { since: new Date(until.getTime() - rule.windowMs), until },
        ])
      : undefined;
  // As live: a flow named by its integration alone (`runtime.flow`) is sampled as the services its runs came from.
  const runServices =
    sampling && rule.flows.some((id) => !catalog.flows.find((x) => x.id === id)?.runtime?.service)
      ? flowRuns(await takeWindows(store, catalog, [], until)).runServices
      : undefined;
  for (const flowId of rule.flows) {
    const f = catalog.flows.find((x) => x.id === flowId)!;
    const given = typeof rule.threshold === 'function' ? rule.threshold(flowId) : rule.threshold;
    if (given === undefined) continue;
    // As live, at each evaluation: the flow's last run (ISO) ending two minutes or more after its service's last sampled
    // span says the service sends unsampled now, and the flow is judged on its schedule again (flowSampling).
    const thresholdAt = (lastRunMs: number | null) =>
      rule.measure === 'staleness' ? flowSilenceMs(f, given, sampled, lastRunMs === null ? undefined : new Date(lastRunMs).toISOString()).ms : given;
    if (!Number.isFinite(thresholdAt(null))) continue;
    flows++;
    // As live: the rule's own minTraces, else the flow's (errorRateMinTraces over the rule's window, latencyMinTraces).
    const minTraces =
      rule.measure === 'error-rate'
        ? errorRateMinTraces(f, catalog.classes, rule.windowMs, rule.minTraces)
        : (rule.minTraces ?? latencyMinTraces(f, catalog.classes));
    const series = await queryFlowSeries(store, catalog, selectFlow(catalog, f.id), new Date(origin), until, stepMs / 1000, new Date(origin));
    const byT = new Map(series.map((p) => [Date.parse(p.t), p]));
    let alert: Alert | undefined;
    let lastRun: number | null = null;
    const labels = { alertname: rule.id, severity: rule.severity, ...flowLabels(catalog, f), ...rule.labels };
    let perFlow = 0;
    const withheld = { fewRuns: 0, noDuration: 0 };
    // As live (observe.ts), a window without a run of the flow holds none of its sampled spans either: it is judged by
    // the sampling last seen (that of the latest window with a sampled span, none after a window of unsampled runs).
    const services = runServices?.get(f.id);
    // As live, "more than" of the first window its sender sampled in (none before, over 14 days) is judged on the runs
    // that arrived: its earlier runs came unsampled.
    let lastSampling = sampling ? flowProbability(f, sampling[0], services) : 1;
    let sampledBefore = lastSampling < 1;
    const probabilityAt = (p: FlowPoint | undefined, k: number) => {
      if (!sampling) return 1;
      const inWindow = flowProbability(f, sampling[k + 1], services);
      if (inWindow === 1 && !(p?.traces ?? 0)) return lastSampling;
      const started = inWindow < 1 && !sampledBefore;
      sampledBefore ||= inWindow < 1;
      lastSampling = inWindow;
      return started && rule.op === '>' ? 1 : inWindow;
    };
    const evaluate = (p: FlowPoint | undefined, at: number, k: number) => {
      const value = valueAt(rule, p, minTraces, stepMs, lastRun, at, probabilityAt(p, k));
      const threshold = thresholdAt(lastRun);
      const active = Number.isNaN(value) ? false : rule.op === '>' ? value > threshold : value < threshold;
      // As live: an error rate or a percentile of too few runs is no verdict, which keeps the alert as it was.
      const noVerdict = Number.isNaN(value) && (rule.measure === 'error-rate' || rule.measure === 'latency-p95' || rule.measure === 'latency-p99');
      if (noVerdict) withheld[(p?.traces ?? 0) < minTraces ? 'fewRuns' : 'noDuration']++;
      const r = step(alert, { rule, labels, value, threshold, active, noVerdict, summary: '', flow: f.id, systems: [f.source, f.target] }, new Date(at));
      alert = r.alert;
      perFlow++;
      if (r.transition === 'firing' || r.transition === 'resolved')
        events.push({ at: new Date(at).toISOString(), flow: f.id, transition: r.transition, value: formatValue(rule.measure, value) });
    };
    // On the step from the first evaluation: each over the step (the rule's window) of whole minutes ending there.
    let at = first;
    for (let k = 0; at <= until.getTime(); at += stepMs, k++) {
      const p = byT.get(at - stepMs);
      if (p && p.traces > 0) lastRun = at - stepMs / 2;
      evaluate(p, at, k);
    }
    // The present: the window ending at `until`, read as the live evaluation reads it (every minute it touches).
    if (at - stepMs < until.getTime()) {
      const p = await windowEnding(store, catalog, f, until, rule.measure === 'staleness' ? stepMs : rule.windowMs);
      if (p && p.traces > 0) lastRun = until.getTime() - stepMs / 2;
      evaluate(p, until.getTime(), stepEnds.length);
    }
    evaluations += perFlow;
    evaluationsPerFlow = Math.max(evaluationsPerFlow, perFlow);
    if (withheld.fewRuns + withheld.noDuration > 0) noVerdict.push({ flow: f.id, ...withheld, minTraces });
    if (alert?.state === 'firing') firingAtEnd.push(f.id);
  }
  events.sort((a, b) => a.at.localeCompare(b.at) || a.flow.localeCompare(b.flow));
  return {
    rule: rule.id,
    since: new Date(Math.min(first, until.getTime())).toISOString(),
    until: until.toISOString(),
    stepMs,
    flows,
    evaluationsPerFlow,
    evaluations,
    events,
    firingAtEnd,
    noVerdict,
  };
}

/** A flow's stats over the window of `windowMs` ending at `until`: every minute it touches, in one bucket (undefined: no trace). */
async function windowEnding(store: Store, catalog: Catalog, f: Flow, until: Date, windowMs: number): Promise<FlowPoint | undefined> {
  const since = new Date(until.getTime() - windowMs);
  const origin = new Date(Math.floor(since.getTime() / 60_000) * 60_000);
  const seconds = Math.ceil((until.getTime() - origin.getTime()) / 1000) + 60;
  const [p] = await queryFlowSeries(store, catalog, selectFlow(catalog, f.id), since, until, seconds, origin);
  return p;
}

/** The result as lines for a terminal: the transitions, then the flows with windows that gave no verdict. */
export function renderBacktest(r: BacktestResult): string {
  const head = `rule ${r.rule}: ${count(r.evaluationsPerFlow, 'evaluation')} of ${count(r.flows, 'flow')} (${r.evaluations} in all), every ${r.stepMs / 1000}s from ${r.since} and at ${r.until} (the end)`;
  const withheld = (r.noVerdict ?? []).flatMap((n) => [
    ...(n.fewRuns > 0 ? [`no verdict in ${count(n.fewRuns, 'window')} of ${n.flow}: fewer than ${count(n.minTraces, 'run')} in the window`] : []),
    ...(n.noDuration > 0 ? [`no verdict in ${count(n.noDuration, 'window')} of ${n.flow}: no duration known for its runs`] : []),
  ]);
  if (r.events.length === 0) return [head, 'would not have fired.', ...withheld].join('\n');
  const lines = r.events.map((e) => `${e.at}  ${e.transition.padEnd(8)} ${e.flow}  (${e.value})`);
  const fired = r.events.filter((e) => e.transition === 'firing').length;
  return [
    head,
    ...lines,
    `${count(fired, 'time')} fired${r.firingAtEnd.length ? `; still firing at the end: ${r.firingAtEnd.join(', ')}` : ''}.`,
    ...withheld,
  ].join('\n');
}
