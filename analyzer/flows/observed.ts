import type { Store } from '../../clickhouse/index.ts';
import { fromChTime } from '../../clickhouse/index.ts';
import { integrationNodeExpr, resolveExpr, type EndpointMapping } from './match-sql.ts';
import { applyRoles, hasRoles, sourceLeftOutExpr, targetLeftOutExpr } from './flow-roles.ts';
import { NESTED_ROLLUP_SETTINGS, RECORDS_PER_TARGET, RUN_GROUP, runGroupOnce, TARGET_KEY, windowsSource, type Window } from './window-source.ts';
import type { Endpoint } from './endpoint-match.ts';
import type { ServiceShift } from './sender-offsets.ts';
import { compareCodePoints } from '../../core/text/index.ts';

/** A data flow as observed: source → target, carried by one integration, over a window. */
export interface ObservedEdge {
  source: string;
  target: string;
  integration: string;
  service: string;
  domain: string;
  traces: number;
  failedTraces: number;
  errorSpans: number;
  records: number;
  /** Latency quantiles in ms; null when no trace of the edge had a duration (OpenLineage runs whose START was not seen). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  firstSeen: string;
  lastSeen: string;
  sampleTrace: string;
  sampleErrorTrace: string;
  /** The slowest run's trace and its latency (ms), '' and 0 when none is known (OpenLineage runs). */
  slowestTrace: string;
  slowestMs: number;
}

/** A system (or unknown endpoint) as touched by one integration in one direction. */
export interface ObservedTouch {
  system: string;
  integration: string;
  service: string;
  direction: string;
  domain: string;
  spans: number;
  errors: number;
  records: number;
  lastSeen: string;
  sampleTrace: string;
}

const num = (v: unknown) => Number(v ?? 0);
/**
 * A latency quantile as ClickHouse returns it: the quantiles of an empty digest are NaN, written as
 * null in JSON; no duration is "no data" (null), never 0 ms.
 */
export const quantileMs = (v: unknown): number | null => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));
const time = (v: unknown) => fromChTime(String(v));
const EDGE_KEY = 'integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer';
const ENDPOINT_KEY = 'integration, service, direction, domain, ep_kind, ep_sys, ep_host, ep_name, ep_peer';

/** One window's edges between different systems, and its self-edges (both ends resolved to one system). */
export interface WindowEdges {
  edges: ObservedEdge[];
  selfEdges: SelfEdgeRow[];
}

const RAW_ENDS = 'src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer';

/**
 * Flow edges of each window (in order), resolved to systems by the catalog's match rules now, read in
 * one query whatever the number of windows. Edges whose contributions were all retracted by re-pairing
 * (their counts sum to 0) are left out. The same read gives each window's self-edges: edges whose two
 * (non-empty) ends resolve to the same system, left out of the graph, which the analyzer reports when an
 * over-broad match rule caused them. Each raw edge (endpoints as stored) is summed once; it then counts
 * towards its resolved edge when it has traces and its ends differ (role 0), or is kept with its
 * endpoints when both ends resolve to one system (role 1). Each window's edges and self-edges come
 * sorted by source, target and integration (code points).
 *
 * The statement is kept small, because planning it is most of its cost (about 65 of its 120 ms of CPU on
 * `bench:analyze`'s 1M-span estate; docs/scaling.md): the raw ends travel as one array, read only for
 * self-edges, and the rows are sorted here, not in SQL (an ORDER BY cost 15–27 ms of planning).
 */
