import type { Store } from '../../clickhouse/index.ts';
import { COPY_ORDER } from './nameless-service.ts';
import { primaryTouches, recordTouches, takeBack, touchPairs } from './taken-back.ts';
import { transportLedger } from './staged-writes.ts';
import { emptyTable } from '../../clickhouse/cluster-aware.ts';

/**
 * A call's transport (migration 112). An instrumented client library runs over an HTTP layer that is instrumented too:
 * the aws-sdk instrumentation's CLIENT span `DynamoDB.PutItem` has instrumentation-http's CLIENT span `POST`
 * https://dynamodb.eu-west-1.amazonaws.com/ as its child, the Elasticsearch client's span has undici's `PUT` to the
 * cluster, an SQS SendMessage (a PRODUCER span) the POST that carries it. Counted apart, each child was a call of its own:
 * an unknown system and an undocumented flow beside the documented table or index. A CLIENT span whose parent, in the
 * same trace and service, is a CLIENT or PRODUCER span that touched a named endpoint (any kind but an unnamed one, or a
 * broker without a destination: the aws-sdk's SQS GetQueueUrl, SNS CreateTopic) is that call's transport, whatever it
 * touched. An HTTP call under an INTERNAL or SERVER span stays a call of its own.
 * Under a receive (a CLIENT or CONSUMER span whose named touches are all messaging reads) only an HTTP request to the
 * host of an SQS queue it received from is its transport (an SQS ReceiveMessage's POST): kafkajs runs a batch's handler inside its
 * `poll <topic>` CLIENT span, and the handler's database and HTTP calls were taken as the poll's transport — the flow
 * topic → billing was never observed.
 *
 * Decided per pairing run over the spans it reads (weft_pairing_spans: every row of each trace with a new arrival), so
 * a parent and a child that arrive in different requests, in either order, are matched when the later one arrives.
 */

/**
 * The messaging systems (`messaging.system`, lower-case) whose consumers receive with an HTTP request: SQS, as the
 * aws-sdk instrumentations name it (JavaScript `aws_sqs`, Python `aws.sqs`, Java `AmazonSQS`). A receive from any other
 * broker (Kafka, RabbitMQ, NATS…) speaks its own protocol, and an HTTP call under it is its handler's, also to the
 * broker's host (a RabbitMQ on the ERP's machine, an ERP API called while processing).
 */
const HTTP_RECEIVE = "'aws_sqs', 'aws.sqs', 'amazonsqs'";

/**
 * The spans of the touch sets `touchSets` (SQL selecting weft_trace_touch_sets rows) that touched a named endpoint (any kind
 * but an unnamed one), or a messaging endpoint without a destination (a broker's management call, whose request is its
 * transport too: the aws-sdk's SQS GetQueueUrl, SNS CreateTopic, with their POST), in the traces with a CLIENT span under another span: columns trace_id, span_id, `receive` (1 when
 * every such touch is a messaging read: a receive or a poll, or the processing of a message) and `hosts` (the hosts of
 * those reads from a broker received from over HTTP, `HTTP_RECEIVE`).
 */
const PARENT_TOUCHES = (touchSets: string) => `SELECT trace_id, span_id, min(msg_read) AS receive,
      groupUniqArrayIf(host, msg_read = 1 AND host != '' AND sys IN (${HTTP_RECEIVE})) AS hosts
    FROM (
      SELECT trace_id, x.1 AS span_id, x.3.2.2 AS sys, x.3.2.3 AS host, toUInt8(x.3.1 = 'read' AND (x.3.2.1 = 'messaging' OR x.3.2.2 = 'messaging')) AS msg_read
      FROM (${touchSets})
      ARRAY JOIN arrayFilter(x -> x.3.1 != 'records' AND (x.3.2.1 NOT IN ('', 'unnamed') OR (x.3.2.1 = 'unnamed' AND x.3.2.2 = 'messaging')), ${touchPairs('')}) AS x
      WHERE trace_id IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_spans) WHERE call_kind = 1 AND parent_span_id != '')
    )
    GROUP BY trace_id, span_id`;

