import type { Store } from '../../clickhouse/index.ts';
import { staged, transportLedger } from './staged-writes.ts';

/**
 * Touches taken back (migrations 112, 114, 118): touches the views counted at ingest that are not calls of their own. A
 * transport span's (transport-spans.ts: the HTTP call that carries a client library's call) go whole; the pairing leaves
 * out a later copy's of a span sent again (span-copies.ts) where the first copy did not make them, and the endpoint
 * rollups lose each later copy whole. The pairing leaves them out of the trace's reads and writes (`withoutTakenBack`),
 * and `takeBack` takes them back out of the endpoint rollups, once, with their records from the touch they were counted
 * on, and where the rollups count them now: a touch moved to its transport's host (transport-hosts.ts, 117) there.
 */

/** An endpoint tuple `t` (kind, sys, host, name, peer) as one string, its fields joined by \x1f (write_spans' form). */
const endpointKey = (t: string) => `concat(${t}.1, char(31), ${t}.2, char(31), ${t}.3, char(31), ${t}.4, char(31), ${t}.5)`;

/**
 * The touches of a weft_trace_touch_sets row as (span id, touch, (direction, endpoint tuple)) triples, its columns named
 * with the prefix `t` ('' or an alias and its dot): `touch` is `<direction>\x1e<endpoint>` for its reads, writes and
 * touches of no known direction, and `records\x1e<direction>` for its record_spans entries (migration 114's
 * weft_pairing_dropped keeps these), a key to compare touches by; the third is the touch as weft_pairing_retract keeps
 * it (a records entry's: `('records', (<direction>, '', '', '', ''))`). The endpoint of a read or of a touch of no known
 * direction is the row's own tuple, never rebuilt from the key: an endpoint whose name holds \x1f (the separator of the
 * key's fields) would be cut into other fields. A write's is split from write_spans' key, the only form the row keeps.
 */
export const touchPairs = (t: string) => `arrayConcat(
      arrayMap(x -> (x.1, concat('read', char(30), ${endpointKey('x.2')}), ('read', x.2)), ${t}read_spans),
      arrayMap(x -> (x.1, concat('write', char(30), x.2), ('write', ${splitKey('x.2')})), ${t}write_spans),
      arrayMap(x -> (x.1, concat('unknown', char(30), ${endpointKey('x.2')}), ('unknown', x.2)), ${t}unknown_spans),
      arrayMap(x -> (x.1, concat('records', char(30), x.2), ('records', (x.2, '', '', '', ''))), ${t}record_spans))`;

/** A write_spans key `k` (an endpoint's five fields joined by \x1f) as an endpoint tuple. */
const splitKey = (k: string) => {
  const part = (i: number) => `splitByChar(char(31), ${k})[${i}]`;
  return `(${part(1)}, ${part(2)}, ${part(3)}, ${part(4)}, ${part(5)})`;
};

/** The endpoint rollups a touch is counted in. */
export type RollupTable = 'weft_endpoint_rollup_1m' | 'weft_endpoint_rollup_1h';
export const ROLLUP_TABLES: readonly RollupTable[] = ['weft_endpoint_rollup_1m', 'weft_endpoint_rollup_1h'];

/**
 * `INSERT INTO <staged table> (<its columns>)` for rows of the endpoint rollup `table` (staged, then published with the
 * run: staged-writes.ts), and its time bucket function.
 */
export function rollupInsert(table: RollupTable): { insert: string; bucket: string } {
  const [col, bucket] = table === 'weft_endpoint_rollup_1m' ? ['minute', 'toStartOfMinute'] : ['hour', 'toStartOfHour'];
  return {
    bucket,
    insert: `INSERT INTO ${staged(table)} (${col}, integration, service, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, domain,
      spans, errors, records, latency, first_seen, last_seen, sample_trace, sample_error_trace)`,
  };
}

/**
 * Rows for the endpoint rollup `table` (in `rollupInsert`'s column order) that take the rows of `from` back out:
 * weft_pairing_retract's, or weft_pairing_hosted's as they were counted (transport-hosts.ts moves them to their
 * transport's host). Each of a row's `touches` is negated in spans and errors as many times as the span's rows, and its
 * records are negated on its `record_touches` (118: the touch the rollups counted them on, a span's first; a row's
 * records go there whether or not its spans go with them), modulo 2^64. A records-only row (spans 0, errors 0) is a row
 * kind of its own: the sums over the rollups are what counts. weft_pairing_retract's touches and record touches are
 * taken back where the ledger says they were moved to (`whereMoved`, 117): the records of a moved touch moved with it
 * when they were counted on it (transport-hosts.ts).
 */
