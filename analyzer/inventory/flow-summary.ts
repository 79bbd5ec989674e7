/**
 * One flow's inventory row over any window (a preset, an absolute range, the period before it), read
 * from the rollups for that flow alone: whole hours from the hourly table, the partial hours at the
 * ends from the per-minute one (`windowsSource`), so the cost follows the window and the flow's edges,
 * never the span history, and not the rest of the estate.
 */
import type { Store } from '../../clickhouse/index.ts';
import { fromChTime } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { flowEdgeCondition, type FlowSelection } from '../flows/flow-edges.ts';
import { endpointMapping, type EndpointMapping } from '../flows/match-sql.ts';
import { pairingState } from '../flows/pairing-job.ts';
import { NESTED_ROLLUP_SETTINGS, RECORDS_PER_TARGET, RUN_GROUP, runGroupOnce, TARGET_KEY, windowsSource, type Window } from '../flows/window-source.ts';
import type { FlowStats } from '../model/snapshot.ts';
import { catalogFlowFacts, observedFlowFacts, throughputPerHour, type InventoryFlow } from './build-inventory.ts';
import { flowOfHalf } from '../model/snapshot.ts';
import { flowDependencies, runtimeTouchFilter } from '../flows/flow-dependencies.ts';
import { quantileMs, queryTouchesByWindow, type ObservedTouch } from '../flows/observed.ts';
import { queryServiceShifts } from '../flows/sender-offsets.ts';

const EDGE_KEY = 'integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer';
const SEEN_KEY = 'integration, service, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer';

interface WindowRow {
  w: number;
  traces: string;
  failed: string;
  records: string;
  q: Array<number | null>;
  first_seen: string;
  last_seen: string;
  sample: string;
  sample_error: string;
  slowest: string;
  integrations: string[];
  domain: string;
}

/**
 * The inventory's row of one flow (`selectFlow`) for each window, in order: the same facts as
 * `/inventory/flows`, with `stats` over exactly that window (null when the flow had no trace in it —
 * never zeros), `integrations` seen in it, `throughputPerHour` over the part of it Weft observed (from when it first received a span, as the inventory's) and `lastSeen` all time.
 * Rows are the flow's as `flowEdgeCondition` says; an edge whose counts were all retracted by
 * re-pairing is left out, as in the inventory. Unlike the inventory's (the largest of its edges'),
 * the latency quantiles are those of the flow's merged digests: the same as one bucket of its time
 * series spanning the window. Null latency: no run in the window had a duration (OpenLineage runs
 * without their START). Windows are read in one query; the minute holding a window's start counts whole
 * (the rollups are per minute); a window whose end is not after its start is empty. `dependencies`: a documented
 * flow's lookups and state stores with its runtime's touches of each in the window, read for that runtime alone
 * (as the inventory's: `flowDependencies`, senders' clocks as of the earlier of now and the last window's end).
 */