/** The hosts of the HTTP touches of the touch sets `touchSets`' spans, in the traces with a CLIENT span under another span: columns trace_id, span_id, hosts. */
const HTTP_HOSTS = (touchSets: string) => `SELECT trace_id, x.1 AS span_id, groupUniqArray(x.3.2.3) AS hosts
    FROM (${touchSets})
    ARRAY JOIN arrayFilter(x -> x.3.1 != 'records' AND x.3.2.1 = 'http' AND x.3.2.3 != '', ${touchPairs('')}) AS x
    WHERE trace_id IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_spans) WHERE call_kind = 1 AND parent_span_id != '')
    GROUP BY trace_id, span_id`;

const SPANS = '(SELECT * FROM weft_pairing_spans)';

/**
 * A service's calls to itself (migration 135): the CLIENT spans among weft_pairing_spans with a SERVER span of the same
 * service as a child in their trace (columns trace_id, span_id). An integration that serves HTTP or gRPC and calls its
 * own endpoint (an internal step, another flow of its runtime) reached no system: the call's host and port, the
 * runtime's own, were an unknown system and an undocumented flow into it. Such a call is taken back as a transport is,
 * with everything it touched; the calls its server span's handler makes stay calls. A SERVER span of another service
 * under the call (a system's own instrumented API) leaves it a call.
 */
export const SELF_CALLS = `SELECT DISTINCT c.trace_id AS trace_id, c.span_id AS span_id
    FROM (SELECT DISTINCT trace_id, span_id, service FROM ${SPANS} WHERE call_kind = 1) AS c
    INNER JOIN (SELECT DISTINCT trace_id, parent_span_id, service FROM ${SPANS} WHERE call_kind = 3 AND parent_span_id != '') AS s
      ON c.trace_id = s.trace_id AND c.span_id = s.parent_span_id AND c.service = s.service`;

/**
 * How many CLIENT spans among weft_pairing_spans have a CLIENT, PRODUCER or CONSUMER parent in their trace and service,
 * and how many SERVER spans a CLIENT parent in theirs (column n; `root_touch` marks the first three kinds on every span,
 * `call_kind` CLIENT 1, PRODUCER 2, SERVER 3): the only spans that can be, or show, a transport or a call to itself;
 * and how many CLIENT spans are writes answered with a redirect followed with a GET (column redirects, `REDIRECT_HOPS`).
 * Most runs have none (a CLIENT span's parent is its integration's INTERNAL or SERVER span), and then the join with the
 * touch sets (`TRANSPORT_INSERT`, 60 ms of a 330 ms pairing run of a dozen spans, most of it the engine analysing the
 * statement) is not run.
 */
const CANDIDATES = `SELECT countIf((call_kind = 1 AND parent_span_id != ''
        AND (trace_id, parent_span_id, service) IN (SELECT trace_id, span_id, service FROM ${SPANS} WHERE root_touch = 1))
      OR (call_kind = 3 AND parent_span_id != ''
        AND (trace_id, parent_span_id, service) IN (SELECT trace_id, span_id, service FROM ${SPANS} WHERE call_kind = 1))) AS n,
    countIf(call_kind = 1 AND redirect_hop = 1) AS redirects
    FROM ${SPANS}`;

/**
 * How long after a redirect's answer ended its client's GET of the Location may start and still be taken as following it
 * (ms): a client follows at once (undici's fetch 1 ms after the 303 ended, node-fetch before the 303's body ended, on a
 * loaded 2-core machine); a GET the integration makes seconds later is a read of its own.
 */
export const REDIRECT_FOLLOW_MS = 5_000;

/**
 * Who made a CLIENT span of weft_pairing_spans, for `REDIRECT_HOPS`: its parent in its trace, or, for a call that is
 * the root of its trace (an integration without a root span: fetch starts the GET that follows a redirect in the context
 * the call was made in, a trace of its own), its service instance.
 */
