import {
  errorRateMinTraces,
  findingMeasures,
  latencyMinTraces,
  sampledMeasures,
  type AlertMeasure,
  type FindingMeasure,
  type Catalog,
  type Flow,
} from '../../core/catalog/index.ts';
import type { FindingKind, Severity } from '../../core/contracts/index.ts';
import { formatDuration } from '../../core/time/index.ts';
import { absenceUnjudged, flowSilenceMs, sampledCountRange } from '../../analyzer/index.ts';
import type { AlertRule, Condition, Labels } from '../model/alert.ts';
import { UNREACHABLE_MIN_CALLERS, UNREACHABLE_MIN_CALLS } from '../rules/derive-rules.ts';
import { selectsSubject } from '../rules/select.ts';
import { stalenessMs, throughputDropScore, type Observations } from './observations.ts';
import { count } from '../../core/text/index.ts';

/** The labels every alert about a flow carries (catalog facts, then the flow's own labels). */
export function flowLabels(catalog: Catalog, f: Flow): Labels {
  const l: Labels = { flow: f.id, source: f.source, target: f.target };
  if (f.owner) l.owner = f.owner;
  if (f.domain) l.domain = f.domain;
  if (f.class) l.class = f.class;
  return { ...l, ...(f.labels ?? {}) };
}

const compare = (op: '>' | '<', v: number, t: number) => (Number.isNaN(v) ? false : op === '>' ? v > t : v < t);

const units: Partial<Record<AlertMeasure, (v: number) => string>> = {
  'latency-p95': (v) => `${Math.round(v)} ms`,
  'latency-p99': (v) => `${Math.round(v)} ms`,
  'error-rate': (v) => `${(v * 100).toFixed(1)}%`,
  staleness: (v) => formatDuration(v),
  'telemetry-gap': (v) => formatDuration(v),
  'pairing-lag': (v) => formatDuration(v),
  'throughput-drop': (v) => `${Math.round(v * 100)}% below the usual`,
};
export const formatValue = (m: AlertMeasure, v: number) => (Number.isNaN(v) ? 'no data' : (units[m] ?? String)(v));

/** A percentile over enough traces (the rule's `minTraces`, else the flow's), else NaN (no verdict on a handful of runs). */
const latency = (r: AlertRule, f: Flow, o: Observations, c: Catalog, pick: 'p95Ms' | 'p99Ms') => {
  const s = o.windows.get(r.windowMs)?.get(f.id);
  const min = r.minTraces ?? latencyMinTraces(f, c.classes);
  return s && s.traces >= min ? (s[pick] ?? NaN) : NaN;
};

/**
 * Up to when a flow's silence counts: the newest span Weft received (runs are seen at ingest, see
 * flowLastTouch), or the pairing watermark if later; never after now (a sender whose clock runs ahead
 * does not make every flow stale).
 */
const silentUntil = (o: Observations) => {
  const t = Math.min(o.now.getTime(), Math.max(Date.parse(o.pairedUntil), o.lastIntake ? Date.parse(o.lastIntake) : -Infinity));
  return new Date(t).toISOString();
};

/**
 * The flow measures judged on a sample of the window's runs (`sampledMeasures`), which give no verdict (NaN) without
 * enough of them: fewer than `errorRateMinTraces` for an error rate, than `minTraces` for a percentile. Such a window
 * keeps the alert as it was: a daily flow's failed run was told resolved ten minutes later (its window emptied), though
 * no run had succeeded since.
 */
const sampleMeasures = sampledMeasures;

/** The flow measures that count runs: judged on the settled windows (`Observations.settled`), the rest on the windows ending now. */
export const countMeasures: ReadonlySet<AlertMeasure> = new Set(['traces', 'throughput-drop']);

/**
 * Whether the runs of a count rule's settled window ([pairedUntil − window, pairedUntil]) can be counted: Weft was
 * receiving spans over all of it — it started observing before the window, and no intake gap overlaps it. Otherwise
 * the runs it did not receive would count as runs that did not happen (a fresh Weft's `traces < 1` fired at once;
 * after an outage of Weft's intake, every window holding it).
 */
