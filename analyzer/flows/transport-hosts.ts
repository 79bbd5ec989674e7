import type { Store } from '../../clickhouse/index.ts';
import { defaultPorts } from '../../core/net/default-ports.ts';
import { sqlString } from './match-sql.ts';
import { primaryTouches, recordTouches, retractRows, rollupInsert, ROLLUP_TABLES, touchPairs, type RollupTable } from './taken-back.ts';
import { SELF_CALLS, spanDomains } from './transport-spans.ts';
import { staged, transportLedger } from './staged-writes.ts';
import { emptyTable } from '../../clickhouse/cluster-aware.ts';

/**
 * A client library's call takes the host of its transport (migration 117). The aws-sdk instrumentation's `DynamoDB.PutItem`
 * names its table and no host (`dynamodb:///Orders`), an Elasticsearch client's span may name its index without the
 * cluster's URL, an SQS SendMessage its queue: the host the call reached is on the instrumented HTTP call under it
 * (https://dynamodb.eu-west-1.amazonaws.com/), its transport (transport-spans.ts), whose touches are taken back. A
 * catalog system matched by that host (`hosts:`, `databases: [{ system, host }]`) did not match the call: an unknown
 * system and an undocumented flow. Now each of the call's touches that has no host (a database, messaging, RPC or peer
 * endpoint; never one that named a host, never an unnamed one) takes its transport's host and port — the port as the
 * call's own system writes it (`es.internal:9200`; `dynamodb.eu-west-1.amazonaws.com:443`, DynamoDB having no default
 * port), as the collector writes a span that names `server.address` and `server.port`.
 *
 * Several transports (retries, a client going round a cluster's nodes): the host of the one stored first (then the
 * earliest started, then the least host), so that a transport arriving later never moves a call already given a host.
 *
 * The pairing reads the call's touches with the host (`withHosts`); the endpoint rollups, which counted them without,
 * have them moved once per stored row of the call (`markHosts`, recorded in weft_transport_ledger with reason 'host';
 * a touch taken back later is taken back where it went: taken-back.ts, `retractRows`).
 */

const SPANS = '(SELECT * FROM weft_pairing_spans)';
const HOSTS = '(SELECT * FROM weft_pairing_hosts)';
/** The transport spans: weft_pairing_transport less a service's calls to itself, which carry no call of their parent's. */
const TRANSPORT = `(SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport) WHERE (trace_id, span_id) NOT IN (${SELF_CALLS}))`;

/** The kinds of endpoint that take their transport's host when they name none (unnamed ones resolve by kind alone). */
const HOSTLESS_KINDS = "('db', 'messaging', 'rpc', 'peer')";

/** The default port (core/net/default-ports.ts) of the scheme or system `key` (an SQL expression), '' when it has none. */
const defaultPort = (key: string) => `map(${[...defaultPorts].map(([k, v]) => `${sqlString(k)}, ${sqlString(v)}`).join(', ')})[${key}]`;

/** The host of an `ep_host` `h` (an SQL expression: "host", "host:port", "[v6]:port", a socket path) without its port. */
const hostPart = (h: string) =>
  `multiIf(startsWith(${h}, '['), substring(${h}, 1, position(${h}, ']')), startsWith(${h}, '/') OR countSubstrings(${h}, ':') != 1, ${h}, splitByChar(':', ${h})[1])`;

/** The port an `ep_host` `h` of an endpoint of kind `kind` and system `sys` used: its own, else its scheme's or system's default ('' when unknown, or a socket). */
const usedPort = (h: string, kind: string, sys: string) => `multiIf(
    startsWith(${h}, '/'), '',
    startsWith(${h}, '[') AND position(${h}, ']:') > 0, substring(${h}, position(${h}, ']:') + 2),
    NOT startsWith(${h}, '[') AND countSubstrings(${h}, ':') = 1, splitByChar(':', ${h})[2],
    ${defaultPort(`if(${kind} IN ('http', 'db', 'messaging'), ${sys}, '')`)})`;

/**
 * Fills weft_pairing_hosts: per call among weft_pairing_spans carried by a transport (weft_pairing_transport, not a
 * transport itself) and per kind and system of its touches without a host (`HOSTLESS_KINDS`), the `ep_host` they take:
 * the host its transport reached, with the port it used unless that is the default of the call's system (database and
 * messaging endpoints; the others have none). `touchSets`: SQL selecting the weft_trace_touch_sets rows of the spans'
 * traces. A transport's touches without a host (and unnamed ones) give none.
 */