const CALLER = "if(parent_span_id != '', concat(trace_id, '/', parent_span_id), concat('instance:', instance))";

/** The hosts of the HTTP touches of the CLIENT spans with a redirect hop, in the touch sets `touchSets` selects: columns trace_id, span_id, hosts. */
const REDIRECT_HOSTS = (touchSets: string) => `SELECT trace_id, x.1 AS span_id, groupUniqArray(x.3.2.3) AS hosts
    FROM (${touchSets})
    ARRAY JOIN arrayFilter(x -> x.3.1 != 'records' AND x.3.2.1 = 'http' AND x.3.2.3 != '', ${touchPairs('')}) AS x
    WHERE (trace_id, x.1) IN (SELECT trace_id, span_id FROM ${SPANS} WHERE call_kind = 1 AND redirect_hop != 0)
    GROUP BY trace_id, span_id`;

/** How many calls after a span answered with a redirect `REDIRECT_HOPS` lists: its follow-up is among the first. */
const REDIRECT_CANDIDATES = 16;

/**
 * Each CLIENT span among weft_pairing_spans that was answered with a redirect its client follows with a GET (redirect_hop
 * 1: a write answered 303 See Other, a POST answered 301 or 302; 2: a GET answered 301, 302, 303, 307 or 308; migration
 * 138), with the CLIENT spans of its service and caller (`CALLER`) that started after it started (a client may follow before
 * the redirect's body ended: node-fetch over Node's http) and no later than REDIRECT_FOLLOW_MS after it ended, in start
 * order (ties by span id), at most REDIRECT_CANDIDATES: their span ids, redirect hops, and whether each reached one of the
 * span's HTTP hosts (columns trace_id, span_id, hop, ts, next_ids, next_hops, next_same). fetch (undici) and Node's http
 * clients trace the GET that follows a redirect as a span of its own beside the answered call, under the same parent.
 * `touchSets`: SQL selecting the weft_trace_touch_sets rows of the spans' traces.
 */
const REDIRECT_HOPS = (touchSets: string) => `SELECT trace_id, span_id, hop, ts, arrayMap(x -> x.2, next) AS next_ids,
      arrayMap(x -> x.3, next) AS next_hops, arrayMap(x -> x.4, next) AS next_same
    FROM (
      SELECT r.trace_id AS trace_id, r.span_id AS span_id, any(r.hop) AS hop, toString(any(r.ts)) AS ts,
        arraySlice(arraySort(x -> (x.1, x.2), groupArray((c.ts, concat(c.trace_id, '/', c.span_id), c.hop, toUInt8(hasAny(rh.hosts, ch.hosts))))),
          1, ${REDIRECT_CANDIDATES}) AS next
      FROM (SELECT trace_id, span_id, ${CALLER} AS caller, service, any(redirect_hop) AS hop, min(ts) AS ts, max(end_ts) AS end_ts FROM ${SPANS}
            WHERE call_kind = 1 AND redirect_hop IN (1, 2) GROUP BY trace_id, span_id, caller, service) AS r
      INNER JOIN (SELECT trace_id, span_id, ${CALLER} AS caller, service, any(redirect_hop) AS hop, min(ts) AS ts FROM ${SPANS}
            WHERE call_kind = 1 GROUP BY trace_id, span_id, caller, service) AS c
        ON r.caller = c.caller AND r.service = c.service
      LEFT JOIN (${REDIRECT_HOSTS(touchSets)}) AS rh ON r.trace_id = rh.trace_id AND r.span_id = rh.span_id
      LEFT JOIN (${REDIRECT_HOSTS(touchSets)}) AS ch ON c.trace_id = ch.trace_id AND c.span_id = ch.span_id
      WHERE NOT (c.trace_id = r.trace_id AND c.span_id = r.span_id) AND c.ts >= r.ts AND c.ts <= r.end_ts + toIntervalMillisecond(${REDIRECT_FOLLOW_MS})
      GROUP BY r.trace_id, r.span_id
    )`;