function counted(r: AlertRule, o: Observations): boolean {
  const until = Date.parse(o.pairedUntil);
  const since = until - r.windowMs;
  if (o.observingSince === null || Date.parse(o.observingSince) > since) return false;
  return !o.gaps.some((g) => Date.parse(g.from) < until && Date.parse(g.to) > since);
}

/**
 * Whether a flow's silence runs across Weft's last downtime (`Observations.downtime`) and Weft has not watched past it,
 * up to where silence counts (`silentUntil`), for `thresholdMs`: no verdict on its staleness (`absenceUnjudged`, the
 * rule the stale-flow finding keeps), so an alert firing before is kept and none starts for what Weft did not see.
 */
function staleUnjudged(f: Flow, o: Observations, thresholdMs: number): boolean {
  const seen = o.lastSeen.get(f.id);
  return absenceUnjudged(o.downtime, seen ? Date.parse(seen) : undefined, Date.parse(silentUntil(o)), thresholdMs) !== null;
}

/** A flow measure's value for one flow (NaN: no data in the window). */
const flowValue: Record<string, (rule: AlertRule, f: Flow, o: Observations, c: Catalog) => number> = {
  'latency-p95': (r, f, o, c) => latency(r, f, o, c, 'p95Ms'),
  'latency-p99': (r, f, o, c) => latency(r, f, o, c, 'p99Ms'),
  // Of enough runs (errorRateMinTraces): one failed run out of one was an error rate of 100%, and paged.
  'error-rate': (r, f, o, c) => {
    const s = o.windows.get(r.windowMs)?.get(f.id);
    return s && s.traces > 0 && s.traces >= errorRateMinTraces(f, c.classes, r.windowMs, r.minTraces) ? s.failedTraces / s.traces : NaN;
  },
  traces: (r, f, o) => {
    if (!counted(r, o)) return NaN;
    // Of a flow whose runs reach Weft sampled, the runs that can have happened on the side the rule fires on: at their
    // most against "fewer than", at their fewest against "more than" (sampledCountRange), each with the probability that
    // keeps it so: the lowest of the flow's services for the most, the highest of those its runs came from for the fewest.
    const seen = o.settled.get(r.windowMs)?.get(f.id)?.traces ?? 0;
    const lowest = o.settledSampling?.get(r.windowMs)?.get(f.id) ?? 1;
    if (r.op === '<') return sampledCountRange(seen, lowest)[1];
    return sampledCountRange(seen, o.settledSamplingHighest?.get(r.windowMs)?.get(f.id) ?? lowest)[0];
  },
  staleness: (_r, f, o) => {
    const seen = o.lastSeen.get(f.id);
    return seen ? stalenessMs(seen, silentUntil(o), o.gaps) : NaN;
  },
  'throughput-drop': (r, f, o) => {
    if (!counted(r, o)) return NaN;
    const sampling = { current: o.settledSampling?.get(r.windowMs)?.get(f.id) ?? 1, baseline: o.baselineSampling?.get(r.windowMs)?.get(f.id) ?? [] };
    return throughputDropScore(o.settled.get(r.windowMs)?.get(f.id)?.traces ?? 0, o.baseline.get(r.windowMs)?.get(f.id) ?? [], undefined, sampling);
  },
};

/**
 * Sample traces of a flow for an alert on it: for error-rate a failed run first, then any run in the
 * rule's window (ids deduplicated; empty when the flow did not run in the window).
 */
export function flowTraceIds(rule: AlertRule, flowId: string, o: Observations): string[] {
  const s = (countMeasures.has(rule.measure) ? o.settled : o.windows).get(rule.windowMs)?.get(flowId);
  if (!s) return [];
  const ids = rule.measure === 'error-rate' ? [s.sampleErrorTrace, s.sampleTrace] : [s.sampleTrace];
  return [...new Set(ids.filter((t): t is string => !!t))];
}

/**
 * The finding kind an alert of each measure is about. A finding measure alerts on open findings of its
 * own kind (one alert per finding); a flow measure's alert links the open finding of this kind on the
 * same flow, the analyzer's verdict on the same thing (a flow measure without an entry links none).
 */