const HOSTS_INSERT = (touchSets: string) => `INSERT INTO weft_pairing_hosts (trace_id, span_id, kind, sys, host)
    SELECT p.trace_id, p.span_id, p.kind, p.sys,
      concat(c.host, if(c.port != '' AND c.port != ${defaultPort("if(p.kind IN ('db', 'messaging'), p.sys, '')")}, concat(':', c.port), ''))
    FROM (
      SELECT DISTINCT trace_id, x.1 AS span_id, x.3.2.1 AS kind, x.3.2.2 AS sys
      FROM (${touchSets})
      ARRAY JOIN ${touchPairs('')} AS x
      WHERE trace_id IN (SELECT trace_id FROM ${TRANSPORT}) AND x.3.1 != 'records' AND x.3.2.3 = '' AND x.3.2.1 IN ${HOSTLESS_KINDS}
        AND (trace_id, x.1) IN (SELECT trace_id, parent_span_id FROM ${SPANS} WHERE (trace_id, span_id) IN ${TRANSPORT})
        AND (trace_id, x.1) NOT IN (SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport))
    ) AS p
    INNER JOIN (
      SELECT c.trace_id AS trace_id, c.parent_span_id AS span_id, argMin(k.host, (k.arrived, c.ts, k.host)) AS host,
        argMin(k.port, (k.arrived, c.ts, k.host)) AS port
      FROM (
        SELECT trace_id, span_id, any(parent_span_id) AS parent_span_id, min(ts) AS ts FROM ${SPANS}
        WHERE (trace_id, span_id) IN ${TRANSPORT}
        GROUP BY trace_id, span_id
      ) AS c
      INNER JOIN (
        SELECT trace_id, x.1 AS span_id, arrived, ${hostPart('x.3.2.3')} AS host, ${usedPort('x.3.2.3', 'x.3.2.1', 'x.3.2.2')} AS port
        FROM (${touchSets})
        ARRAY JOIN ${touchPairs('')} AS x
        WHERE trace_id IN (SELECT trace_id FROM ${TRANSPORT}) AND (trace_id, x.1) IN ${TRANSPORT}
          AND x.3.1 != 'records' AND x.3.2.3 != '' AND x.3.2.1 NOT IN ('', 'unnamed')
      ) AS k ON c.trace_id = k.trace_id AND c.span_id = k.span_id
      GROUP BY c.trace_id, c.parent_span_id
    ) AS c ON p.trace_id = c.trace_id AND p.span_id = c.span_id`;

/**
 * Fills weft_pairing_hosted with the rows of weft_pairing_hosts' calls whose touches without a host are not moved yet:
 * per span, the insert that stored it and the integration and service it arrived with, its rows less those the ledger
 * says were moved, its touches to move (those of that insert's touch set without a host, less those the ledger says
 * were taken back as a copy's: span-copies.ts) as counted and with the host, its domain, start, duration, error and
 * records, and the touch its records move with (`record_touches`, as counted): the one the rollups counted them on when
 * it moves (`recordTouches`: the span's first touch, 118; for a touch set stored before 118, its only touch), as
 * taken-back.ts takes them back (moved with each of several touches, they would be counted once per touch).
 */
const HOSTED_INSERT = (touchSets: string) => `INSERT INTO weft_pairing_hosted (trace_id, span_id, integration, service, domain, ts, duration_ms,
      is_error, records, rows, insert_key, touches, hosted, record_touches)
    SELECT s.trace_id, s.span_id, s.integration, s.service, d.domain, s.ts, d.duration_ms, s.is_error, s.records, s.n - l.done,
      s.insert_key, arrayFilter(e -> e.2.3 = '' AND has(hs.kinds, (e.2.1, e.2.2)) AND NOT has(l.gone, e), t.pairs) AS moved,
      arrayMap(e -> (e.1, (e.2.1, e.2.2, hs.hosts[indexOf(hs.kinds, (e.2.1, e.2.2))], e.2.4, e.2.5)), moved),
      arrayFilter(e -> has(moved, e), ${recordTouches('s.records', 'p.primary', 't.pairs')})
    FROM (
      SELECT trace_id, span_id, integration, service, insert_key, argMin(ts, arrived) AS ts, argMin(is_error, arrived) AS is_error,
        argMin(records, arrived) AS records, count() AS n
      FROM ${SPANS}
      WHERE (trace_id, span_id) IN (SELECT trace_id, span_id FROM ${HOSTS})
      GROUP BY trace_id, span_id, integration, service, insert_key
    ) AS s
    INNER JOIN (
      SELECT trace_id, integration, insert_key, x.1 AS span_id, groupUniqArray(x.3) AS pairs
      FROM (${touchSets})
      ARRAY JOIN ${touchPairs('')} AS x
      WHERE trace_id IN (SELECT trace_id FROM ${HOSTS}) AND (trace_id, x.1) IN (SELECT trace_id, span_id FROM ${HOSTS}) AND x.3.1 != 'records'
      GROUP BY trace_id, integration, insert_key, span_id
    ) AS t ON s.trace_id = t.trace_id AND s.integration = t.integration AND s.span_id = t.span_id AND s.insert_key = t.insert_key
    INNER JOIN (
      SELECT trace_id, span_id, groupArray((kind, sys)) AS kinds, groupArray(host) AS hosts FROM ${HOSTS} GROUP BY trace_id, span_id
    ) AS hs ON s.trace_id = hs.trace_id AND s.span_id = hs.span_id
    LEFT JOIN (
      SELECT trace_id, span_id, integration, service, insert_key, sumIf(rows, reason = 'host') AS done,
        groupArrayArrayIf(touches, reason = 'copy') AS gone
      FROM ${transportLedger}
      WHERE trace_id IN (SELECT trace_id FROM ${HOSTS}) AND reason IN ('host', 'copy')
      GROUP BY trace_id, span_id, integration, service, insert_key
    ) AS l ON s.trace_id = l.trace_id AND s.span_id = l.span_id AND s.integration = l.integration AND s.service = l.service
      AND s.insert_key = l.insert_key
    LEFT JOIN (${spanDomains('weft_pairing_hosts')}) AS d ON s.trace_id = d.trace_id AND s.span_id = d.span_id AND s.integration = d.integration
      AND s.service = d.service AND s.insert_key = d.insert_key
    LEFT JOIN (${primaryTouches(touchSets, `SELECT trace_id FROM ${HOSTS}`)}) AS p
      ON s.trace_id = p.trace_id AND s.span_id = p.span_id AND s.insert_key = p.insert_key AND s.integration = p.integration
    WHERE s.n > l.done AND notEmpty(moved)`;

