import type { Store } from '../../clickhouse/index.ts';

/**
 * A call's transport (migration 112). An instrumented client library runs over an HTTP layer that is instrumented too:
 * the aws-sdk instrumentation's CLIENT span `DynamoDB.PutItem` has instrumentation-http's CLIENT span `POST`
 * https://dynamodb.eu-west-1.amazonaws.com/ as its child, the Elasticsearch client's span has undici's `PUT` to the
 * cluster, an SQS SendMessage (a PRODUCER span) the POST that carries it. Counted apart, each child was a call of its own:
 * an unknown system and an undocumented flow beside the documented table or index. A CLIENT span whose parent, in the
 * same trace and service, is a CLIENT or PRODUCER span that touched a named endpoint (any kind but an unnamed one) is
 * that call's transport, whatever it touched. An HTTP call under an INTERNAL or SERVER span stays a call of its own.
 *
 * Decided per pairing run over the spans it reads (weft_pairing_spans: every row of each trace with a new arrival), so
 * a parent and a child that arrive in different requests, in either order, are matched when the later one arrives.
 */

/** The named touches of the touch sets `touchSets` (SQL selecting weft_trace_touch_sets rows): columns trace_id, span_id. */
const NAMED_TOUCH_SPANS = (touchSets: string) => `SELECT DISTINCT trace_id, arrayJoin(arrayConcat(
      arrayMap(x -> x.1, arrayFilter(x -> x.2.1 NOT IN ('', 'unnamed'), read_spans)),
      arrayMap(x -> x.1, arrayFilter(x -> splitByChar(char(31), x.2)[1] NOT IN ('', 'unnamed'), write_spans)),
      arrayMap(x -> x.1, arrayFilter(x -> x.2.1 NOT IN ('', 'unnamed'), unknown_spans)))) AS span_id
    FROM (${touchSets})
    WHERE trace_id IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_spans) WHERE call_kind = 1 AND parent_span_id != '')`;

const SPANS = '(SELECT * FROM weft_pairing_spans)';

/**
 * How many CLIENT spans among weft_pairing_spans have a CLIENT or PRODUCER parent in their trace and service (column n):
 * the only spans that can be a transport. Most runs have none (a CLIENT span's parent is its integration's INTERNAL or
 * SERVER span), and then the join with the touch sets (`TRANSPORT_INSERT`, 60 ms of a 330 ms pairing run of a dozen
 * spans, most of it the engine analysing the statement) is not run.
 */
const CANDIDATES = `SELECT count() AS n FROM ${SPANS}
    WHERE call_kind = 1 AND parent_span_id != ''
      AND (trace_id, parent_span_id, service) IN (SELECT trace_id, span_id, service FROM ${SPANS} WHERE call_kind IN (1, 2))`;

/** Fills weft_pairing_transport with the transport spans among weft_pairing_spans. */
const TRANSPORT_INSERT = (touchSets: string) => `INSERT INTO weft_pairing_transport (trace_id, span_id)
    SELECT DISTINCT c.trace_id, c.span_id
    FROM (SELECT DISTINCT trace_id, span_id, parent_span_id, service FROM ${SPANS} WHERE call_kind = 1 AND parent_span_id != '') AS c
    INNER JOIN (SELECT DISTINCT trace_id, span_id, service FROM ${SPANS} WHERE call_kind IN (1, 2)) AS p
      ON c.trace_id = p.trace_id AND c.parent_span_id = p.span_id AND c.service = p.service
    INNER JOIN (${NAMED_TOUCH_SPANS(touchSets)}) AS n ON c.trace_id = n.trace_id AND c.parent_span_id = n.span_id`;

/**
 * The domain of each transport span (columns trace_id, span_id, service, domain), as weft_span_touches_mv takes a
 * touch's: the span's integration.domain, else its resource's. Read from otel_traces for these spans only, in the time
 * they cover (the table is partitioned by day), through its trace id index.
 */
