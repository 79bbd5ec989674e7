import type { Catalog, Flow } from '../../core/catalog/index.ts';
import type { MatchedBy } from '../flows/endpoint-match.ts';
import type { SampledService } from '../flows/sampling.ts';
import type { EdgeLastSeen, ObservedEdge, ObservedTouch, SelfEdgeRow } from '../flows/observed.ts';
import type { HopChain } from '../hops/hop-chain.ts';
import type { LineageJobRuns } from '../hops/lineage-runs.ts';
import type { WeftDowntime } from '../flows/weft-downtime.ts';
import { groupBy } from '../../core/collections/index.ts';
import { compareCodePoints } from '../../core/text/index.ts';

export type EdgeMark = 'documented' | 'undocumented' | 'deprecated';

/** An observed edge with the documented flow it belongs to, if any. */
export interface AttributedEdge extends ObservedEdge {
  flowId: string | null;
  mark: EdgeMark;
  /** The edge's domain, or its documented flow's. */
  effectiveDomain: string;
}

/** Everything the graph, inventory and detectors read: plain data, no I/O. */
export interface Snapshot {
  catalog: Catalog;
  since: string;
  until: string;
  /**
   * When Weft first received a span (arrival time, never span time: a span stamped 1970 does not move
   * it; null: none yet). A flow cannot be missed before it was due.
   */
  observingSince: string | null;
  /** Everything that arrived before this is paired (arrival time: the last pairing run's clock minus the late-arrival window, at most `until`). */
  pairedUntil: string;
  /**
   * Weft's last downtime (no pairing run for longer than WEFT_DOWNTIME_MIN_MS) that ended within the look-back of the
   * absence rules (`absenceLookbackMs`); absent: none, or not read (only `detectionSnapshot` reads it). A flow's silence
   * across it is judged once Weft has watched long enough since (`absenceUnjudged`).
   */
  downtime?: WeftDowntime;
  /**
   * With a `downtime`: when the catalog version in effect was stored (ISO; the newest row of weft_catalog_versions,
   * stored whenever a start or reload loads a catalog that differs); absent when none is stored. A catalog changed
   * since the downtime began re-judges what it names (analyzer/detectors/unwatched-window.ts).
   */
  catalogStoredAt?: string;
  /** Arrived and not paired yet (still inside the late-arrival window): data is coming, not lost. */
  pending?: { traces: number; spans: number };
  edges: AttributedEdge[];
  touches: ObservedTouch[];
  /** All-time last seen per edge (source, target, integration, service): the run's end, and when Weft received it. */
  lastSeen: EdgeLastSeen[];
  /** All-time last seen per system (catalog ids and unknown:…), whatever the window. */
  systemLastSeen: Record<string, string>;
  /** Edges whose two different endpoints one `hosts` rule resolved to the same system (left out of `edges`). */
  ruleOverlaps?: RuleOverlap[];
  /** Touches of endpoints with no usable name (`system` is `unnamed:<kind>`; left out of `touches`). */
  unnamed?: ObservedTouch[];
  /** Records per hop: each domain's chains from its system of record to its replicas (analyzer/hops). */
  hopChains?: HopChain[];
  /**
   * The part of the window the hop chains' handoffs (through a topic or queue) count writes in: from
   * `since` to `settledUntil` (null: none of it, the window is too short), `settleMs` (the domains'
   * largest drift settle) and the minute in progress before `until`, so records in flight are not lost.
   */
  hopSettle?: { settleMs: number; settledUntil: string | null };
  /** Documented OpenLineage jobs: their last completed run by nominal time, and failed runs (stale-flow reads it). */
  lineageRuns?: LineageJobRuns[];
  /**
   * Services whose spans reached Weft sampled (tracestate `ot=th:…`), in the last day or the window when longer: a flow
   * they run is judged silent against its sampling (analyzer/flows/sampling.ts). Absent or empty: none was.
   */
  sampled?: SampledService[];
  /**
   * Since when the flows (`flow:<id>`) and systems (`system:<id>`) that are not active and were used in the window have
   * had their lifecycle, from the catalog versions Weft stored (ISO-8601; none known: it held all along). Use before it
   * is not use of a deprecated or retired flow (`queryLifecycleSince`).
   */
  lifecycleSince?: Record<string, string>;
}