export const findingKind: Partial<Record<AlertMeasure, FindingKind>> = {
  ...(Object.fromEntries(findingMeasures.map((m) => [m, m])) as Record<FindingMeasure, FindingKind>),
  'latency-p95': 'latency-slo-breach',
  'latency-p99': 'latency-slo-breach',
  'error-rate': 'error-rate',
  staleness: 'stale-flow',
};

/** The open finding of the rule's kind (findingKind) on this flow (its subject.flows names it), if any. */
const flowFinding = (rule: AlertRule, flowId: string, o: Observations) => {
  const kind = findingKind[rule.measure];
  return kind ? o.findings.find((f) => f.kind === kind && f.subject.flows.includes(flowId)) : undefined;
};

/**
 * What a flow alert is about: the open finding of its kind on the flow (findingKind; absent when none),
 * and sample traces: a run of the flow in the rule's window (flowTraceIds), else the finding's.
 */
export function flowEvidence(rule: AlertRule, flowId: string, o: Observations): { finding?: string; findingSeverity?: Severity; traceIds: string[] } {
  const finding = flowFinding(rule, flowId, o);
  const runs = flowTraceIds(rule, flowId, o);
  return {
    ...(finding ? { finding: finding.id, findingSeverity: finding.severity } : {}),
    traceIds: runs.length > 0 ? runs : (finding?.traceIds ?? []),
  };
}

function flowConditions(rule: AlertRule, catalog: Catalog, o: Observations): Condition[] {
  const byId = new Map(catalog.flows.map((f) => [f.id, f]));
  return rule.flows.flatMap((id) => {
    const f = byId.get(id);
    if (!f) return [];
    const given = typeof rule.threshold === 'function' ? rule.threshold(id) : rule.threshold;
    if (given === undefined) return [];
    // A flow whose runs reach Weft sampled is stale only after a silence its sampling would almost never show; its last
    // run's end by the sender's clock (not its arrival) is compared with the last sampled span's end (flowSampling).
    const threshold =
      rule.measure === 'staleness' ? flowSilenceMs(f, given, o.sampled, o.lastRunEnd?.get(f.id) ?? o.lastSeen.get(f.id), o.runServices?.get(f.id)).ms : given;
    // None of its runs is sampled (probability 0): no silence says it stopped.
    if (!Number.isFinite(threshold)) return [];
    const value = flowValue[rule.measure](rule, f, o, catalog);
    // A count over a window Weft did not observe whole is no verdict (NaN), and not a recovery either; nor is a ratio or
    // a percentile of too few runs (an error rate of no run, the p95 of fewer than minTraces); nor a silence across
    // Weft's own downtime before Weft has watched past it for the threshold (staleUnjudged).
    const noVerdict = countMeasures.has(rule.measure)
      ? !counted(rule, o)
      : (sampleMeasures.has(rule.measure) && Number.isNaN(value)) || (rule.measure === 'staleness' && staleUnjudged(f, o, threshold));
    const labels: Labels = { alertname: rule.id, severity: rule.severity, ...flowLabels(catalog, f), ...rule.labels };
    return [
      {
        rule,
        labels,
        value,
        threshold,
        active: compare(rule.op, value, threshold),
        ...(noVerdict ? { noVerdict } : {}),
        flow: f.id,
        systems: [f.source, f.target],
        ...flowEvidence(rule, f.id, o),
        summary: `${rule.measure} of flow ${f.id} is ${formatValue(rule.measure, value)} (threshold ${formatValue(rule.measure, threshold)})`,
      },
    ];
  });
}

/** One condition per open finding of the measure's kind (the probes' verdicts: drift, failing probes). */
function findingConditions(rule: AlertRule, catalog: Catalog, o: Observations): Condition[] {
  const kind = findingKind[rule.measure];
  return o.findings
    .filter((f) => f.kind === kind && selectsSubject(rule.selector, catalog, f.subject))
    .map((f) => {
      const labels: Labels = { alertname: rule.id, severity: rule.severity, finding: f.key, ...rule.labels };
      if (f.subject.systems.length === 1) labels.system = f.subject.systems[0];
      if (f.subject.domains.length === 1) labels.domain = f.subject.domains[0];
      if (f.subject.flows.length === 1) labels.flow = f.subject.flows[0];
      const owner = catalog.systems.find((s) => s.id === labels.system)?.owner ?? catalog.domains.find((d) => d.id === labels.domain)?.owner;
      if (owner) labels.owner = owner;
      return {
        rule,
        labels,
        value: 1,
        threshold: 0,
        active: true,
        flow: labels.flow,
        systems: f.subject.systems,
        summary: f.title,
        finding: f.id,
        findingSeverity: f.severity,
        traceIds: f.traceIds,
      };
    });
}

