import {
  isRunOf,
  maxKnown,
  flowProbability,
  flowSampling,
  pairingState,
  querySampledServices,
  querySamplingInWindows,
  runtimeMatches,
  SAMPLING_LOOKBACK_MS,
  silentSince,
  takeWindows,
  type AttributedEdge,
  type FlowWindows,
  type WindowRequest,
  queryLastDowntime,
} from '../../analyzer/index.ts';
import { fromChTime, toChTime, type Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import type { FindingStore } from '../../findings/index.ts';
import type { AlertRule } from '../model/alert.ts';
import { isFlowMeasure, TELEMETRY_GAP_MS } from '../rules/derive-rules.ts';
import { countMeasures, findingKind } from './conditions.ts';
import type { FlowWindowStats, IntakeGap, Observations, OpenFinding, SystemCalls } from './observations.ts';
import { intakeSilenceBefore } from './quiet-hours.ts';
import { usualSilenceMs } from './usual-silence.ts';

const WEEK = 7 * 86_400_000;

/**
 * Per documented flow: traces, failed traces, the largest p95/p99 of its edges (an upper bound, as the
 * analyzer's) and a sample trace id (and a failed one) of the first edge that has one.
 */
export function flowStats(snap: { edges: AttributedEdge[] }): Map<string, FlowWindowStats> {
  const out = new Map<string, FlowWindowStats>();
  for (const e of snap.edges) {
    if (!e.flowId) continue;
    const s = out.get(e.flowId) ?? { traces: 0, failedTraces: 0, p95Ms: null, p99Ms: null };
    s.traces += e.traces;
    s.failedTraces += e.failedTraces;
    s.p95Ms = maxKnown([s.p95Ms, e.p95Ms]);
    s.p99Ms = maxKnown([s.p99Ms, e.p99Ms]);
    if (!s.sampleTrace && e.sampleTrace) s.sampleTrace = e.sampleTrace;
    if (!s.sampleErrorTrace && e.sampleErrorTrace) s.sampleErrorTrace = e.sampleErrorTrace;
    out.set(e.flowId, s);
  }
  return out;
}

/**
 * All-time last run per documented flow (`silentSince`: the later of its end and its arrival), from the small
 * edges-seen table; a half of its run (its runtime reading its source alone — a delta sync that found nothing to
 * write — or writing its target alone) is a run, as for stale-flow.
 */
export function flowLastSeen(snap: Pick<FlowWindows, 'catalog' | 'lastSeen'>): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of snap.catalog.flows) {
    const seen = snap.lastSeen
      .filter((s) => isRunOf(f, s))
      .map(silentSince)
      .sort()
      .at(-1);
    if (seen) out.set(f.id, seen);
  }
  return out;
}

/**
 * Per documented flow, from its paired runs (a half of its run counted, as for `flowLastSeen`), in one pass: the end of
 * its last run by its sender's clock (ISO; its arrival left out), compared with the end of its service's last sampled
 * span by that clock too; and the services its runs came from, all time (whose sampling counts for a flow named by its
 * integration alone). Flows with no paired run are absent from both.
 */
export function flowRuns(snap: Pick<FlowWindows, 'catalog' | 'lastSeen'>): { lastRunEnd: Map<string, string>; runServices: Map<string, string[]> } {
  const lastRunEnd = new Map<string, string>();
  const runServices = new Map<string, string[]>();
  for (const f of snap.catalog.flows) {
    const runs = snap.lastSeen.filter((s) => isRunOf(f, s));
    if (runs.length === 0) continue;
    lastRunEnd.set(
      f.id,
      runs
        .map((s) => s.lastSeen)
        .sort()
        .at(-1)!,
    );
    runServices.set(f.id, [...new Set(runs.map((s) => s.service))]);
  }
  return { lastRunEnd, runServices };
}

/**
 * The newest run per documented flow seen at ingest, before pairing: its integration's calls to the
 * flow's target system in a window (the endpoint rollup). Pairing waits for late spans; this does
 * not, so a flow that stopped is known to be silent up to the newest span Weft received.
 */
