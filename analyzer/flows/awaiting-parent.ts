import type { Store } from '../../clickhouse/index.ts';
import { toChTime } from '../../clickhouse/ch-time.ts';
import { resolveExpr, type EndpointMapping } from './match-sql.ts';
import { asMoved, touchPairs } from './taken-back.ts';

/**
 * The longest a CLIENT span whose parent has not arrived is held out of the unknown systems (ms): a client library's call
 * carried by an instrumented HTTP call (transport-spans.ts, migration 112) ends a moment after the HTTP call, and an SDK's
 * batch processor may export the two in consecutive batches, seconds apart (the OpenTelemetry SDK's
 * BatchSpanProcessor: every 5 s, or when 512 spans are queued). The analyzer holds for the shorter of this and its
 * late-arrival time.
 */
export const AWAITING_PARENT_MAX_MS = 60_000;

/**
 * The most touches of unknown systems `awaitingParent` passes from its first read to its second as parameters (about
 * 50 bytes each: they travel in the request's URL to a ClickHouse server, whose default limit is 1 MiB); past it one
 * statement reads them again where they are.
 */
const AWAITING_PARENT_PASSED = 5_000;

/** Spans that touched a system and await their parent, by what they touched: `awaitingParent`'s answer. */
export type AwaitingParent = Map<string, number>;

/** The key of `AwaitingParent`: a system id (as resolved), an integration and a direction. */
export const awaitingKey = (system: string, integration: string, direction: string) => `${system}\u0000${integration}\u0000${direction}`;

/**
 * The touches, per system (resolved through `mapping`), integration and direction, of the CLIENT spans that arrived in
 * the last `holdMs` and whose parent has not arrived (looked for among the spans that arrived since 5 minutes before). Until the
 * parent arrives such a call may be a transport, which the pairing takes back out of the endpoint rollups once it can
 * tell (a DynamoDB PutItem's HTTP POST arriving before the PutItem made `Unknown system
 * dynamodb.eu-west-1.amazonaws.com`, open until the next batch): a system all of whose touches in a window are such is
 * not reported yet. Counts as the rollups count: one per touch of each arrival, of the spans whose own time is in
 * `window` (the minutes [since, until) the snapshot reads: a span that arrives now with a time outside them, history sent
 * late, is no touch of that window, and counted against it held out a system the window saw called for good). Reads the
 * last `holdMs` of arrivals only: first the touches of unknown systems (usually none, or few), then, given those, which of
 * their spans still await their parent; more than AWAITING_PARENT_PASSED touches are counted in one statement that reads
 * them three times (on a small store it took 150–190 ms of CPU, against 50–70 for the first read). Rejects with the
 * engine's error. `passed`: the most touches passed on (default AWAITING_PARENT_PASSED; 0 always reads them again).
 */
export async function awaitingParent(
  store: Store,
  mapping: EndpointMapping,
  holdMs: number,
  window: { since: Date; until: Date },
  { passed = AWAITING_PARENT_PASSED }: { passed?: number } = {},
): Promise<AwaitingParent> {
  const since = (extraMs: number) => `arrived >= now64(3, 'UTC') - toIntervalMillisecond({hold:UInt64} + ${extraMs})`;
  // The touches of unknown systems in the last holdMs of arrivals, each with its span: few, where a whole estate's
  // CLIENT spans of a minute are many.
  // A call moved to its transport's host (transport-hosts.ts, migration 117) is held where the rollups count it.
  const touched = `SELECT trace_id, span_id, system, integration, direction FROM (
      SELECT trace_id, span_id, integration, e.1 AS direction,
        e.2.1 AS ep_kind, e.2.2 AS ep_sys, e.2.3 AS ep_host, e.2.4 AS ep_name, e.2.5 AS ep_peer, ${resolveExpr('ep_', 'integration', "''")} AS system
      FROM (
        SELECT a.trace_id AS trace_id, a.span_id AS span_id, a.integration AS integration, ${asMoved('a.touch', 'm.hosted')} AS e
        FROM (
          SELECT trace_id, integration, insert_key, x.1 AS span_id, x.3 AS touch
          FROM (SELECT * FROM weft_trace_touch_sets WHERE ${since(0)})
          ARRAY JOIN arrayFilter(x -> x.3.1 != 'records', ${touchPairs('')}) AS x
        ) AS a
        LEFT JOIN (
          SELECT trace_id, span_id, integration, insert_key, groupArrayArray(touches) AS hosted FROM weft_transport_ledger
          WHERE reason = 'host' AND trace_id IN (SELECT trace_id FROM weft_trace_touch_sets WHERE ${since(0)})
          GROUP BY trace_id, span_id, integration, insert_key
        ) AS m ON a.trace_id = m.trace_id AND a.span_id = m.span_id AND a.integration = m.integration AND a.insert_key = m.insert_key))
    WHERE startsWith(system, 'unknown:')`;
  // Of their spans, the CLIENT spans whose parent is not among the spans of their traces that arrived since 5 minutes
  // before (a parent ends after its children, and is sent with them or after them).
  const awaiting = (pairs: string, traces: string, span = '(trace_id, span_id)') => `
      SELECT trace_id, span_id FROM (SELECT * FROM weft_trace_spans)
      WHERE ${since(0)} AND call_kind = 1 AND parent_span_id != '' AND ${span} IN ${pairs}
        AND ts >= toDateTime64({w_since:String}, 3, 'UTC') AND ts < toDateTime64({w_until:String}, 3, 'UTC')
        AND (trace_id, parent_span_id) NOT IN (
          SELECT trace_id, span_id FROM (SELECT * FROM weft_trace_spans) WHERE ${since(300_000)} AND trace_id IN ${traces})`;
  const params = { ...mapping.params, hold: Math.max(0, Math.round(holdMs)), w_since: toChTime(window.since), w_until: toChTime(window.until) };
  const json = <T>(query: string, query_params: Record<string, unknown>) =>
    store.client.query({ query, query_params, format: 'JSONEachRow' }).then((r) => r.json<T>());
  const touches = await json<{ trace_id: string; span_id: string; system: string; integration: string; direction: string }>(
    `${touched} LIMIT ${passed + 1}`,
    params,
  );
  const held: AwaitingParent = new Map();
  if (touches.length === 0) return held;
  if (touches.length > passed) {
    const rows = await json<{ system: string; integration: string; direction: string; n: number | string }>(
      `WITH touched AS (${touched})
      SELECT system, integration, direction, count() AS n FROM touched
      WHERE (trace_id, span_id) IN (${awaiting('(SELECT trace_id, span_id FROM touched)', '(SELECT trace_id FROM touched)')})
      GROUP BY system, integration, direction`,
      params,
    );
    for (const r of rows) held.set(awaitingKey(r.system, r.integration, r.direction), Number(r.n));
    return held;
  }
  const spans = await json<{ trace_id: string; span_id: string }>(
    awaiting('{pairs:Array(String)}', '{traces:Array(String)}', 'concat(trace_id, char(31), span_id)'),
    {
      hold: params.hold,
      w_since: params.w_since,
      w_until: params.w_until,
      pairs: touches.map((t) => `${t.trace_id}\u001f${t.span_id}`),
      traces: [...new Set(touches.map((t) => t.trace_id))],
    },
  );
  const waiting = new Set(spans.map((r) => `${r.trace_id}\u0000${r.span_id}`));
  for (const t of touches) {
    if (!waiting.has(`${t.trace_id}\u0000${t.span_id}`)) continue;
    const key = awaitingKey(t.system, t.integration, t.direction);
    held.set(key, (held.get(key) ?? 0) + 1);
  }
  return held;
}