/** A row of `REDIRECT_HOPS`: a span answered with a redirect and the calls of its parent after it, in start order. */
export interface RedirectHop {
  trace_id: string;
  span_id: string;
  /** 1: a write answered with a redirect followed with a GET; 2: a GET answered with a redirect. */
  hop: number | string;
  /** When it started, as the engine writes a DateTime64 (`2026-12-05 10:11:59.698`): orders the writes. */
  ts: string;
  /** The next calls, as `<trace id>/<span id>`. */
  next_ids: string[];
  /** Each next call's redirect_hop: 1 a write answered so; 2 or 3 a GET (2: answered with a redirect in turn); else 0. */
  next_hops: (number | string)[];
  /** 1 when the next call reached a host (and port) the answered call reached. */
  next_same: (number | string)[];
}

/**
 * The GETs that follow a write's redirect (migration 138), as `<trace id>/<span id>`: an HTTP write answered 303 See
 * Other, or a POST answered 301 or 302, is followed by its client with a GET of the Location (RFC 9110 15.4.4; the Fetch
 * standard; follow-redirects), which is the write's response, not a read of the system: read as a read, it paired with
 * the run's other writes (`Undocumented flow erp → billing` for a sync that created an order in the ERP, answered 303
 * to the order, and posted the invoice to billing). Each such write, in start order, takes the first call of its parent
 * after it that no earlier write took, passing over the other writes answered so (writes sent together, then their
 * GETs): when that call is a GET to the write's own host (and port), it and the GETs after it while each was answered
 * with a redirect in turn (a chain: 303 to the order, 302 to its file host; to any host) are taken back as a transport
 * is. A write whose call is not a GET (a client that does not follow: `redirect: 'manual'`) or goes to another host (a
 * GET of the CRM sent beside it) has none; nor has a redirect answering a GET (the GET of a CRM export answered 302 to
 * its file host): its hops are that read. Each call is taken once, so every chain ends.
 */
export function redirectFollowUps(rows: readonly RedirectHop[]): string[] {
  const byId = new Map<string, RedirectHop>();
  for (const r of rows) byId.set(`${r.trace_id}/${r.span_id}`, r);
  const taken = new Set<string>();
  /** The first call after `r` not taken yet, past the writes answered with a redirect, when a GET (to its host unless `anyHost`). */
  const followUp = (r: RedirectHop, anyHost: boolean): { id: string; hop: number } | undefined => {
    for (let i = 0; i < r.next_ids.length; i++) {
      const hop = Number(r.next_hops[i]);
      const id = r.next_ids[i];
      if (hop === 1 || taken.has(id)) continue;
      return (hop === 2 || hop === 3) && (anyHost || Number(r.next_same[i]) === 1) ? { id, hop } : undefined;
    }
    return undefined;
  };
  const writes = rows
    .filter((r) => Number(r.hop) === 1)
    .sort((a, b) => a.ts.localeCompare(b.ts) || a.trace_id.localeCompare(b.trace_id) || a.span_id.localeCompare(b.span_id));
  for (const write of writes) {
    let next = followUp(write, false);
    while (next !== undefined) {
      taken.add(next.id);
      const answered: RedirectHop | undefined = next.hop === 2 ? byId.get(next.id) : undefined;
      next = answered === undefined ? undefined : followUp(answered, true);
    }
  }
  return [...taken];
}