/** A self-edge an over-broad match rule made: which rules matched each end. */
export interface RuleOverlap extends SelfEdgeRow {
  sourceRule: MatchedBy | null;
  targetRule: MatchedBy | null;
}

/** What the API shows beside observed data: how far pairing got and what still waits for it. */
export interface PairingStatus {
  pairedUntil: string;
  observingSince: string | null;
  pendingTraces: number;
  pendingSpans: number;
}

export const pairingStatus = (s: Snapshot): PairingStatus => ({
  pairedUntil: s.pairedUntil,
  observingSince: s.observingSince,
  pendingTraces: s.pending?.traces ?? 0,
  pendingSpans: s.pending?.spans ?? 0,
});

export const isUnknown = (id: string) => id.startsWith('unknown:');
export const isIntegrationNode = (id: string) => id.startsWith('integration:');

/** A flow with no runtime runs anywhere; otherwise its `integration.flow` or `service.name` must be the edge's. */
export function runtimeMatches(flow: Flow, e: { integration: string; service: string }): boolean {
  const r = flow.runtime ?? {};
  if (!r.service && !r.flow) return true;
  return (r.flow !== undefined && r.flow === e.integration) || (r.service !== undefined && r.service === e.service);
}

/** A catalog's flows by their two ends (`source NUL target`), each list in catalog order; built once per flows list. */
const flowsByEnds = new WeakMap<readonly Flow[], Map<string, Flow[]>>();

/**
 * The documented flow an edge belongs to: the first flow in catalog order with the edge's source and target whose
 * runtime matches it (`runtimeMatches`); undefined when none does. Looks up the flows between the two ends (a
 * search of every flow per edge was 15 ms of an alert evaluation's 392 edges × 6 windows × 200 flows).
 */
export function documentedFlowFor(catalog: Catalog, e: { source: string; target: string; integration: string; service: string }): Flow | undefined {
  let index = flowsByEnds.get(catalog.flows);
  if (!index) {
    index = groupBy(catalog.flows, (f) => `${f.source}\u0000${f.target}`);
    flowsByEnds.set(catalog.flows, index);
  }
  return index.get(`${e.source}\u0000${e.target}`)?.find((f) => runtimeMatches(f, e));
}

/**
 * The documented flow an edge is half of: the edge is a system read by the integration itself (a run that wrote nothing,
 * or not yet) and a flow documented with this runtime (`runtime.service` or `runtime.flow`) reads that system, or the
 * integration writing a system such a flow writes; the first in catalog order, undefined when none. A run paired in
 * halves — `integration.run.id` steps further apart than the late-arrival window, a run whose read and write are traces
 * of their own — is that flow's: not an undocumented flow, nor a writer other than the flow's source. A flow without a
 * runtime claims no half.
 */
export function flowOfHalf(catalog: Catalog, e: { source: string; target: string; integration: string; service: string }): Flow | undefined {
  return catalog.flows.find((f) => isHalfOf(f, e));
}

/**
 * Since when a flow whose newest run is `e` has been silent (ISO): the later of that run's own end (`lastSeen`, the
 * clocks of the processes that ran it) and when Weft received it (`lastArrived`, Weft's clock, which the horizons a
 * silence is counted up to also read); `lastSeen` alone when the arrival is not known. A writer's clock behind Weft's
 * made every run look older than it was by the difference (a flow that ran a minute ago, stale by 20 minutes of skew).
 * Neither time is earlier than the run really ended, so a silence is never overstated: a run its exporter held back
 * (a retry after an outage, spans loaded from files) counts as seen when it arrived. The one rule for stale-flow, its
 * alert and flow-never-observed.
 */
export function silentSince(e: { lastSeen: string; lastArrived?: string }): string {
  return e.lastArrived !== undefined && Date.parse(e.lastArrived) > Date.parse(e.lastSeen) ? e.lastArrived : e.lastSeen;
}

/**
 * Whether an edge is a run of `flow` for its silence (stale-flow, its alert, flow-never-observed): between its two
 * systems from its runtime, or a half of it (`isHalfOf`).
 */