export async function queryEdgesByWindow(store: Store, mapping: EndpointMapping, windows: Window[]): Promise<WindowEdges[]> {
  if (windows.length === 0) return [];
  const source = windowsSource(
    'weft_flow_edges',
    `${EDGE_KEY}, shape, traces, failed_traces, error_spans, records, latency, first_seen, last_seen, sample_trace, sample_error_trace, sample_slow, records_per_target, records_fallback, write_rank`,
    windows,
  );
  const REST = 'tk, t, ft, es, rc, fb, wr, tn, ff, lat, fs, ls, st, se, sl';
  const resolved = `
          SELECT w, ${resolveExpr('src_')} AS source, ${resolveExpr('tgt_')} AS target, integration, service, domain,
            [${RAW_ENDS}] AS ends, ${RUN_GROUP} AS g, ${TARGET_KEY} AS tk, t, ft, es, rc, fb, wr, tn, ff, lat, fs, ls, st, se, sl
          FROM (
            SELECT w, integration, service, domain, ${RAW_ENDS}, shape,
              sum(traces) AS t, sum(failed_traces) AS ft, sum(error_spans) AS es, sum(records) AS rc,
              quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency) AS lat, min(first_seen) AS fs, max(last_seen) AS ls, max(sample_trace) AS st, max(sample_error_trace) AS se,
              max(sample_slow) AS sl, ${RECORDS_PER_TARGET}
            FROM (${source.sql})
            GROUP BY w, ${EDGE_KEY}, shape
          )`;
  // The catalog's lookups and state stores (flow-roles.ts), only when it declares any: the plain read stays as it was.
  const roles = hasRoles(mapping.params);
  // Per raw edge and run group, summed; then resolved: an edge between two systems (role 0) is taken once per run group
  // (RUN_GROUP) and summed over groups; a self-edge (role 1) is kept per raw edge (keyed by the hash of its ends, `re`).
  const query = `
    SELECT w, role, source, target, integration, service, d AS domain, any(ends) AS ends,
      sum(t) AS traces, sum(ft) AS failed, sum(es) AS error_spans, sum(rc) AS records,
      quantilesTDigestMerge(0.5, 0.95, 0.99)(lat) AS q, min(fs) AS first_seen, max(ls) AS last_seen, max(st) AS sample, max(se) AS sample_error,
      max(sl) AS slowest, groupArrayIf((g, t), role = 1) AS runs
    FROM (
      SELECT w, role, source, target, integration, service, d, re, g, any(ends) AS ends,
        ${runGroupOnce(['t', 'ft', 'es', 'rc', 'lat', 'fs', 'ls', 'st', 'se', 'sl'])}
      FROM (
        SELECT w, toUInt8(source = target) AS role, source, target, integration, service, if(role = 1, '', domain) AS d,
          ends, if(role = 1, cityHash64(ends), 0) AS re, g, tk, t, ft, es, rc, fb, wr, tn, ff, lat, fs, ls, st, se, sl
        FROM (${roles ? applyRoles(resolved, REST, integrationNodeExpr()) : resolved})
        WHERE (role = 0 AND t > 0) OR (role = 1 AND ends[1] != '' AND ends[6] != '')
      )
      GROUP BY w, role, source, target, integration, service, d, re, g
    )
    GROUP BY w, role, source, target, integration, service, d, re${NESTED_ROLLUP_SETTINGS}`;
  const rows = await store.client
    .query({ query, query_params: { ...source.params, ...mapping.params }, format: 'JSONEachRow' })
    .then((r) => r.json<Record<string, unknown>>());
  rows.sort(
    (a, b) =>
      compareCodePoints(String(a.source), String(b.source)) ||
      compareCodePoints(String(a.target), String(b.target)) ||
      compareCodePoints(String(a.integration), String(b.integration)),
  );
  const out: WindowEdges[] = windows.map(() => ({ edges: [], selfEdges: [] }));
  const side = (ends: string[], at: number): Endpoint => ({ kind: ends[at], sys: ends[at + 1], host: ends[at + 2], name: ends[at + 3], peer: ends[at + 4] });
  for (const r of rows) {
    if (num(r.role) === 1) {
      out[num(r.w)].selfEdges.push({
        system: String(r.source),
        integration: String(r.integration),
        service: String(r.service),
        source: side(r.ends as string[], 0),
        target: side(r.ends as string[], 5),
        runs: (r.runs as Array<[unknown, unknown]>).map(([group, traces]) => ({ group: String(group), traces: num(traces) })),
        lastSeen: time(r.last_seen),
        sampleTrace: String(r.sample),
      });
      continue;
    }
    const q = (r.q as Array<number | null>) ?? [null, null, null];
    out[num(r.w)].edges.push({
      source: String(r.source),
      target: String(r.target),
      integration: String(r.integration),
      service: String(r.service),
      domain: String(r.domain),
      traces: num(r.traces),
      failedTraces: num(r.failed),
      errorSpans: num(r.error_spans),
      records: num(r.records),
      p50Ms: quantileMs(q[0]),
      p95Ms: quantileMs(q[1]),
      p99Ms: quantileMs(q[2]),
      firstSeen: time(r.first_seen),
      lastSeen: time(r.last_seen),
      sampleTrace: String(r.sample),
      sampleErrorTrace: String(r.sample_error),
      ...slowest(r.slowest),
    });
  }
  return out;
}

