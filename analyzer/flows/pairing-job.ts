import type { Store } from '../../clickhouse/index.ts';
import { toChTime } from '../../clickhouse/index.ts';

export interface PairingResult {
  from: string;
  to: string;
}

const EMPTY = "('', '', '', '', '')";
/** Traces longer than this lose the touches from before it (pairing reads only recent partitions). */
const LOOKBACK_HOURS = 6;
/** A first run pairs at most this far back. */
const FIRST_RUN_MS = 2 * 86_400_000;

/** How far (span time) traces have been paired into flow edges; undefined before the first run. */
export async function watermark(store: Store): Promise<Date | undefined> {
  const rows = await store.client
    .query({ query: "SELECT toUnixTimestamp64Milli(value) AS ms FROM weft_analyzer_state FINAL WHERE name = 'pairing'", format: 'JSONEachRow' })
    .then((r) => r.json<{ ms: string | number }>());
  return rows[0] ? new Date(Number(rows[0].ms)) : undefined;
}

/**
 * Pairs reads and writes per trace and integration into per-minute flow edges, for traces that
 * ended in [watermark, now - lateMs). Each trace is paired once, after its late-arrival window; the
 * job reads only the last hours of weft_trace_touches, so its cost follows the ingest rate, not history.
 */
export async function runPairing(store: Store, now: Date, lateMs: number): Promise<PairingResult> {
  const to = new Date(now.getTime() - lateMs);
  const from = (await watermark(store)) ?? new Date(now.getTime() - FIRST_RUN_MS);
  if (to <= from) return { from: from.toISOString(), to: from.toISOString() };
  const params = { from: toChTime(from), to: toChTime(to), lookback: toChTime(new Date(from.getTime() - LOOKBACK_HOURS * 3_600_000)) };
  const select = `
    SELECT toStartOfMinute(start) AS minute, integration, service, domain,
      src.1 AS src_kind, src.2 AS src_sys, src.3 AS src_host, src.4 AS src_name, src.5 AS src_peer,
      tgt.1 AS tgt_kind, tgt.2 AS tgt_sys, tgt.3 AS tgt_host, tgt.4 AS tgt_name, tgt.5 AS tgt_peer,
      count() AS traces, countIf(errors > 0) AS failed_traces, sum(errors) AS error_spans, sum(records) AS records,
      quantilesTDigestState(0.5, 0.95, 0.99)(toFloat64(dateDiff('millisecond', start, end))) AS latency,
      min(start) AS first_seen, max(end) AS last_seen, max(trace_id) AS sample_trace, maxIf(trace_id, errors > 0) AS sample_error_trace
    FROM (
      SELECT trace_id, integration, any(service) AS service,
        arraySort(groupUniqArrayArray(domains)) AS ds, if(empty(ds), '', ds[1]) AS domain,
        groupUniqArrayArray(reads) AS r, groupUniqArrayArray(writes) AS w,
        sum(errors) AS errors, sum(records) AS records, min(start) AS start, max(end) AS end
      FROM weft_trace_touches
      WHERE hour >= toStartOfHour(toDateTime64({lookback:String}, 3, 'UTC'))
      GROUP BY trace_id, integration
      HAVING end >= toDateTime64({from:String}, 3, 'UTC') AND end < toDateTime64({to:String}, 3, 'UTC') AND (notEmpty(r) OR notEmpty(w))
    )
    ARRAY JOIN if(empty(r), [${EMPTY}], r) AS src
    ARRAY JOIN if(empty(w), [${EMPTY}], w) AS tgt
    GROUP BY minute, integration, service, domain, src, tgt`;
  await store.client.command({ query: `INSERT INTO weft_flow_edges_1m ${select}`, query_params: params });
  await store.client.insert({
    table: 'weft_analyzer_state',
    values: [{ name: 'pairing', value: toChTime(to), version: Date.now() }],
    format: 'JSONEachRow',
  });
  return { from: from.toISOString(), to: to.toISOString() };
}