/**
 * Fills weft_pairing_transport with the transport spans among weft_pairing_spans, a service's calls to itself
 * (`SELF_CALLS`) and the GETs that follow a write's redirect (parameter `followUps`: `redirectFollowUps`), whose touches
 * go as a transport's do: the CLIENT spans under a CLIENT or
 * PRODUCER span of their trace and service that touched a named endpoint, except under a receive. A receive (every
 * named touch of the parent a messaging read) may run its messages' handler inside it — kafkajs's eachBatch runs the
 * batch's handler in its `poll <topic>` CLIENT span, amqplib a message's in its CONSUMER span — so under it only an HTTP
 * request to the host of a broker received from over HTTP carries it (the aws-sdk's SQS ReceiveMessage, a CONSUMER span,
 * and its POST to sqs.<region>.amazonaws.com); the handler's calls are calls of their own.
 * A call on a parent cycle of any length (ids an SDK or a hand-made exporter got wrong: a call under itself, two calls
 * each under the other, a ring of three) carries no call: each was taken back as another's transport, and a run of such
 * calls paired to nothing — its flow never observed (`cyclicCalls`, parameter `cyclic`: `<trace id>/<span id>` of each).
 */
const TRANSPORT_INSERT = (touchSets: string) => `INSERT INTO weft_pairing_transport (trace_id, span_id)
    SELECT DISTINCT c.trace_id, c.span_id
    FROM (SELECT DISTINCT trace_id, span_id, parent_span_id, service FROM ${SPANS} WHERE call_kind = 1 AND parent_span_id != '') AS c
    INNER JOIN (SELECT trace_id, span_id, service, max(call_kind) AS call_kind FROM ${SPANS} WHERE root_touch = 1 GROUP BY trace_id, span_id, service) AS p
      ON c.trace_id = p.trace_id AND c.parent_span_id = p.span_id AND c.service = p.service
    INNER JOIN (${PARENT_TOUCHES(touchSets)}) AS n ON c.trace_id = n.trace_id AND c.parent_span_id = n.span_id
    LEFT JOIN (${HTTP_HOSTS(touchSets)}) AS h ON c.trace_id = h.trace_id AND c.span_id = h.span_id
    WHERE if(n.receive = 1, hasAny(h.hosts, n.hosts), p.call_kind IN (1, 2)) AND NOT has({cyclic:Array(String)}, concat(c.trace_id, '/', c.span_id))
    UNION DISTINCT
    ${SELF_CALLS}
    UNION DISTINCT
    SELECT DISTINCT trace_id, span_id FROM ${SPANS} WHERE has({followUps:Array(String)}, concat(trace_id, '/', span_id))`;

/**
 * The spans among weft_pairing_spans whose parent has a parent too (columns trace_id, span_id, parent): every span a
 * parent cycle (A under itself, A and B under each other, A under B under C under A) can hold, of any kind. A run's
 * transports are among them (a call under a call under its integration's span), so they are about as many.
 */
const CHAINED_SPANS = `SELECT DISTINCT trace_id, span_id, parent_span_id AS parent FROM ${SPANS}
    WHERE parent_span_id != '' AND (trace_id, parent_span_id) IN (SELECT trace_id, span_id FROM ${SPANS} WHERE parent_span_id != '')`;

/**
 * The spans of `rows` (a span, its trace and its parent: `CHAINED_SPANS`) that are on a parent cycle of their trace, of
 * any length (A under itself; A under B, B under C, C under A), as `<trace id>/<span id>`; a span under such a cycle but
 * not on it is not.
 * A span listed with several parents (copies that disagree) takes the first listed. Walks each chain once: linear time.
 */
export function cyclicCalls(rows: readonly { trace_id: string; span_id: string; parent: string }[]): string[] {
  const parentOf = new Map<string, string>();
  for (const r of rows) {
    const key = `${r.trace_id}/${r.span_id}`;
    if (!parentOf.has(key)) parentOf.set(key, `${r.trace_id}/${r.parent}`);
  }
  const done = new Set<string>();
  const cyclic: string[] = [];
  for (const start of parentOf.keys()) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let at: string | undefined = start;
    while (at !== undefined && !done.has(at) && !onPath.has(at)) {
      onPath.set(at, path.length);
      path.push(at);
      at = parentOf.get(at);
    }
    if (at !== undefined && onPath.has(at)) cyclic.push(...path.slice(onPath.get(at)));
    for (const k of path) done.add(k);
  }
  return cyclic;
}