export async function queryFlowSummaries(store: Store, catalog: Catalog, selection: FlowSelection, windows: Window[]): Promise<InventoryFlow[]> {
  if (windows.length === 0) return [];
  const mapping = await endpointMapping(store, catalog);
  const flow = flowEdgeCondition(catalog, selection);
  // A window that ends where it starts (or before) holds nothing: it is not read.
  const read = windows.flatMap((w, i) => (w.since < w.until ? [i] : []));
  const source = windowsSource(
    'weft_flow_edges',
    `${EDGE_KEY}, shape, traces, failed_traces, records, latency, first_seen, last_seen, sample_trace, sample_error_trace, sample_slow, records_per_target, records_fallback, write_rank`,
    read.map((i) => windows[i]),
  );
  const params = { ...source.params, ...mapping.params, ...flow.params };
  // Per raw edge and run group, summed; then once per run group (RUN_GROUP: the flow's edges of one run count once); then summed.
  const query = `
    SELECT w, sum(t) AS traces, sum(ft) AS failed, sum(rc) AS records, quantilesTDigestMerge(0.5, 0.95, 0.99)(lat) AS q,
      min(fs) AS first_seen, max(ls) AS last_seen, max(st) AS sample, max(se) AS sample_error, max(sl).2 AS slowest,
      arraySort(groupUniqArray(integration)) AS integrations, minIf(domain, domain != '') AS domain
    FROM (
      SELECT w, integration, service, domain, ${RUN_GROUP} AS g, ${runGroupOnce(['t', 'ft', 'rc', 'lat', 'fs', 'ls', 'st', 'se', 'sl'])}
      FROM (
        SELECT w, ${EDGE_KEY}, shape, ${TARGET_KEY} AS tk, sum(traces) AS t, sum(failed_traces) AS ft, sum(records) AS rc,
          quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency) AS lat, min(first_seen) AS fs, max(last_seen) AS ls,
          max(sample_trace) AS st, max(sample_error_trace) AS se, max(sample_slow) AS sl, ${RECORDS_PER_TARGET}
        FROM (${source.sql})
        WHERE ${flow.sql}
        GROUP BY w, ${EDGE_KEY}, shape
        HAVING t > 0
      )
      GROUP BY w, integration, service, domain, g
    )
    GROUP BY w ORDER BY w${NESTED_ROLLUP_SETTINGS}`;
  // All-time last seen of the flow's edges, from the small edges-seen table (no time dimension).
  const everQuery = `
    SELECT maxOrNull(ls) AS last_seen FROM (
      SELECT ${SEEN_KEY}, max(last_seen) AS ls FROM weft_flow_edges_seen WHERE ${flow.sql} GROUP BY ${SEEN_KEY} HAVING sum(traces) > 0
    )`;
  const dependencyWindows = read.map((i) => windows[i]);
  const [rows, ever, pairing, touches] = await Promise.all([
    read.length ? store.client.query({ query, query_params: params, format: 'JSONEachRow' }).then((r) => r.json<WindowRow>()) : [],
    store.client
      .query({ query: everQuery, query_params: { ...mapping.params, ...flow.params }, format: 'JSONEachRow' })
      .then((r) => r.json<{ last_seen: string | null }>()),
    // When Weft started observing (as the inventory and the graph say it): rates are over the part of a window since then.
    pairingState(store),
    runtimeTouches(store, mapping, selection, dependencyWindows),
  ]);
  const observingSince = pairing.observingSince?.toISOString() ?? null;
  const lastSeen = ever[0]?.last_seen ? fromChTime(ever[0].last_seen) : null;
  return windows.map((window, i) => {
    const since = window.since.toISOString();
    const until = window.until.toISOString();
    const row = rows.find((r) => read[Number(r.w)] === i);
    const stats = row ? statsOf(row) : null;
    const facts = selection.flow
      ? catalogFlowFacts(selection.flow)
      : observedFlowFacts(selection.source, selection.target, selection.integration!, row?.domain ?? null);
    // An observed flow's runtime is its integration, which is its service unless a span named a flow.
    const half = selection.flow
      ? undefined
      : flowOfHalf(catalog, { source: selection.source, target: selection.target, integration: selection.integration!, service: selection.integration! });
    return {
      ...facts,
      halfOf: half?.id ?? null,
      integrations: row?.integrations ?? [],
      stats,
      lastSeen,
      throughputPerHour: throughputPerHour(stats?.traces ?? 0, since, until, observingSince, stats?.firstSeen),
      dependencies: selection.flow ? flowDependencies(selection.flow, touches[read.indexOf(i)] ?? []) : [],
    };
  });
}

/** The touches of a documented flow's runtime in each window, when the flow declares lookups or state stores; none otherwise. */
async function runtimeTouches(store: Store, mapping: EndpointMapping, selection: FlowSelection, windows: Window[]): Promise<ObservedTouch[][]> {
  const f = selection.flow;
  const only = f && (f.lookups?.length || f.stateStores?.length) ? runtimeTouchFilter(f) : null;
  if (!only || windows.length === 0) return [];
  const latest = Math.max(...windows.map((w) => w.until.getTime()));
  const shifts = await queryServiceShifts(store, new Date(Math.min(Date.now(), latest)));
  return queryTouchesByWindow(store, mapping, windows, shifts, only);
}

function statsOf(r: WindowRow): FlowStats {
  const traces = Number(r.traces);
  const failed = Number(r.failed);
  const q = r.q ?? [null, null, null];
  return {
    traces,
    failedTraces: failed,
    errorRate: traces > 0 ? failed / traces : 0,
    records: Number(r.records),
    p50Ms: quantileMs(q[0]),
    p95Ms: quantileMs(q[1]),
    p99Ms: quantileMs(q[2]),
    firstSeen: fromChTime(r.first_seen),
    lastSeen: fromChTime(r.last_seen),
    sampleTrace: r.sample,
    sampleErrorTrace: r.sample_error,
    slowestTrace: r.slowest,
  };
}