export function retractRows(table: RollupTable, from: 'weft_pairing_retract' | 'weft_pairing_hosted'): string {
  const { bucket } = rollupInsert(table);
  const moved = from === 'weft_pairing_retract';
  const where = (touches: string) => (moved ? whereMoved(touches) : touches);
  return `SELECT ${bucket}(r.ts) AS at, r.integration AS integration, r.service AS service, e.1.1 AS direction,
      e.1.2.1 AS kind, e.1.2.2 AS sys, e.1.2.3 AS host, e.1.2.4 AS name, e.1.2.5 AS peer, r.domain AS domain,
      toUInt64(-toInt64(sum(r.rows * e.2))), toUInt64(-toInt64(sum(r.rows * r.is_error * e.2))),
      toUInt64(-toInt64(sum(r.rows * r.records * e.3))),
      quantilesTDigestStateIf(0.5, 0.95, 0.99)(toFloat64(0), 0), toDateTime64('2299-12-31 00:00:00', 3, 'UTC'), toDateTime64(0, 3, 'UTC'), '', ''
    FROM (SELECT * FROM ${from}) AS r
    ${
      moved
        ? `LEFT JOIN (${hostMoves(from)}) AS h ON r.trace_id = h.trace_id AND r.span_id = h.span_id AND r.integration = h.integration
      AND r.service = h.service AND r.insert_key = h.insert_key`
        : ''
    }
    ARRAY JOIN arrayConcat(arrayMap(x -> (x, toUInt8(1), toUInt8(0)), ${where('r.touches')}),
      arrayMap(x -> (x, toUInt8(0), toUInt8(1)), ${where('r.record_touches')})) AS e
    GROUP BY at, integration, service, direction, kind, sys, host, name, peer, domain`;
}

/**
 * The ledger's moves of touches without a host to their transport's host (transport-hosts.ts, migration 117) of the
 * spans of the scratch table `table` (with a trace_id column): per span, insert and the integration and service it
 * arrived with, the touches as moved (`hosted`: direction and endpoint tuple with the host).
 */
export const hostMoves = (table: string) => `SELECT trace_id, span_id, integration, service, insert_key, groupArrayArray(touches) AS hosted
    FROM ${transportLedger}
    WHERE reason = 'host' AND trace_id IN (SELECT trace_id FROM (SELECT * FROM ${table}))
    GROUP BY trace_id, span_id, integration, service, insert_key`;

/**
 * The touch `e` (direction, endpoint tuple) as the ledger moved it (117), when it has no host and `moved` (an array of
 * such touches as moved, with the host) holds it; else `e`. SQL expressions both.
 */
export const asMoved = (e: string, moved: string) =>
  `if(${e}.2.3 = '', arrayFirst(y -> y.1 = ${e}.1 AND y.2.1 = ${e}.2.1 AND y.2.2 = ${e}.2.2 AND y.2.4 = ${e}.2.4 AND y.2.5 = ${e}.2.5,
      arrayConcat(${moved}, [${e}])), ${e})`;

/**
 * The touches `touches` (an array of (direction, endpoint tuple): a row's touches or record touches) of a row joined
 * with `hostMoves` as `h`, each one without a host that was moved to its transport's host (117) as it was moved: a
 * touch taken back after it was moved (its call became a transport itself, a later copy went) is taken back where it
 * went, and so are records taken back from it (they moved with it: transport-hosts.ts). Taken back where it was
 * counted first, that row read spans = 2^64 − 1 and the moved one stayed counted.
 */
const whereMoved = (touches: string) => `arrayMap(e -> ${asMoved('e', 'h.hosted')}, ${touches})`;

/**
 * Takes weft_pairing_retract's touches and records back out of the endpoint rollups, recording them in
 * weft_transport_ledger with their reason, insert, touches (116) and record touches (118), both staged with the run and
 * published with it (staged-writes.ts: a run stopped between the two is published whole by the next, never half); a
 * touch moved to its transport's host (117) is taken back there, and so are records counted on it. Rejects with the
 * engine's error.
 */
export async function takeBack(store: Store): Promise<void> {
  const c = store.client;
  await c.command({
    query: `INSERT INTO ${staged('weft_transport_ledger')} (trace_id, span_id, integration, service, rows, at, reason, insert_key, touches, record_touches)
      SELECT trace_id, span_id, integration, service, rows, now64(3, 'UTC'), reason, insert_key, touches, record_touches FROM weft_pairing_retract`,
  });
  for (const table of ROLLUP_TABLES) await c.command({ query: `${rollupInsert(table).insert} ${retractRows(table, 'weft_pairing_retract')}` });
}

/**
 * The first touch of each span of the touch sets `touchSets` selects whose traces `traces` lists (SQL selecting a
 * trace_id column): columns trace_id, insert_key, integration, span_id and `primary` (its (direction, endpoint) in an
 * array: the rollups counted the span's records there; 118). Touch sets stored before 118 list none.
 */