/**
 * Every system and unknown endpoint touched in each window (in order), per integration and direction, read in one query
 * (an endpoint whose touches were all taken back, the transport of a client library's call: transport-spans.ts, is not);
 * each window's sorted by system and integration (code points). The windows are Weft's clock: the calls of a service
 * whose clock is off (`shifts`, `queryServiceShifts` as of the reading) are read where its offset places them, and
 * their `lastSeen` is moved by it (without, a caller 10 minutes behind had no call in any window ending now: its system
 * looked silent, or unreachable on the failures of its other callers). `only`: a condition on the rollup's columns
 * (`integration`, `service`, …) and its parameters, to read some integrations' touches alone (`runtimeTouchFilter`).
 */
export async function queryTouchesByWindow(
  store: Store,
  mapping: EndpointMapping,
  windows: Window[],
  shifts: readonly ServiceShift[] = [],
  only?: { sql: string; params: Record<string, string> },
): Promise<ObservedTouch[][]> {
  if (windows.length === 0) return [];
  const source = windowsSource('weft_endpoint_rollup', `${ENDPOINT_KEY}, spans, errors, records, last_seen, sample_trace`, windows, shifts);
  const query = `
    SELECT w, system, integration, service, direction, domain, sum(s) AS spans, sum(e) AS errors, sum(rc) AS records, max(ls) AS last_seen, max(st) AS sample
    FROM (
      SELECT w, ${resolveExpr('ep_')} AS system, integration, service, direction, domain, s, e, rc, ls, st
      FROM (
        SELECT w, integration, service, direction, domain, ep_kind, ep_sys, ep_host, ep_name, ep_peer,
          sum(spans) AS s, sum(errors) AS e, sum(records) AS rc, max(last_seen + toIntervalMillisecond(shift_ms)) AS ls, max(sample_trace) AS st
        FROM (${source.sql}) WHERE ep_kind != ''${only ? ` AND ${only.sql}` : ''}
        GROUP BY w, ${ENDPOINT_KEY}
        HAVING s > 0
      )
    )
    GROUP BY w, system, integration, service, direction, domain${NESTED_ROLLUP_SETTINGS}`;
  const rows = await store.client
    .query({ query, query_params: { ...source.params, ...mapping.params, ...only?.params }, format: 'JSONEachRow' })
    .then((r) => r.json<Record<string, unknown>>());
  rows.sort((a, b) => compareCodePoints(String(a.system), String(b.system)) || compareCodePoints(String(a.integration), String(b.integration)));
  const out: ObservedTouch[][] = windows.map(() => []);
  for (const r of rows) {
    out[num(r.w)].push({
      system: String(r.system),
      integration: String(r.integration),
      service: String(r.service),
      direction: String(r.direction),
      domain: String(r.domain),
      spans: num(r.spans),
      errors: num(r.errors),
      records: num(r.records),
      lastSeen: time(r.last_seen),
      sampleTrace: String(r.sample),
    });
  }
  return out;
}

/**
 * The newest run of a resolved edge (source → target by integration and service), all time: `lastSeen` its end by the
 * clocks of the processes that ran it (ISO), `lastArrived` when Weft received its spans, by Weft's clock (ISO; absent
 * when every run of the edge was paired before migration 094 kept arrivals).
 */