/**
 * Rows for the endpoint rollup `table` that count weft_pairing_hosted's touches with the host, as the views counted them:
 * each moved touch (`z.1` as counted, `z.2` with the host) once per row, its records when they move with it.
 */
const hostedRows = (table: RollupTable) => `SELECT ${rollupInsert(table).bucket}(h.ts) AS at, h.integration AS integration, h.service AS service,
      z.2.1 AS direction, z.2.2.1 AS kind, z.2.2.2 AS sys, z.2.2.3 AS host, z.2.2.4 AS name, z.2.2.5 AS peer, h.domain AS domain,
      toUInt64(count()), toUInt64(countIf(h.is_error = 1)), toUInt64(sumIf(h.records, has(h.record_touches, z.1))),
      quantilesTDigestState(0.5, 0.95, 0.99)(h.duration_ms), min(h.ts), max(h.ts), max(h.trace_id), maxIf(h.trace_id, h.is_error = 1)
    FROM (SELECT * FROM weft_pairing_hosted) AS h
    ARRAY JOIN arrayZip(h.touches, h.hosted) AS z
    ARRAY JOIN range(h.rows) AS copy
    GROUP BY at, integration, service, direction, kind, sys, host, name, peer, domain`;

/**
 * Finds the calls among weft_pairing_spans carried by a transport (weft_pairing_transport, filled by `markTransport`)
 * and the host each transport reached (into weft_pairing_hosts), and moves their touches without a host that are not
 * moved yet to that host in the endpoint rollups: recorded in weft_transport_ledger (reason 'host', the touches and the
 * records' touch as moved), taken back as counted and counted again with the host in one statement per rollup, the
 * ledger rows and the rollup rows staged with the run and published with it (staged-writes.ts: never the one without the
 * other), the records with the touch the rollups counted them on, and the endpoints with the host added to
 * weft_endpoints (which the analyzer resolves). `touchSets`: SQL selecting the weft_trace_touch_sets rows of the spans'
 * traces, with its statement parameters `params`. Resolves to whether any call was given a host (the pairing then reads
 * the touch sets through `withHosts`). Rejects with the engine's error.
 */