const DOMAINS = `SELECT TraceId AS trace_id, SpanId AS span_id, ServiceName AS service,
      any(if(SpanAttributes['integration.domain'] != '', SpanAttributes['integration.domain'], ResourceAttributes['integration.domain'])) AS domain
    FROM otel_traces
    WHERE TraceId IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_transport))
      AND (TraceId, SpanId) IN (SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport))
      AND Timestamp >= (SELECT min(ts) - toIntervalMinute(1) FROM ${SPANS} WHERE (trace_id, span_id) IN (SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport)))
      AND Timestamp <= (SELECT max(ts) + toIntervalMinute(1) FROM ${SPANS} WHERE (trace_id, span_id) IN (SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport)))
    GROUP BY trace_id, span_id, service`;

/**
 * Fills weft_pairing_retract with the rows of transport spans not taken back yet: per span and the integration and
 * service it arrived with, its rows (one per arrival, as the rollups counted them) less those weft_transport_ledger says
 * were taken back.
 */
const RETRACT_INSERT = `INSERT INTO weft_pairing_retract (trace_id, span_id, integration, service, domain, ts, is_error, records, rows)
    SELECT s.trace_id, s.span_id, s.integration, s.service, d.domain, s.ts, s.is_error, s.records, s.n - l.done
    FROM (
      SELECT trace_id, span_id, integration, service, argMin(ts, arrived) AS ts,
        argMin(is_error, arrived) AS is_error, argMin(records, arrived) AS records, count() AS n
      FROM ${SPANS}
      WHERE (trace_id, span_id) IN (SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport))
      GROUP BY trace_id, span_id, integration, service
    ) AS s
    LEFT JOIN (
      SELECT trace_id, span_id, integration, service, sum(rows) AS done FROM weft_transport_ledger
      WHERE trace_id IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_transport))
      GROUP BY trace_id, span_id, integration, service
    ) AS l ON s.trace_id = l.trace_id AND s.span_id = l.span_id AND s.integration = l.integration AND s.service = l.service
    LEFT JOIN (${DOMAINS}) AS d ON s.trace_id = d.trace_id AND s.span_id = d.span_id AND s.service = d.service
    WHERE s.n > l.done`;

/**
 * Rows of weft_endpoint_rollup_<1m|1h> that take the touches of weft_pairing_retract's spans back out: each touch (its
 * direction and endpoint, from the touch sets `touchSets` selects) negated as many times as the span's rows, modulo
 * 2^64; its records with it when it is the span's only touch (a span's records are counted on its first touch).
 */
const ROLLUP_RETRACT = (table: 'weft_endpoint_rollup_1m' | 'weft_endpoint_rollup_1h', touchSets: string) => {
  const [col, fn] = table === 'weft_endpoint_rollup_1m' ? ['minute', 'toStartOfMinute'] : ['hour', 'toStartOfHour'];
  return `INSERT INTO ${table} (${col}, integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain,
      spans, errors, records, latency, first_seen, last_seen, sample_trace, sample_error_trace)
    SELECT ${fn}(r.ts) AS at, r.integration AS integration, r.service AS service, e.1 AS direction,
      e.2.1 AS kind, e.2.2 AS sys, e.2.3 AS host, e.2.4 AS name, e.2.5 AS peer, r.domain AS domain,
      toUInt64(-toInt64(sum(r.rows))), toUInt64(-toInt64(sum(r.rows * r.is_error))),
      toUInt64(-toInt64(sum(if(length(t.eps) = 1, r.rows * r.records, 0)))),
      quantilesTDigestStateIf(0.5, 0.95, 0.99)(toFloat64(0), 0), toDateTime64('2299-12-31 00:00:00', 3, 'UTC'), toDateTime64(0, 3, 'UTC'), '', ''
    FROM (SELECT * FROM weft_pairing_retract) AS r
    INNER JOIN (
      SELECT trace_id, integration, se.1 AS span_id, groupUniqArray(se.2) AS eps
      FROM (
        SELECT trace_id, integration, arrayJoin(arrayConcat(
          arrayMap(x -> (x.1, ('read', x.2)), read_spans),
          arrayMap(x -> (x.1, ('write', (x.2[1], x.2[2], x.2[3], x.2[4], x.2[5]))), arrayMap(w -> (w.1, splitByChar(char(31), w.2)), write_spans)),
          arrayMap(x -> (x.1, ('unknown', x.2)), unknown_spans))) AS se
        FROM (${touchSets})
        WHERE trace_id IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_retract))
      )
      GROUP BY trace_id, integration, span_id
    ) AS t ON r.trace_id = t.trace_id AND r.integration = t.integration AND r.span_id = t.span_id
    ARRAY JOIN t.eps AS e
    GROUP BY at, integration, service, direction, kind, sys, host, name, peer, domain`;
};