/**
 * A catalog system that stopped answering: in the rule's short window at least UNREACHABLE_MIN_CALLS calls
 * reached it from at least UNREACHABLE_MIN_CALLERS integrations, and every one failed (refused, timed out,
 * or answered with an error). The value is the share of failed calls. One integration failing all its
 * calls is not enough: that may be its own fault (a bad request), which its flow's error-rate alert tells.
 */
function systemUnreachable(rule: AlertRule, catalog: Catalog, o: Observations): Condition[] {
  return catalog.systems.flatMap((sys) => {
    const s = o.systemCalls.get(sys.id);
    if (!s || !selectsSubject(rule.selector, catalog, { systems: [sys.id], flows: [], domains: [] })) return [];
    const labels: Labels = { alertname: rule.id, severity: rule.severity, system: sys.id, ...(sys.owner ? { owner: sys.owner } : {}), ...rule.labels };
    const active = s.calls >= UNREACHABLE_MIN_CALLS && s.callers >= UNREACHABLE_MIN_CALLERS && s.failed >= s.calls;
    return [
      {
        rule,
        labels,
        value: s.calls > 0 ? s.failed / s.calls : NaN,
        threshold: 1,
        active,
        systems: [sys.id],
        summary: `System ${sys.id} stopped answering: ${s.failed} of ${count(s.calls, 'call')} from ${count(s.callers, 'integration')} failed in the last ${formatDuration(rule.windowMs)}`,
      },
    ];
  });
}

/**
 * The one condition of a rule on Weft itself: the time (ms) since `since` (ISO, Weft's clock), measured from when this
 * process started evaluating at most (`Observations.watchingSince`), clamped at 0, against the rule's threshold. No
 * value without `since`, unless `orStart`: then from the start. Counted from the start and not over the threshold, it is
 * no verdict (`noVerdict`): the alert keeps the state it had before the restart. `summary` says it in words from its formatted value,
 * as a problem while the condition holds and as a recovery when it does not (what a resolved alert keeps), and whether
 * it counts from the start.
 */
function timeSince(
  rule: AlertRule,
  o: Observations,
  since: string | null,
  orStart: boolean,
  summary: (value: string, active: boolean, fromStart: boolean) => string,
  atLeast = 0,
): Condition[] {
  const threshold = Math.max(typeof rule.threshold === 'number' ? rule.threshold : 0, atLeast);
  const start = o.watchingSince;
  const fromStart = start !== null && (since === null ? orStart : Date.parse(start) > Date.parse(since));
  const from = fromStart ? start : since;
  const value = from ? Math.max(0, o.now.getTime() - Date.parse(from)) : NaN;
  const active = compare('>', value, threshold);
  return [
    {
      rule,
      labels: { alertname: rule.id, severity: rule.severity, ...rule.labels },
      value,
      threshold,
      active,
      // Counted from the start and not over the threshold yet: no verdict (a restart says nothing of what went on before
      // it), so an alert that fired before the restart keeps firing rather than being told resolved and firing again.
      ...(fromStart && !active ? { noVerdict: true } : {}),
      systems: [],
      summary: summary(formatValue(rule.measure, value), active, fromStart),
    },
  ];
}

/**
 * No telemetry at all: since the last span stored (Weft's clock), else, with none in 2 days, since the newest call's
 * span time; no value for a Weft that never received any (nothing is sending yet, which is no gap). The derived rule
 * waits at least as long as the intake's usual silences (`Observations.usualSilenceMs`): an estate whose event consumers
 * are quiet for minutes at a time is not down when it is quiet. Nor does it fire while the intake had been silent longer
 * than that within half an hour of this time a week before (`Observations.silenceBefore`; a day before while Weft has
 * not been watching a week): a night, a weekend. An outage that began at a quiet hour is told once the hour comes that had traffic a week
 * before. A silence then shorter than QUIET_PERIOD_MS (a pause: Weft restarted, a deploy) was no quiet hour: it keeps the rule
 * quiet only while today's is no longer than it was. A rule of the catalog's keeps its own threshold and fires over those too.
 */