export const primaryTouches = (touchSets: string, traces: string) => `SELECT trace_id, insert_key, integration, x.1 AS span_id, groupUniqArray(x.2) AS primary
    FROM (${touchSets})
    ARRAY JOIN primary_spans AS x
    WHERE trace_id IN (${traces})
    GROUP BY trace_id, insert_key, integration, span_id`;

/**
 * Where a span's records go when taken back (SQL, an array of (direction, endpoint)): its first touch (`primary`, an
 * array from `primaryTouches`, the first of them when an insert held rows of the span that differ), else, for a touch
 * set stored before 118, its only touch (`touches`) — of several, which one carried them is not known, and they stay.
 * None when it reported none (`records`).
 */
export const recordTouches = (records: string, primary: string, touches: string) =>
  `if(${records} = 0, CAST([], 'Array(Tuple(String, Tuple(String, String, String, String, String)))'),
      if(notEmpty(${primary}), arraySlice(${primary}, 1, 1), if(length(${touches}) = 1, ${touches}, CAST([], 'Array(Tuple(String, Tuple(String, String, String, String, String)))'))))`;

/**
 * The touch sets `touchSets` selects without the touches taken back: all those of weft_pairing_transport's spans
 * (`transport`), and, in the row of each later copy's insert, those weft_pairing_dropped lists (`copies`); their reads,
 * writes and touches of no known direction rebuilt from the spans left (088, 101), and their records and last writes
 * with them. A touch set stored before 101 (reads without the spans that made them) keeps what it has. The joined
 * lists name their keys apart from the touch sets' columns: with both joined (a run with a transport span in one trace
 * and a copy in another), `t.*` came out as `t.trace_id`… and a query selecting from this failed to resolve `trace_id`.
 */
export function withoutTakenBack(touchSets: string, { transport, copies }: { transport: boolean; copies: boolean }): string {
  if (!transport && !copies) return touchSets;
  const ids = transport ? 'tr.transport_ids' : "CAST([], 'Array(String)')";
  const dropped = copies ? 'dr.dropped' : "CAST([], 'Array(String)')";
  const nothingGone = `(empty(${ids}) AND empty(${dropped}))`;
  const keep = (arr: string, kind: string) => {
    const touch = kind === 'write' || kind === 'records' ? 'x.2' : endpointKey('x.2');
    return `arrayFilter(x -> NOT (has(${ids}, x.1) OR has(${dropped}, concat(x.1, char(30), '${kind}', char(30), ${touch}))), t.${arr})`;
  };
  const rebuilt = (all: string, spans: string, kind: string, items: (kept: string) => string) =>
    `if(${nothingGone} OR (notEmpty(t.${all}) AND empty(t.${spans})), t.${all}, arrayDistinct(${items(keep(spans, kind))}))`;
  const keys = `arrayMap(x -> x.2, ${keep('write_spans', 'write')})`;
  const transportJoin = transport
    ? `LEFT JOIN (SELECT trace_id AS tr_trace_id, groupArray(span_id) AS transport_ids FROM (SELECT * FROM weft_pairing_transport) GROUP BY trace_id) AS tr
      ON t.trace_id = tr.tr_trace_id`
    : '';
  const copiesJoin = copies
    ? `LEFT JOIN (SELECT trace_id AS dr_trace_id, insert_key AS dr_insert_key, integration AS dr_integration,
          groupArray(concat(span_id, char(30), touch)) AS dropped
        FROM (SELECT * FROM weft_pairing_dropped) GROUP BY trace_id, insert_key, integration) AS dr
      ON t.trace_id = dr.dr_trace_id AND t.insert_key = dr.dr_insert_key AND t.integration = dr.dr_integration`
    : '';
  return `SELECT t.* REPLACE (
      ${rebuilt('reads', 'read_spans', 'read', (kept) => `arrayMap(x -> x.2, ${kept})`)} AS reads,
      ${rebuilt('writes', 'write_spans', 'write', (kept) => `arrayMap(k -> (k[1], k[2], k[3], k[4], k[5]), arrayMap(x -> splitByChar(char(31), x.2), ${kept}))`)} AS writes,
      ${rebuilt('unknowns', 'unknown_spans', 'unknown', (kept) => `arrayMap(x -> x.2, ${kept})`)} AS unknowns,
      ${keep('record_spans', 'records')} AS record_spans,
      ${keep('write_spans', 'write')} AS write_spans,
      ${keep('read_spans', 'read')} AS read_spans,
      ${keep('unknown_spans', 'unknown')} AS unknown_spans,
      if(${nothingGone}, t.write_last,
        (arrayFilter((key, v) -> has(${keys}, key), t.write_last.1, t.write_last.2),
         arrayFilter((v, key) -> has(${keys}, key), t.write_last.2, t.write_last.1))) AS write_last)
    FROM (${touchSets}) AS t
    ${transportJoin}
    ${copiesJoin}`;
}
