import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { fromChTime, toChTime } from '../../clickhouse/index.ts';
import { flowEdgeCondition, type FlowSelection } from './flow-edges.ts';
import { endpointMapping } from './match-sql.ts';
import { quantileMs } from './observed.ts';
import { NESTED_ROLLUP_SETTINGS, RECORDS_PER_TARGET, RUN_GROUP, runGroupOnce, TARGET_KEY } from './window-source.ts';

export interface FlowPoint {
  t: string;
  traces: number;
  failedTraces: number;
  records: number;
  /** Latency quantiles of the bucket in ms; null when none of its traces had a duration (OpenLineage runs without a START). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * Per-bucket stats of one flow (`selectFlow`) over [since, until], in buckets of `stepSeconds` (at
 * least 60: the rollups are per minute) laid every step from `origin` (any second; default the start
 * of `since`'s minute, so the first bucket is the range's own and two ranges of the same length are
 * bucketed alike: the flow page draws the period before on top of this one, shifted by the length).
 * The minutes read are those overlapping the range (none starting at `until`, as `windowsSource`).
 * `t` is a bucket's start (ISO 8601); buckets without traces are left out.
 */
export async function queryFlowSeries(
  store: Store,
  catalog: Catalog,
  selection: FlowSelection,
  since: Date,
  until: Date,
  stepSeconds: number,
  origin: Date = new Date(Math.floor(since.getTime() / 60_000) * 60_000),
): Promise<FlowPoint[]> {
  const mapping = await endpointMapping(store, catalog);
  const flow = flowEdgeCondition(catalog, selection);
  const step = Math.max(60, Math.floor(stepSeconds));
  // Plain arithmetic (floor division: a minute may start before the origin), not toStartOfInterval's
  // origin argument, which older ClickHouse servers lack.
  const query = `
    SELECT b, sum(t) AS tr, sum(ft) AS ft, sum(rc) AS rc, quantilesTDigestMerge(0.5, 0.95, 0.99)(lat) AS q
    FROM (
      -- Once per run group (RUN_GROUP) and bucket: the flow's edges of one run count once.
      SELECT b, integration, service, domain, g, ${runGroupOnce(['t', 'ft', 'rc', 'lat'])}
      FROM (
        SELECT toDateTime({origin:Int64} + toInt64(floor((toInt64(toUnixTimestamp(minute)) - {origin:Int64}) / {step:UInt32})) * {step:UInt32}, 'UTC') AS b,
          integration, service, domain, ${RUN_GROUP} AS g, ${TARGET_KEY} AS tk, sum(traces) AS t, sum(failed_traces) AS ft, sum(records) AS rc,
          quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency) AS lat, ${RECORDS_PER_TARGET}
        FROM weft_flow_edges_1m
        WHERE minute >= toStartOfMinute(toDateTime64({since:String}, 3, 'UTC')) AND minute < toDateTime64({until:String}, 3, 'UTC')
          AND ${flow.sql}
        GROUP BY b, integration, service, domain, src_kind, src_sys, src_host, src_name, src_peer, tgt_kind, tgt_sys, tgt_host, tgt_name, tgt_peer, shape
      )
      GROUP BY b, integration, service, domain, g
    )
    GROUP BY b HAVING tr > 0 ORDER BY b${NESTED_ROLLUP_SETTINGS}`;
  const rows = await store.client
    .query({
      query,
      query_params: { ...mapping.params, ...flow.params, since: toChTime(since), until: toChTime(until), origin: Math.floor(origin.getTime() / 1000), step },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ b: string; tr: string; ft: string; rc: string; q: Array<number | null> }>());
  return rows.map((r) => ({
    t: fromChTime(r.b),
    traces: Number(r.tr),
    failedTraces: Number(r.ft),
    records: Number(r.rc),
    p50Ms: quantileMs(r.q[0]),
    p95Ms: quantileMs(r.q[1]),
    p99Ms: quantileMs(r.q[2]),
  }));
}
