import { queryFlowSeries, selectFlow, type FlowPoint } from '../../analyzer/index.ts';
import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { flowLabels, formatValue } from '../evaluate/conditions.ts';
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
  since: string;
  until: string;
  stepMs: number;
  evaluations: number;
  events: BacktestEvent[];
  /** Alerts still firing at the end of the period. */
  firingAtEnd: string[];
}

const supported = new Set(['latency-p95', 'latency-p99', 'error-rate', 'traces', 'staleness']);

/** A measure's value at one step, from the flow's series (pure). */
function valueAt(rule: AlertRule, points: FlowPoint[], i: number, stepMs: number, lastRun: number | null, at: number): number {
  const p = points[i];
  switch (rule.measure) {
    case 'latency-p95':
      return p && p.traces > 0 ? (p.p95Ms ?? NaN) : NaN;
    case 'latency-p99':
      return p && p.traces > 0 ? (p.p99Ms ?? NaN) : NaN;
    case 'error-rate':
      return p && p.traces > 0 ? p.failedTraces / p.traces : NaN;
    case 'traces':
      return p?.traces ?? 0;
    default:
      return lastRun === null ? NaN : at - lastRun - stepMs / 2;
  }
}

/**
 * Replays one rule over stored history (the per-minute rollups): evaluates it at the end of every
 * window-long step (one minute for staleness) with the same lifecycle as live evaluation, and lists
 * when each flow's alert would have fired and resolved. Flow measures only; the probes' findings and the
 * telemetry gap have no replayable history.
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
  const start = Math.floor(since.getTime() / stepMs) * stepMs;
  const events: BacktestEvent[] = [];
  const firingAtEnd: string[] = [];
  let evaluations = 0;
  for (const flowId of rule.flows) {
    const f = catalog.flows.find((x) => x.id === flowId)!;
    const threshold = typeof rule.threshold === 'function' ? rule.threshold(flowId) : rule.threshold;
    if (threshold === undefined) continue;
    const series = await queryFlowSeries(store, catalog, selectFlow(catalog, f.id), new Date(start), until, stepMs / 1000, new Date(start));
    const byT = new Map(series.map((p) => [Date.parse(p.t), p]));
    const points: FlowPoint[] = [];
    let alert: Alert | undefined;
    let lastRun: number | null = null;
    const labels = { alertname: rule.id, severity: rule.severity, ...flowLabels(catalog, f), ...rule.labels };
    for (let t = start, i = 0; t + stepMs <= until.getTime(); t += stepMs, i++) {
      const p = byT.get(t);
      points.push(p as FlowPoint);
      if (p && p.traces > 0) lastRun = t + stepMs / 2;
      const at = t + stepMs;
      const value = valueAt(rule, points, i, stepMs, lastRun, at);
      const active = Number.isNaN(value) ? false : rule.op === '>' ? value > threshold : value < threshold;
      const r = step(alert, { rule, labels, value, threshold, active, summary: '', flow: f.id, systems: [f.source, f.target] }, new Date(at));
      alert = r.alert;
      evaluations++;
      if (r.transition === 'firing' || r.transition === 'resolved')
        events.push({ at: new Date(at).toISOString(), flow: f.id, transition: r.transition, value: formatValue(rule.measure, value) });
    }
    if (alert?.state === 'firing') firingAtEnd.push(f.id);
  }
  events.sort((a, b) => a.at.localeCompare(b.at) || a.flow.localeCompare(b.flow));
  return { rule: rule.id, since: new Date(start).toISOString(), until: until.toISOString(), stepMs, evaluations, events, firingAtEnd };
}

/** The result as lines for a terminal. */
export function renderBacktest(r: BacktestResult): string {
  const head = `rule ${r.rule}: ${r.evaluations} evaluations every ${r.stepMs / 1000}s from ${r.since} to ${r.until}`;
  if (r.events.length === 0) return `${head}\nwould not have fired.`;
  const lines = r.events.map((e) => `${e.at}  ${e.transition.padEnd(8)} ${e.flow}  (${e.value})`);
  const fired = r.events.filter((e) => e.transition === 'firing').length;
  return [head, ...lines, `${count(fired, 'time')} fired${r.firingAtEnd.length ? `; still firing at the end: ${r.firingAtEnd.join(', ')}` : ''}.`].join('\n');
}