export interface EdgeLastSeen {
  source: string;
  target: string;
  integration: string;
  service: string;
  lastSeen: string;
  lastArrived?: string;
}

/** All-time last seen per resolved edge (source → target by integration), from the small edges-seen table. */
export async function queryEdgeLastSeen(store: Store, mapping: EndpointMapping): Promise<EdgeLastSeen[]> {
  const resolved = `
      SELECT ${resolveExpr('src_')} AS source, ${resolveExpr('tgt_')} AS target, src_kind, tgt_kind, integration, service, ls, la FROM (
        SELECT integration, service, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer,
          max(last_seen) AS ls, max(last_arrived) AS la
        FROM weft_flow_edges_seen
        GROUP BY integration, service, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer
        HAVING sum(traces) > 0)`;
  // The catalog's lookups and state stores (flow-roles.ts), row by row: this table keeps no run groups, so an end left
  // out becomes the integration itself (a half of the run, as when it was its only read or write); a row left with
  // neither end is dropped. A run that also read its real source is then in both rows: the same run, the same times.
  const node = integrationNodeExpr();
  const withRoles = `
      SELECT if(sx, ${node}, source) AS source, if(tx, ${node}, target) AS target, integration, service, ls, la FROM (
        SELECT *, ${sourceLeftOutExpr('source', 'target', "src_kind != ''", "tgt_kind != ''")} AS sx, ${targetLeftOutExpr('target', "tgt_kind != ''")} AS tx
        FROM (${resolved}))
      WHERE NOT ((sx OR src_kind = '') AND (tx OR tgt_kind = ''))`;
  const query = `
    SELECT source, target, integration, service, max(ls) AS last_seen, max(la) AS last_arrived FROM (${hasRoles(mapping.params) ? withRoles : resolved})
    WHERE source != target
    GROUP BY source, target, integration, service`;
  const rows = await store.client.query({ query, query_params: mapping.params, format: 'JSONEachRow' }).then((r) => r.json<Record<string, unknown>>());
  return rows.map((r) => ({
    source: String(r.source),
    target: String(r.target),
    integration: String(r.integration),
    service: String(r.service),
    lastSeen: time(r.last_seen),
    // 1970: every run of the edge was paired before Weft kept arrivals (migration 094).
    ...(Date.parse(time(r.last_arrived)) > 0 ? { lastArrived: time(r.last_arrived) } : {}),
  }));
}

/** Both ends of an edge that resolved to one system, with the endpoints as stored. */
export interface SelfEdgeRow {
  system: string;
  integration: string;
  service: string;
  source: Endpoint;
  target: Endpoint;
  /**
   * The raw edge's runs by run group (`RUN_GROUP`, as a decimal string): rows of one group (and service) hold the same
   * runs, so the runs of several raw edges are each group's largest count, summed over groups (`selfEdgeRuns`).
   */
  runs: Array<{ group: string; traces: number }>;
  lastSeen: string;
  sampleTrace: string;
}

/**
 * The runs behind self-edge rows (of one system and integration): per service and run group the largest count of
 * its rows, summed. A relay run that read two endpoints and wrote two is in four raw edges: one run, not four.
 */
export function selfEdgeRuns(rows: Array<Pick<SelfEdgeRow, 'service' | 'runs'>>): number {
  const most = new Map<string, number>();
  for (const r of rows)
    for (const g of r.runs) {
      const key = `${r.service}\u0000${g.group}`;
      most.set(key, Math.max(most.get(key) ?? 0, g.traces));
    }
  let runs = 0;
  for (const n of most.values()) runs += n;
  return runs;
}

/** `(latency ms, trace id)` as the JSON format gives a tuple (an array), as the edge's slowest run. */
function slowest(v: unknown): { slowestTrace: string; slowestMs: number } {
  const [ms, trace] = Array.isArray(v) ? (v as unknown[]) : [0, ''];
  return { slowestTrace: String(trace ?? ''), slowestMs: Number(ms) || 0 };
}