/**
 * The domain of each stored row of the spans the scratch table `table` lists, per insert that stored it and the
 * integration and service it arrived with (columns trace_id, span_id, integration, service, insert_key, domain,
 * duration_ms), as weft_span_touches_mv took its touches': the span's integration.domain, else its resource's; and its
 * duration (milliseconds, as the touches' latency was counted). Kept by the arrival rows (migration 123): a later copy
 * sent with another resource domain is taken back under its own (read from otel_traces, it was any copy's, and the
 * rows it was counted on stayed counted while others read 2^64 − 1), and a span of history older than the raw retention
 * under its own (otel_traces' TTL, by span time, had dropped it: under none). Rows stored before 123 (duration_ms −1)
 * read theirs from otel_traces as before, for these spans only, in the time they cover (the table is partitioned by
 * day), through its trace id index.
 */
export const spanDomains = (table: 'weft_pairing_transport' | 'weft_pairing_resent' | 'weft_pairing_hosts') => {
  const listed = `(SELECT trace_id, span_id FROM (SELECT * FROM ${table}))`;
  const before123 = `(SELECT trace_id, span_id FROM ${SPANS} WHERE duration_ms < 0 AND (trace_id, span_id) IN ${listed})`;
  return `SELECT s.trace_id AS trace_id, s.span_id AS span_id, s.integration AS integration, s.service AS service, s.insert_key AS insert_key,
      if(s.kept = 1, s.kept_domain, o.raw_domain) AS domain, if(s.kept = 1, s.kept_ms, o.raw_ms) AS duration_ms
    FROM (
      SELECT trace_id, span_id, integration, service, insert_key, argMin(domain, arrived) AS kept_domain, argMin(duration_ms, arrived) AS kept_ms,
        toUInt8(min(duration_ms) >= 0) AS kept
      FROM ${SPANS}
      WHERE (trace_id, span_id) IN ${listed}
      GROUP BY trace_id, span_id, integration, service, insert_key
    ) AS s
    LEFT JOIN (
      SELECT TraceId AS trace_id, SpanId AS span_id, ServiceName AS service,
        any(if(SpanAttributes['integration.domain'] != '', SpanAttributes['integration.domain'], ResourceAttributes['integration.domain'])) AS raw_domain,
        any(Duration / 1e6) AS raw_ms
      FROM otel_traces
      WHERE TraceId IN (SELECT trace_id FROM ${before123})
        AND (TraceId, SpanId) IN ${before123}
        AND Timestamp >= (SELECT min(ts) - toIntervalMinute(1) FROM ${SPANS} WHERE (trace_id, span_id) IN ${before123})
        AND Timestamp <= (SELECT max(ts) + toIntervalMinute(1) FROM ${SPANS} WHERE (trace_id, span_id) IN ${before123})
        -- The days of the spans (as the partitions' toDate(Timestamp), in the server's time zone), not every day between
        -- the earliest and the latest: a sender whose clock is years behind made that every partition stored.
        AND toDate(Timestamp) IN (SELECT DISTINCT toDate(toTimeZone(arrayJoin([ts - toIntervalMinute(1), ts + toIntervalMinute(1)]), timezone()))
                                  FROM ${SPANS} WHERE (trace_id, span_id) IN ${before123})
      GROUP BY trace_id, span_id, service
    ) AS o ON s.trace_id = o.trace_id AND s.span_id = o.span_id AND s.service = o.service`;
};