export function flowLastTouch(catalog: Catalog, touches: FlowWindows['windows'][number]['touches']): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of catalog.flows) {
    for (const t of touches) {
      if (t.system !== f.target || !runtimeMatches(f, t)) continue;
      const prev = out.get(f.id);
      if (!prev || t.lastSeen > prev) out.set(f.id, t.lastSeen);
    }
  }
  return out;
}

/**
 * The newest span of a call any integration made (from the small, all-time endpoints table: client, producer and
 * consumer spans, and spans with endpoint attributes; spans internal to a service are not in it). ISO; null: none yet.
 */
export async function lastIntake(store: Store): Promise<string | null> {
  const [row] = await store.client
    .query({ query: 'SELECT toString(max(last_seen)) AS t, count() AS n FROM weft_endpoints', format: 'JSONEachRow' })
    .then((r) => r.json<{ t: string; n: string }>());
  return row && Number(row.n) > 0 ? fromChTime(row.t) : null;
}

/**
 * When Weft last stored a span (`weft_trace_spans.arrived`: any span, stamped by the store at insert), looking from
 * `since` on (the previous answer; the table is sorted by arrival, so only what arrived since is read). ISO; null
 * when nothing arrived since `since`.
 */
export async function lastArrival(store: Store, since: Date): Promise<string | null> {
  const [row] = await store.client
    .query({
      query: `SELECT toUnixTimestamp64Milli(max(arrived)) AS t, count() AS n FROM weft_trace_spans WHERE arrived >= toDateTime64({since:String}, 3, 'UTC')`,
      query_params: { since: toChTime(since) },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ t: string | number; n: string | number }>());
  return row && Number(row.n) > 0 ? new Date(Number(row.t)).toISOString() : null;
}

/** A finding's evidence `sampleTraceIds` (strings only, at most 3); [] when it has none. */
export function sampleTraceIds(evidence: Record<string, unknown>): string[] {
  const ids = evidence.sampleTraceIds;
  return Array.isArray(ids) ? ids.filter((t): t is string => typeof t === 'string' && t !== '').slice(0, 3) : [];
}

/**
 * The longest staleness threshold of `rules` over their flows (ms; 0 without one): Weft's downtime is looked for over
 * twice it (`Observations.downtime`), as the analyzer looks over twice the longest allowed silence.
 */
function longestStaleness(rules: AlertRule[]): number {
  const of = (r: AlertRule) => r.flows.map((id) => (typeof r.threshold === 'function' ? (r.threshold(id) ?? 0) : r.threshold));
  return Math.max(0, ...rules.filter((r) => r.measure === 'staleness').flatMap(of));
}

const newest = (a: Map<string, string>, b: Map<string, string>) => {
  const out = new Map(a);
  for (const [k, v] of b) if (!out.has(k) || Date.parse(v) > Date.parse(out.get(k)!)) out.set(k, v);
  return out;
};

export interface ObserveOptions {
  store: Store;
  catalog: Catalog;
  rules: AlertRule[];
  findings?: FindingStore;
  now: Date;
  gaps: IntakeGap[];
  /** Since when this process has been evaluating (its start; `Observations.watchingSince`). */
  watchingSince?: Date;
  /** The last arrival the previous evaluation read (`Observations.lastArrival`): only what arrived since is read; 2 days back without it. */
  lastArrival?: string | null;
  /**
   * Cached seasonal baselines per throughput-drop window (ms) and flow, and the sampling of each of their weeks
   * (recomputed when older than `baselineMaxAgeMs`, or when a rule's window has none).
   */
  baselineCache?: { at: number; values: Map<number, Map<string, number[]>>; sampling?: Map<number, Map<string, number[]>> };
  baselineMaxAgeMs?: number;
}