export function isRunOf(flow: Flow, e: { source: string; target: string; integration: string; service: string }): boolean {
  return (e.source === flow.source && e.target === flow.target && runtimeMatches(flow, e)) || isHalfOf(flow, e);
}

/**
 * Whether an edge is a half of `flow` (see `flowOfHalf`): the integration itself reading the flow's source or writing
 * its target, from the flow's runtime (a flow without a runtime has no halves). Unlike `flowOfHalf`, every flow of the
 * runtime that reads that source (or writes that target) has the half, not only the first in catalog order.
 * Also the flow's source handing its data to the flow's runtime, from any service: an edge from the flow's source to
 * `integration:<runtime.flow>` or `integration:<runtime.service>`, a call the runtime answered (a CRM's API posting a webhook to the integration's own
 * endpoint: answered-calls.ts, `answeredNode`); the runtime's own spans say where the data went on.
 */
export function isHalfOf(flow: Flow, e: { source: string; target: string; integration: string; service: string }): boolean {
  if (!(flow.runtime?.service || flow.runtime?.flow)) return false;
  const runtimeNode = (name: string | undefined) => name !== undefined && e.target === `integration:${name}`;
  if (e.source === flow.source && (runtimeNode(flow.runtime.flow) || runtimeNode(flow.runtime.service))) return true;
  if (!runtimeMatches(flow, e)) return false;
  if (isIntegrationNode(e.target)) return flow.source === e.source && !isIntegrationNode(e.source);
  if (isIntegrationNode(e.source)) return flow.target === e.target;
  return false;
}

export function attributeEdges(catalog: Catalog, edges: ObservedEdge[]): AttributedEdge[] {
  return edges.map((e) => {
    const flow = documentedFlowFor(catalog, e);
    const mark: EdgeMark = !flow ? 'undocumented' : flow.lifecycle === 'active' ? 'documented' : 'deprecated';
    return { ...e, flowId: flow?.id ?? null, mark, effectiveDomain: e.domain || flow?.domain || '' };
  });
}

/**
 * The domain of edges shown as one flow (a graph edge, an undocumented flow of several services): the least of
 * their non-empty domains in code-point order, as the flow summary's SQL takes it (`minIf(domain, domain != '')`,
 * which compares UTF-8 bytes); '' when none has one. The first edge's was whichever came first.
 */
export function edgesDomain(edges: Array<{ effectiveDomain: string }>): string {
  let least = '';
  for (const e of edges) if (e.effectiveDomain !== '' && (least === '' || compareCodePoints(e.effectiveDomain, least) < 0)) least = e.effectiveDomain;
  return least;
}

/** The largest of the values that are known (an upper bound); null when none is. */
export function maxKnown(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : null;
}

/**
 * Sums edges of one flow; latency quantiles (ms) are the largest of the edges' that have one (an
 * upper bound), null when no edge had a duration (OpenLineage runs carry none without their START).
 */
export function combineEdges(edges: ObservedEdge[]) {
  if (edges.length === 0) return null;
  const traces = edges.reduce((n, e) => n + e.traces, 0);
  const failed = edges.reduce((n, e) => n + e.failedTraces, 0);
  return {
    traces,
    failedTraces: failed,
    errorRate: traces > 0 ? failed / traces : 0,
    records: edges.reduce((n, e) => n + e.records, 0),
    p50Ms: maxKnown(edges.map((e) => e.p50Ms)),
    p95Ms: maxKnown(edges.map((e) => e.p95Ms)),
    p99Ms: maxKnown(edges.map((e) => e.p99Ms)),
    firstSeen: edges.map((e) => e.firstSeen).sort()[0],
    lastSeen: edges
      .map((e) => e.lastSeen)
      .sort()
      .at(-1)!,
    sampleTrace: edges.find((e) => e.sampleTrace)?.sampleTrace ?? '',
    sampleErrorTrace: edges.find((e) => e.sampleErrorTrace)?.sampleErrorTrace ?? '',
    /** The trace of the slowest run over the edges ('' when none is known). */
    slowestTrace: edges.reduce((a, e) => (e.slowestTrace && e.slowestMs > a.ms ? { ms: e.slowestMs, trace: e.slowestTrace } : a), { ms: -1, trace: '' }).trace,
  };
}

export type FlowStats = NonNullable<ReturnType<typeof combineEdges>>;