/**
 * Fills weft_pairing_retract with the rows of transport spans not taken back yet: per span, the insert that stored it
 * (`insert_key`, 114) and the integration and service it arrived with, its rows (one per arrival, as the rollups counted
 * them) less those weft_transport_ledger says were taken back, and the touches of that insert's rows in the touch sets
 * `touchSets` selects, its records from the touch they were counted on (`recordTouches`, 118; before, only when it had
 * one touch: a span naming both ends kept them). Per insert: copies of a transport span with other content
 * (relay-a.example, then relay-b.example) were each taken back for the touches of both, and both rollup rows read
 * spans = 2^64 − 1. Rows stored before 114 are one insert (0), as before.
 *
 * A later copy taken back as a copy (span-copies.ts) while the span was still a call of its own — before its parent
 * arrived — lost then the touches its first copy did not make: for those rows (ledger reason 'copy'), only the touches
 * the ledger does not list as gone (116) go now, in a row of their own (`part` 'kept'); taken back whole, the copy's own
 * touches went twice (2^64 − 1). Not the touches the first copy of now made: the first copy can change after (two
 * nameless copies, then the integration's own to the second one's endpoint), and the second one's touch went twice.
 * Ledger rows written before 116 list no touches: for them, the touches the first copy of now made. A span is never a copy to take back once it is a transport (span-copies.ts leaves transport spans
 * alone), so the rows taken back as copies come before any taken back as a transport. Those rows' records go now when
 * the ledger lists none taken back (118) and the touch that carried them goes now: a copy taken back since 118 went
 * whole, records too; one taken back before kept them, on a touch of its first copy's.
 */
const RETRACT_INSERT = (touchSets: string) => `INSERT INTO weft_pairing_retract (trace_id, span_id, integration, service, domain, ts, is_error, records, rows,
      insert_key, reason, touches, with_records, record_touches)
    SELECT s.trace_id, s.span_id, s.integration, s.service, d.domain, s.ts, s.is_error, s.records, part.1,
      s.insert_key, 'transport', part.2, toUInt8(notEmpty(part.3)), part.3
    FROM (
      SELECT trace_id, span_id, integration, service, insert_key, argMin(ts, arrived) AS ts,
        argMin(is_error, arrived) AS is_error, argMin(records, arrived) AS records, count() AS n
      FROM ${SPANS}
      WHERE (trace_id, span_id) IN (SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport))
      GROUP BY trace_id, span_id, integration, service, insert_key
    ) AS s
    INNER JOIN (
      SELECT trace_id, integration, insert_key, se.1 AS span_id, groupUniqArray((se.2, se.3)) AS pairs
      FROM (
        SELECT trace_id, integration, insert_key, arrayJoin(arrayFilter(x -> NOT startsWith(x.2, concat('records', char(30))), ${touchPairs('')})) AS se
        FROM (${touchSets})
        WHERE trace_id IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_transport))
      )
      GROUP BY trace_id, integration, insert_key, span_id
    ) AS t ON s.trace_id = t.trace_id AND s.integration = t.integration AND s.span_id = t.span_id AND s.insert_key = t.insert_key
    LEFT JOIN (
      SELECT trace_id, span_id, integration, service, insert_key, sumIf(rows, reason = 'transport') AS done, sumIf(rows, reason = 'copy') AS copied,
        groupArrayArrayIf(touches, reason = 'copy') AS copy_touches, groupArrayArrayIf(record_touches, reason = 'copy') AS copy_record_touches
      FROM ${transportLedger}
      WHERE trace_id IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_transport)) AND reason IN ('transport', 'copy')
      GROUP BY trace_id, span_id, integration, service, insert_key
    ) AS l ON s.trace_id = l.trace_id AND s.span_id = l.span_id AND s.integration = l.integration AND s.service = l.service
      AND s.insert_key = l.insert_key
    LEFT JOIN (
      -- The touches of each span's first copy (span-copies.ts's RESENT: the integration's own row first, then arrival).
      SELECT f.trace_id AS trace_id, f.span_id AS span_id, groupUniqArray(se.2) AS made
      FROM (
        SELECT trace_id, span_id, argMin(insert_key, ${COPY_ORDER}) AS first_key
        FROM ${SPANS}
        WHERE (trace_id, span_id) IN (SELECT trace_id, span_id FROM (SELECT * FROM weft_pairing_transport))
        GROUP BY trace_id, span_id
      ) AS f
      INNER JOIN (
        SELECT trace_id, insert_key, arrayJoin(${touchPairs('')}) AS se
        FROM (${touchSets})
        WHERE trace_id IN (SELECT trace_id FROM (SELECT * FROM weft_pairing_transport))
      ) AS k ON f.trace_id = k.trace_id AND f.first_key = k.insert_key AND f.span_id = k.se.1
      GROUP BY f.trace_id, f.span_id
    ) AS m ON s.trace_id = m.trace_id AND s.span_id = m.span_id
    LEFT JOIN (${spanDomains('weft_pairing_transport')}) AS d ON s.trace_id = d.trace_id AND s.span_id = d.span_id AND s.integration = d.integration
      AND s.service = d.service AND s.insert_key = d.insert_key
    LEFT JOIN (${primaryTouches(touchSets, 'SELECT trace_id FROM (SELECT * FROM weft_pairing_transport)')}) AS p
      ON s.trace_id = p.trace_id AND s.span_id = p.span_id AND s.insert_key = p.insert_key AND s.integration = p.integration
    -- (rows, touches, record touches): the rows taken back as copies (none once any went as a transport), with the
    -- touches the first copy made, and their records where they were counted when the copy left them (on a touch that
    -- goes now); the others with all of this insert's touches and their records.
    ARRAY JOIN [
      (toUInt64(if(l.done = 0, least(l.copied, s.n), 0)) AS copied_rows,
        arrayMap(x -> x.2, arrayFilter(x -> if(empty(l.copy_touches), has(m.made, x.1), NOT has(l.copy_touches, x.2)), t.pairs)) AS kept,
        if(notEmpty(l.copy_record_touches), CAST([], 'Array(Tuple(String, Tuple(String, String, String, String, String)))'),
          arrayFilter(x -> has(kept, x), ${recordTouches('s.records', 'p.primary', 'arrayMap(x -> x.2, t.pairs)')}))),
      (toUInt64(s.n - l.done - copied_rows), arrayMap(x -> x.2, t.pairs), ${recordTouches('s.records', 'p.primary', 'arrayMap(x -> x.2, t.pairs)')})] AS part
    WHERE s.n > l.done AND part.1 > 0`;