export async function markHosts(store: Store, touchSets: string, params: Record<string, unknown>): Promise<boolean> {
  const c = store.client;
  const count = async (table: string) =>
    Number((await c.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' }).then((r) => r.json<{ n: number | string }>()))[0]?.n ?? 0);
  for (const table of ['weft_pairing_hosts', 'weft_pairing_hosted']) await emptyTable(store, table);
  await c.command({ query: HOSTS_INSERT(touchSets), query_params: params });
  if ((await count('weft_pairing_hosts')) === 0) return false;
  await c.command({ query: HOSTED_INSERT(touchSets), query_params: params });
  if ((await count('weft_pairing_hosted')) > 0) {
    await c.command({
      query: `INSERT INTO ${staged('weft_transport_ledger')} (trace_id, span_id, integration, service, rows, at, reason, insert_key, touches, record_touches)
        SELECT trace_id, span_id, integration, service, rows, now64(3, 'UTC'), 'host', insert_key, hosted,
          arrayMap(x -> hosted[indexOf(touches, x)], record_touches) FROM weft_pairing_hosted`,
    });
    for (const table of ROLLUP_TABLES) {
      await c.command({ query: `${rollupInsert(table).insert} ${retractRows(table, 'weft_pairing_hosted')} UNION ALL ${hostedRows(table)}` });
    }
    await c.command({
      query: `INSERT INTO weft_endpoints (ep_kind, ep_sys, ep_host, ep_name, ep_peer, first_seen, last_seen)
        SELECT e.2.1, e.2.2, e.2.3, e.2.4, e.2.5, min(ts), max(ts) FROM (SELECT * FROM weft_pairing_hosted) ARRAY JOIN hosted AS e
        GROUP BY e.2.1, e.2.2, e.2.3, e.2.4, e.2.5`,
    });
  }
  return true;
}

/**
 * The touch sets `touchSets` selects with the touches without a host of weft_pairing_hosts' calls given their
 * transport's host: in read_spans, write_spans and unknown_spans, and the reads, writes, touches of no known direction and
 * last writes rebuilt from them (a row none of whose spans is such a call is left as it is). Each rewritten list is
 * written once (aliases `hosted_*`), each host looked up by span, kind and system (weft_pairing_hosts holds the
 * `ep_host` whole): the pairing inlines this more than once, and an expression per use (the port's default map, a write
 * key split per field) made it 45 kB, whose analysis tripled a pairing run's time.
 */
export function withHosts(touchSets: string): string {
  // Each (span, endpoint tuple) with the host its call takes, when it takes one.
  const moved = (span: string, e: string) => `if(${e}.3 = '' AND has(hs.hs_keys, concat(${span}, char(31), ${e}.1, char(31), ${e}.2)),
      (${e}.1, ${e}.2, hs.hs_hosts[indexOf(hs.hs_keys, concat(${span}, char(31), ${e}.1, char(31), ${e}.2))], ${e}.4, ${e}.5), ${e})`;
  const split = (k: string) => `(${[1, 2, 3, 4, 5].map((i) => `splitByChar(char(31), ${k})[${i}]`).join(', ')})`;
  // (span, key with the host, key as stored) of each write, `p` its key's five fields.
  const hostKey = 'concat(x.1, char(31), p[1], char(31), p[2])';
  const writes = `arrayMap((x, p) -> (x.1, if(p[3] = '' AND has(hs.hs_keys, ${hostKey}),
        arrayStringConcat([p[1], p[2], hs.hs_hosts[indexOf(hs.hs_keys, ${hostKey})], p[4], p[5]], char(31)), x.2), x.2),
      t.write_spans, arrayMap(x -> splitByChar(char(31), x.2), t.write_spans))`;
  const touched = `hasAny(hs.hs_ids, arrayConcat(arrayMap(x -> x.1, t.read_spans), arrayMap(x -> x.1, t.write_spans), arrayMap(x -> x.1, t.unknown_spans)))`;
  return `SELECT t.* REPLACE (
      if(${touched} AS hosted_row, (arrayMap(x -> (x.1, ${moved('x.1', 'x.2')}), t.read_spans) AS hosted_reads), t.read_spans) AS read_spans,
      if(hosted_row, (arrayMap(x -> (x.1, ${moved('x.1', 'x.2')}), t.unknown_spans) AS hosted_unknowns), t.unknown_spans) AS unknown_spans,
      if(hosted_row, arrayMap(x -> (x.1, x.2), (${writes} AS hosted_writes)), t.write_spans) AS write_spans,
      if(hosted_row, arrayDistinct(arrayMap(x -> x.2, hosted_reads)), t.reads) AS reads,
      if(hosted_row, arrayDistinct(arrayMap(x -> x.2, hosted_unknowns)), t.unknowns) AS unknowns,
      if(hosted_row, arrayDistinct(arrayMap(x -> ${split('x.2')}, hosted_writes)), t.writes) AS writes,
      if(hosted_row, (arrayDistinct(arrayMap(x -> x.2, hosted_writes)) AS hosted_keys,
          arrayMap(k -> arrayMax(arrayMap(x -> t.write_last.2[indexOf(t.write_last.1, x.3)], arrayFilter(x -> x.2 = k, hosted_writes))), hosted_keys)),
        t.write_last) AS write_last)
    FROM (${touchSets}) AS t
    LEFT JOIN (SELECT trace_id AS hs_trace_id, groupUniqArray(span_id) AS hs_ids, groupArray(concat(span_id, char(31), kind, char(31), sys)) AS hs_keys,
        groupArray(host) AS hs_hosts
      FROM ${HOSTS} GROUP BY trace_id) AS hs ON t.trace_id = hs.hs_trace_id`;
}