/**
 * Reads what the rules need from the rollups in one read per kind of row (`takeWindows`): the edges of
 * each distinct flow-rule window (ending now for ratios and quantiles, at the pairing watermark for counts:
 * `Observations.settled`) and of the seasonal baseline (the settled window 1–4 weeks back, cached
 * for ten minutes of the watermark's progress), the touches of the first window (calls seen at ingest, for staleness) and of the
 * system-unreachable window, the all-time last seen per edge, the pairing watermark, the last intake and
 * the probes' open findings. Flat in history: every read is bounded by its window.
 */
export async function observe(o: ObserveOptions): Promise<Observations & { baselineCache?: ObserveOptions['baselineCache'] }> {
  const { store, catalog, now } = o;
  const at = (ms: number) => new Date(now.getTime() - ms);
  // Counts are judged on windows that end where pairing got to (`Observations.settled`), the rest on windows ending now.
  const state = await pairingState(store);
  const settledAt = state.pairedUntil && state.pairedUntil < now ? state.pairedUntil : now;
  const before = (ms: number) => new Date(settledAt.getTime() - ms);
  const flowRules = o.rules.filter((r) => isFlowMeasure(r.measure) && r.flows.length > 0);
  const windowsMs = [...new Set([...flowRules.filter((r) => !countMeasures.has(r.measure)).map((r) => r.windowMs), 300_000])];
  const settledMs = [...new Set(flowRules.filter((r) => countMeasures.has(r.measure)).map((r) => r.windowMs))];
  const requests: WindowRequest[] = [
    ...windowsMs.map((w, i) => ({ since: at(w), until: now, edges: true, touches: i === 0 })),
    ...settledMs.map((w) => ({ since: before(w), until: settledAt, edges: true })),
  ];
  // Calls to each catalog system in the short window (the endpoint rollup, fed at ingest: no pairing wait).
  const unreachable = o.rules.find((r) => r.measure === 'system-unreachable');
  if (unreachable) requests.push({ since: at(unreachable.windowMs), until: now, touches: true });
  let baselineCache = o.baselineCache;
  // Each throughput-drop rule's window has its own baseline: a rule over 10 minutes compared with the hour of another
  // rule's baseline saw a flow running as usual 83% below the usual.
  const dropWindows = [...new Set(flowRules.filter((r) => r.measure === 'throughput-drop').map((r) => r.windowMs))];
  const baselineFrom = requests.length;
  // The same settled window 1–4 weeks back; `at` is the settled window's end it was read for.
  const refreshBaseline =
    dropWindows.length > 0 &&
    (!baselineCache ||
      dropWindows.some((w) => !baselineCache!.values.has(w)) ||
      Math.abs(settledAt.getTime() - baselineCache.at) > (o.baselineMaxAgeMs ?? 600_000));
  if (refreshBaseline) {
    for (const w of dropWindows) for (let k = 1; k <= 4; k++) requests.push({ since: before(k * WEEK + w), until: before(k * WEEK), edges: true });
  }
  const read = await takeWindows(store, catalog, requests, now, state);
  // A staleness rule judges a flow whose runs reach Weft sampled against its sampling (analyzer/flows/sampling.ts), and
  // so does a count over a window that holds none of its sampled runs (below).
  const staleness = o.rules.some((r) => r.measure === 'staleness');
  const sampledNow = staleness || settledMs.length > 0 ? await querySampledServices(store, new Date(now.getTime() - SAMPLING_LOOKBACK_MS)) : undefined;
  const sampled = staleness ? sampledNow : undefined;

  const windows = new Map<number, Map<string, FlowWindowStats>>();
  windowsMs.forEach((w, i) => windows.set(w, flowStats(read.windows[i])));
  const settled = new Map<number, Map<string, FlowWindowStats>>();
  settledMs.forEach((w, i) => settled.set(w, flowStats(read.windows[windowsMs.length + i])));

  // Counts of a flow whose runs reach Weft sampled are judged against that sampling (throughputDropScore, conditions.ts):
  // the sampling of each settled window, and of the baseline weeks when they are read again, in one read.
  const runs = sampledNow ? flowRuns(read) : undefined;
  const samplingWindows = [
    ...settledMs.map((w) => ({ since: before(w), until: settledAt })),
    ...(refreshBaseline ? read.windows.slice(baselineFrom).map((w) => ({ since: new Date(w.since), until: new Date(w.until) })) : []),
  ];
  // And the sampling of the 14 days before each settled window: a service sampled in a window but not before it started
  // sampling in it, and sent the window's earlier runs unsampled (below).
  const priorFrom = samplingWindows.length;
  samplingWindows.push(...settledMs.map((w) => ({ since: new Date(before(w).getTime() - SAMPLING_LOOKBACK_MS), until: before(w) })));
  // By Weft's clock, as the runs counted in them were placed: a sender whose clock is off has its minutes moved.
  const inWindows = await querySamplingInWindows(store, samplingWindows, read.shifts);
  const probability = (f: Catalog['flows'][number], inWindow: Map<string, number>) => flowProbability(f, inWindow, runs?.runServices.get(f.id));
  // Each flow's sampling as last seen (flowSampling: undefined once its runs arrive after its service's last sampled span).
  const lastSampling = new Map(catalog.flows.map((f) => [f.id, flowSampling(f, sampledNow, runs?.lastRunEnd.get(f.id), runs?.runServices.get(f.id))]));
  const settledSampling = new Map<number, Map<string, number>>();
  const settledSamplingHighest = new Map<number, Map<string, number>>();
  settledMs.forEach((w, i) => {
    const byFlow = new Map<string, number>();
    for (const f of catalog.flows) {
      let p = probability(f, inWindows[i]);
      // A window without a run of the flow holds none of its sampled spans either: a flow sampled at 10% sends none in
      // an hour of 20 runs one hour in eight, and a sampled flow that stopped sends none at all. Its service's sampling
      // as last seen (flowSampling: none once the flow's runs arrive after it, unsampled) is what the silence is of.
      if (p === 1 && !(settled.get(w)?.get(f.id)?.traces ?? 0)) {
        p = lastSampling.get(f.id)?.probability ?? 1;
      }
      if (p > 0 && p < 1) byFlow.set(f.id, p);
    }
    settledSampling.set(w, byFlow);
    // A flow whose runs came from several services, some sending them unsampled or at a higher rate, is "more than" only
    // on the highest of their probabilities: the lowest made 31 runs an hour (30 unsampled, 1 sampled at 10%) stand for
    // at least 173.
    // And a flow whose sender started or stopped sampling in the window sent part of its runs there unsampled: 20 runs
    // sent unsampled and 2 at 10% in an hour stood for at least 109 runs. Its service, sampled in the window, was not in
    // the 14 days before it; or its last run ended after its service's last sampled span (flowSampling: none).
    const servicesOf = new Map<string, Set<string>>();
    for (const e of read.windows[windowsMs.length + i].edges)
      if (e.flowId && e.traces > 0 && byFlow.has(e.flowId)) servicesOf.set(e.flowId, (servicesOf.get(e.flowId) ?? new Set()).add(e.service));
    const highest = new Map<string, number>();
    for (const [flow, services] of servicesOf) {
      const started = [...services].some((s) => inWindows[i].has(s) && !inWindows[priorFrom + i].has(s));
      const stopped = lastSampling.get(flow) === undefined;
      const p = started || stopped ? 1 : Math.max(byFlow.get(flow)!, ...[...services].map((s) => inWindows[i].get(s) ?? 1));
      if (p > byFlow.get(flow)!) highest.set(flow, p);
    }
    settledSamplingHighest.set(w, highest);
  });
  const systemCalls = new Map<string, SystemCalls>();
  if (unreachable) {
    const systems = new Set(catalog.systems.map((s) => s.id));
    const callers = new Map<string, Set<string>>();
    for (const t of read.windows[windowsMs.length + settledMs.length].touches) {
      if (!systems.has(t.system)) continue;
      const s = systemCalls.get(t.system) ?? { calls: 0, failed: 0, callers: 0 };
      s.calls += t.spans;
      s.failed += t.errors;
      systemCalls.set(t.system, s);
      callers.set(t.system, (callers.get(t.system) ?? new Set()).add(t.integration));
    }
    for (const [id, s] of systemCalls) s.callers = callers.get(id)!.size;
  }
  if (refreshBaseline) {
    const values = new Map<number, Map<string, number[]>>();
    const sampling = new Map<number, Map<string, number[]>>();
    dropWindows.forEach((w, i) => {
      const perFlow = new Map<string, number[]>();
      const perFlowSampling = new Map<string, number[]>();
      for (let k = 4 * i; k < 4 * (i + 1); k++) {
        const week = read.windows[baselineFrom + k];
        // A week with no data at all is left out.
        if (week.edges.length === 0) continue;
        const stats = flowStats(week);
        for (const f of catalog.flows) {
          perFlow.set(f.id, [...(perFlow.get(f.id) ?? []), stats.get(f.id)?.traces ?? 0]);
          // A week without a run of the flow holds none of its sampled spans either: its sampling is unknown (NaN), and
          // none of its runs is none at any rate (throughputDropScore compares it with any).
          const p = probability(f, inWindows[settledMs.length + k]);
          perFlowSampling.set(f.id, [...(perFlowSampling.get(f.id) ?? []), p === 1 && !(stats.get(f.id)?.traces ?? 0) ? NaN : p]);
        }
      }
      values.set(w, perFlow);
      sampling.set(w, perFlowSampling);
    });
    baselineCache = { at: settledAt.getTime(), values, sampling };
  }
  let findings: OpenFinding[] = [];
  // The open findings of the kinds the rules alert on or link (conditions.ts: findingKind).
  const kinds = [...new Set(o.rules.flatMap((r) => findingKind[r.measure] ?? []))];
  if (o.findings && kinds.length > 0) {
    findings = (await o.findings.list({ kind: kinds, status: ['open', 'acknowledged'], limit: 5000 })).map((f) => ({
      id: f.id,
      kind: f.kind,
      key: f.key,
      title: f.title,
      severity: f.severity,
      subject: f.subject,
      traceIds: sampleTraceIds(f.evidence),
    }));
  }
  const derivedGap = o.rules.some((r) => r.measure === 'telemetry-gap' && r.origin === 'derived');
  const known = o.lastArrival ?? null;
  const arrived = (await lastArrival(store, known ? new Date(known) : at(2 * 86_400_000))) ?? known;
  return {
    now,
    lastIntake: await lastIntake(store),
    lastArrival: arrived,
    // Only the derived telemetry-gap reads them (conditions.ts): a catalog's own keeps its threshold.
    usualSilenceMs: derivedGap ? await usualSilenceMs(store, now) : null,
    // Read once the intake has been silent as long as the shortest threshold the rule can have.
    ...(derivedGap && arrived && now.getTime() - Date.parse(arrived) > TELEMETRY_GAP_MS ? { silenceBefore: await intakeSilenceBefore(store, now) } : {}),
    pairedUntil: read.pairedUntil,
    lastPairingRun: state.lastRunAt?.toISOString() ?? null,
    watchingSince: o.watchingSince?.toISOString() ?? null,
    observingSince: state.observingSince?.toISOString() ?? null,
    downtime: staleness ? await queryLastDowntime(store, now, 2 * longestStaleness(o.rules)) : null,
    windows,
    settled,
    lastSeen: newest(flowLastSeen(read), flowLastTouch(catalog, read.windows[0].touches)),
    baseline: baselineCache?.values ?? new Map<number, Map<string, number[]>>(),
    ...(baselineCache?.sampling ? { baselineSampling: baselineCache.sampling } : {}),
    settledSampling,
    settledSamplingHighest,
    systemCalls,
    findings,
    gaps: o.gaps,
    baselineCache,
    ...(sampled && runs ? { sampled, ...runs } : {}),
  };
}