/**
 * Finds the transport spans among weft_pairing_spans (into weft_pairing_transport) and takes the touches of those not
 * taken back yet out of the endpoint rollups, recording them in weft_transport_ledger (`takeBack`: staged with the run,
 * published with it). `touchSets`: SQL selecting the weft_trace_touch_sets rows of
 * the spans' traces, with its statement parameters `params`. Resolves to whether any span is a transport (the pairing
 * then leaves their touches out: `withoutTakenBack`). Rejects with the engine's error.
 */
export async function markTransport(store: Store, touchSets: string, params: Record<string, unknown>): Promise<boolean> {
  const c = store.client;
  for (const table of ['weft_pairing_transport', 'weft_pairing_retract']) await emptyTable(store, table);
  const [candidates] = await c.query({ query: CANDIDATES, format: 'JSONEachRow' }).then((r) => r.json<{ n: number | string; redirects: number | string }>());
  const followUps =
    Number(candidates?.redirects ?? 0) === 0
      ? []
      : redirectFollowUps(await c.query({ query: REDIRECT_HOPS(touchSets), query_params: params, format: 'JSONEachRow' }).then((r) => r.json<RedirectHop>()));
  if (Number(candidates?.n ?? 0) === 0 && followUps.length === 0) return false;
  const chained = await c.query({ query: CHAINED_SPANS, format: 'JSONEachRow' }).then((r) => r.json<{ trace_id: string; span_id: string; parent: string }>());
  await c.command({ query: TRANSPORT_INSERT(touchSets), query_params: { ...params, cyclic: cyclicCalls(chained), followUps } });
  const [found] = await c
    .query({ query: 'SELECT count() AS n FROM weft_pairing_transport', format: 'JSONEachRow' })
    .then((r) => r.json<{ n: number | string }>());
  if (Number(found?.n ?? 0) === 0) return false;
  await c.command({ query: RETRACT_INSERT(touchSets), query_params: params });
  await takeBack(store);
  return true;
}