const telemetryGap = (rule: AlertRule, _c: Catalog, o: Observations): Condition[] => {
  const derived = rule.origin === 'derived';
  const usual = derived ? (o.usualSilenceMs ?? 0) : 0;
  const raised = typeof rule.threshold === 'number' && usual > rule.threshold;
  const conditions = timeSince(
    rule,
    o,
    o.lastArrival ?? o.lastIntake,
    false,
    (v, active, fromStart) =>
      active
        ? `Weft has received no telemetry ${fromStart ? `in the ${v} since it started` : `for ${v}`}${raised ? `, longer than its intake's usual silences (95% of the last day's were at most ${formatDuration(usual)})` : ''}: the integrations' exporters, the network or Weft's collector is down`
        : fromStart
          ? `Weft started ${v} ago and no span has arrived since yet`
          : `Weft is receiving telemetry: the last span arrived ${v} ago${raised ? ` (its usual silences last up to ${formatDuration(usual)})` : ''}`,
    usual,
  );
  const before = derived ? o.silenceBefore : undefined;
  const [ago, then] = before?.week != null ? ['a week', before.week] : before?.day != null ? ['a day', before.day] : [null, null];
  if (ago === null) return conditions;
  return conditions.map((c) =>
    c.active && then > c.threshold && then >= Math.min(c.value, QUIET_PERIOD_MS)
      ? {
          ...c,
          active: false,
          summary: `Weft has received no telemetry for ${formatValue(rule.measure, c.value)}, as around this time ${ago} before (silent for ${formatDuration(then)} then): the estate is quiet at this time`,
        }
      : c,
  );
};

/**
 * How long the intake must have been silent around this time a week (or a day) before for that to have been a quiet
 * hour (a night, a weekend) the derived telemetry-gap keeps quiet over, however long today's silence (ms). A shorter
 * silence then was a pause (Weft restarted, a deploy): an estate busy around the clock whose intake paused 9 minutes a
 * week before had an outage today untold for 55 minutes ("no telemetry for 50m, as around this time a week before
 * (silent for 9m then)").
 */
export const QUIET_PERIOD_MS = 3_600_000;

/**
 * Weft itself behind: the time since its pairing job last completed a run (the analyzer stopped, failing every run, or
 * one run taking longer than the threshold), or since this process started when that is later or the job never ran.
 * While it is behind, flows and findings are as of its last run; this alert is what says so.
 */
const pairingLag = (rule: AlertRule, _c: Catalog, o: Observations): Condition[] =>
  timeSince(rule, o, o.lastPairingRun, true, (v, active, fromStart) =>
    active
      ? `Weft is behind: its pairing job has not completed a run ${fromStart ? `in the ${v} since Weft started` : `for ${v}`}, so flows, findings and flow alerts are as of its last run (is the analyzer running? see its log)`
      : fromStart
        ? `Weft started ${v} ago and its pairing job has not completed a run since yet`
        : `Weft is up to date: its pairing job last completed a run ${v} ago`,
  );

/** How each measure becomes conditions: a lookup table (adding a measure adds an entry). */
export const measureKinds: Record<AlertMeasure, (rule: AlertRule, catalog: Catalog, o: Observations) => Condition[]> = {
  'latency-p95': flowConditions,
  'latency-p99': flowConditions,
  'error-rate': flowConditions,
  traces: flowConditions,
  staleness: flowConditions,
  'throughput-drop': flowConditions,
  ...(Object.fromEntries(findingMeasures.map((m) => [m, findingConditions])) as Record<FindingMeasure, typeof findingConditions>),
  'system-unreachable': systemUnreachable,
  'telemetry-gap': telemetryGap,
  'pairing-lag': pairingLag,
};

/** Every condition the rules see in these observations (pure). */
export function conditionsFor(rules: AlertRule[], catalog: Catalog, o: Observations): Condition[] {
  return rules.flatMap((r) => measureKinds[r.measure](r, catalog, o));
}
