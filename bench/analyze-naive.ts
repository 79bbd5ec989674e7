/**
 * The naive approach, for comparison: the same flow edges computed straight from raw spans
 * (endpoint extraction, per-trace pairing and catalog resolution at query time), plus the all-time
 * last seen per edge that stale-flow detection needs — which means reading all span history.
 */
import { readFileSync } from 'node:fs';
import type { Store } from '../clickhouse/index.ts';
import { migrationsDir } from '../clickhouse/migrate.ts';
import type { Catalog } from '../core/catalog/index.ts';
import { endpointMapping, resolveExpr } from '../analyzer/flows/match-sql.ts';

function touchesSelect(where: string): string {
  const sql = readFileSync(`${migrationsDir}/033_span_touches_gate.sql`, 'utf8');
  const start = sql.indexOf('SELECT', sql.indexOf('CREATE MATERIALIZED VIEW IF NOT EXISTS weft_span_touches_mv'));
  const end = sql.indexOf('arrayEnumerate(touches) AS n;', start) + 'arrayEnumerate(touches) AS n'.length;
  // The view reads the spans from weft_spans_unclassified, which gets them from otel_traces with the attributes cast once.
  const spans = `(SELECT Timestamp, TraceId, ServiceName, SpanName, SpanKind, StatusCode, Duration, ResourceAttributes,
      CAST(SpanAttributes, 'Map(String, String)') AS A FROM otel_traces ${where})`;
  return sql.slice(start, end).replace(/FROM weft_spans_unclassified\n/, `FROM ${spans}\n`);
}

function edgesFromRaw(where: string): string {
  const ep = '(ep_kind, ep_sys, ep_host, ep_name, ep_peer)';
  const empty = "('', '', '', '', '')";
  return `
    SELECT source, target, integration, count() AS traces, countIf(errors > 0) AS failed, sum(records) AS records,
      quantiles(0.5, 0.95, 0.99)(dur) AS q, max(end) AS last_seen
    FROM (
      SELECT ${resolveExpr('src_')} AS source, ${resolveExpr('tgt_')} AS target, integration, errors, records, dur, end FROM (
        SELECT integration, service, errors, records, dur, end,
          src.1 AS src_kind, src.2 AS src_sys, src.3 AS src_host, src.4 AS src_name, src.5 AS src_peer,
          tgt.1 AS tgt_kind, tgt.2 AS tgt_sys, tgt.3 AS tgt_host, tgt.4 AS tgt_name, tgt.5 AS tgt_peer
        FROM (
          SELECT trace_id, integration, any(service) AS service,
            groupUniqArrayIf(${ep}, direction = 'read') AS r, groupUniqArrayIf(${ep}, direction = 'write') AS w,
            countIf(is_primary = 1 AND is_error = 1) AS errors, sum(records) AS records,
            toFloat64(dateDiff('millisecond', min(ts), max(end_ts))) AS dur, max(end_ts) AS end
          FROM (${touchesSelect(where)})
          GROUP BY trace_id, integration
          HAVING notEmpty(r) OR notEmpty(w)
        )
        ARRAY JOIN if(empty(r), [${empty}], r) AS src
        ARRAY JOIN if(empty(w), [${empty}], w) AS tgt))
    WHERE source != target
    GROUP BY source, target, integration`;
}

/**
 * Runs the naive queries, each stopped after `budgetS` seconds when given (the engine throws TIMEOUT_EXCEEDED); returns how many edges they found.
 */
export async function naiveGraph(
  store: Store,
  catalog: Catalog,
  sinceMs: number,
  untilMs: number,
  budgetS?: number,
): Promise<{ edges: number; allTimeEdges: number }> {
  const w = `WHERE Timestamp >= fromUnixTimestamp64Milli(toInt64(${sinceMs}), 'UTC') AND Timestamp < fromUnixTimestamp64Milli(toInt64(${untilMs}), 'UTC')`;
  const { params } = await endpointMapping(store, catalog);
  const q = (query: string) =>
    store.client
      .query({ query: budgetS ? `${query}\n    SETTINGS max_execution_time = ${budgetS}` : query, query_params: params, format: 'JSONEachRow' })
      .then((r) => r.json<Record<string, unknown>>());
  const edges = await q(edgesFromRaw(w));
  const all = await q(edgesFromRaw(''));
  return { edges: edges.length, allTimeEdges: all.length };
}