/**
 * Finds the transport spans among weft_pairing_spans (into weft_pairing_transport) and takes the touches of those not
 * taken back yet out of the endpoint rollups, recording them in weft_transport_ledger first (a run stopped between the
 * two leaves a touch counted, never one taken back twice). `touchSets`: SQL selecting the weft_trace_touch_sets rows of
 * the spans' traces, with its statement parameters `params`. Resolves to whether any span is a transport (the pairing
 * then leaves their touches out: `withoutTransport`). Rejects with the engine's error.
 */
export async function markTransport(store: Store, touchSets: string, params: Record<string, unknown>): Promise<boolean> {
  const c = store.client;
  for (const table of ['weft_pairing_transport', 'weft_pairing_retract']) await c.command({ query: `TRUNCATE TABLE IF EXISTS ${table}` });
  const [candidates] = await c.query({ query: CANDIDATES, format: 'JSONEachRow' }).then((r) => r.json<{ n: number | string }>());
  if (Number(candidates?.n ?? 0) === 0) return false;
  await c.command({ query: TRANSPORT_INSERT(touchSets), query_params: params });
  const [found] = await c
    .query({ query: 'SELECT count() AS n FROM weft_pairing_transport', format: 'JSONEachRow' })
    .then((r) => r.json<{ n: number | string }>());
  if (Number(found?.n ?? 0) === 0) return false;
  await c.command({ query: RETRACT_INSERT });
  await c.command({
    query: `INSERT INTO weft_transport_ledger (trace_id, span_id, integration, service, rows, at)
      SELECT trace_id, span_id, integration, service, rows, now64(3, 'UTC') FROM weft_pairing_retract`,
  });
  for (const table of ['weft_endpoint_rollup_1m', 'weft_endpoint_rollup_1h'] as const) {
    await c.command({ query: ROLLUP_RETRACT(table, touchSets), query_params: params });
  }
  return true;
}

/**
 * The touch sets `touchSets` selects without the touches of weft_pairing_transport's spans: their reads, writes and
 * touches of no known direction rebuilt from the spans left (088, 101), and the spans' records and last writes with
 * them. A touch set stored before 101 (reads without the spans that made them) keeps what it has.
 */
export function withoutTransport(touchSets: string): string {
  const keep = (arr: string) => `arrayFilter(x -> NOT has(transport_ids, x.1), t.${arr})`;
  const rebuilt = (all: string, spans: string, items: (kept: string) => string) =>
    `if(empty(transport_ids) OR (notEmpty(t.${all}) AND empty(t.${spans})), t.${all}, arrayDistinct(${items(keep(spans))}))`;
  const keys = `arrayMap(x -> x.2, ${keep('write_spans')})`;
  return `SELECT t.* REPLACE (
      ${rebuilt('reads', 'read_spans', (kept) => `arrayMap(x -> x.2, ${kept})`)} AS reads,
      ${rebuilt('writes', 'write_spans', (kept) => `arrayMap(k -> (k[1], k[2], k[3], k[4], k[5]), arrayMap(x -> splitByChar(char(31), x.2), ${kept}))`)} AS writes,
      ${rebuilt('unknowns', 'unknown_spans', (kept) => `arrayMap(x -> x.2, ${kept})`)} AS unknowns,
      ${keep('record_spans')} AS record_spans,
      ${keep('write_spans')} AS write_spans,
      ${keep('read_spans')} AS read_spans,
      ${keep('unknown_spans')} AS unknown_spans,
      if(empty(transport_ids), t.write_last,
        (arrayFilter((key, v) -> has(${keys}, key), t.write_last.1, t.write_last.2),
         arrayFilter((v, key) -> has(${keys}, key), t.write_last.2, t.write_last.1))) AS write_last)
    FROM (${touchSets}) AS t
    LEFT JOIN (SELECT trace_id, groupArray(span_id) AS transport_ids FROM (SELECT * FROM weft_pairing_transport) GROUP BY trace_id) AS tr
      ON t.trace_id = tr.trace_id`;
}
