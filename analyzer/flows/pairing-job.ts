import type { Store } from '../../clickhouse/index.ts';
import { fromChTime, toChTime } from '../../clickhouse/index.ts';
import { DEFAULT_LATE_ARRIVAL, DEFAULT_RUN_GAP, MAX_LATE_ARRIVAL_MS } from '../../core/config/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import { fragmentUnits, groupKey, recordsFallbackSql, runRecordsSql, type FragmentTrace, type LedgerUnit, type PairingUnit } from './run-boundaries.ts';
import { EXPORT_SPREAD_MS, traceSegments, type SegmentSpan } from './trace-segments.ts';
import { senderLagsSql, senderPlacingExpr, senderShiftExpr } from './sender-offsets.ts';
import { markTransport } from './transport-spans.ts';
import { recordAnsweredCalls } from './answered-calls.ts';
import { markCopies } from './span-copies.ts';
import { markHosts, withHosts } from './transport-hosts.ts';
import { withoutTakenBack } from './taken-back.ts';
import { groupBy } from '../../core/collections/index.ts';
import { namelessIn } from './nameless-service.ts';
import { finishStaged, newBatch, publish, stageRun, staged } from './staged-writes.ts';
import { RELATED_SPANS_SQL, relatedSpansParams } from './related-spans.ts';
import { emptyTable, onEveryNode } from '../../clickhouse/cluster-aware.ts';

/** What one pairing run did. Times are ISO-8601 (arrival time, not span time). */
export interface PairingResult {
  /** Everything that arrived before this is paired (the analyzer's clock minus the late-arrival window). */
  settledBefore: string;
  /** The next run looks again at every trace with a span arrived from here on. */
  frontier: string;
  /** Units (a trace of an integration, or a run of several traces) whose contribution was added or changed. */
  paired: number;
  /** Earlier contributions taken back because their unit changed (late spans, a run that grew). */
  retracted: number;
  /** Arrived but not paired yet: still inside the late-arrival window and not known to be complete. */
  pending: { traces: number; spans: number };
  /** Settled traces that touched systems in no known direction (neither read nor write): in no flow. */
  unplaced: { traces: number; spans: number };
  /** When Weft first received a span (the analyzer's clock at the first run that saw one); null before. */
  observingSince: string | null;
}

/** The pairing state the snapshot reads: how far pairing got, and since when Weft has been receiving. */
export interface PairingState {
  /** The last run's settled-before (arrival time); undefined before the first run. */
  pairedUntil?: Date;
  observingSince?: Date;
  /** When the last run ended (the analyzer's clock when it ran); undefined before the first run. */
  lastRunAt?: Date;
  /** Arrived and not paired yet: the last run's pending plus what arrived after it. */
  pending: { traces: number; spans: number };
}

const EMPTY = "('', '', '', '', '')";
/**
 * Traces whose spans arrive further apart than this may be paired as two units (arrival rows are kept two days): the
 * frontier is never held further back than this before the newest arrival, so it is also the longest late-arrival
 * window `weft start` takes (a trace waiting longer would be passed by the frontier and never paired).
 */
const MAX_SCAN_MS = MAX_LATE_ARRIVAL_MS;
/** Default gap between a run's reads and its write when an integration loses trace context (ms; `--run-gap`'s). */
export const DEFAULT_RUN_GAP_MS = parseDuration(DEFAULT_RUN_GAP);

const at = (name: string) => `toDateTime64({${name}:String}, 3, 'UTC')`;

/**
 * Which rows the per-trace aggregate reads: everything that arrived since the frontier plus the older
 * rows of those traces that have some (found through weft_trace_index), or the rows of listed traces.
 */
type RowSource = { since: string; older: boolean } | { ids: string };

/** `older`: the traces listed in the `older` parameter also have rows that arrived before `since`. */
function rows(table: string, src: RowSource): string {
  if ('ids' in src) return `SELECT * FROM ${table} WHERE trace_id IN (${src.ids})`;
  const since = `toDateTime64({${src.since}:String}, 3, 'UTC')`;
  // The two arrival tables are stamped by two views of one insert, a millisecond or so apart: the
  // touch sets are read with a margin (rows of other traces drop out at the join).
  const recent = `SELECT * FROM ${table} WHERE arrived >= ${table === 'weft_trace_touch_sets' ? `${since} - toIntervalSecond(5)` : since}`;
  return src.older ? `${recent} UNION ALL SELECT * FROM ${table} WHERE arrived < ${since} AND trace_id IN {older:Array(String)}` : recent;
}

/** Whether the service of the column `service` is a nameless one (nameless-service.ts). */
const NAMELESS = namelessIn('service');

/**
 * A scratch table read as a subquery, as the arrival tables are (`rows`): on a cluster each is a Distributed table, and a
 * join or an IN of two of them named directly would be sent to every shard (refused by `distributed_product_mode`);
 * read in a subquery, the join runs where the statement was sent.
 */
const scratch = (table: string) => `(SELECT * FROM ${table})`;

/**
 * Per trace, the nameless services (`NAMELESS`, their spans naming no flow) whose spans there are all copies of one named
 * integration's — same span ids, a batch exported again by a pipeline that lost its resource: columns trace_id, service,
 * into_integration (that integration), into_service (its service), read from the run's spans (weft_pairing_spans). A
 * span id is its process's own, so such a copy is that integration's run, not a second integration: paired apart it was
 * an undocumented flow beside the documented one. A nameless service with a span of its own in the trace keeps its spans
 * (which process sent a copy among its own spans cannot be told from the spans). Only traces with a nameless span are
 * grouped by span.
 */
const COPIES = (spans: string) => `SELECT trace_id, service, any(named[1].1) AS into_integration, any(named[1].2) AS into_service
    FROM (
      SELECT trace_id, span_id, groupUniqArrayIf(service, ${NAMELESS} AND integration = service) AS nameless,
        groupUniqArrayIf((integration, service), NOT ${NAMELESS}) AS named
      FROM ${spans}
      WHERE trace_id IN (SELECT trace_id FROM ${spans} WHERE ${NAMELESS} AND integration = service)
      GROUP BY trace_id, span_id
    ) ARRAY JOIN nameless AS service
    GROUP BY trace_id, service
    HAVING min(length(named)) = 1 AND uniqExact(named[1]) = 1`;

/**
 * Which of the run's two join tables hold rows (`insertTraces`): the nameless copies (weft_pairing_copies, `COPIES`) and
 * the flows of unnamed spans (weft_pairing_unnamed, `FLOW_OF_UNNAMED`). Most runs have neither, and a join with an empty
 * table is left out of the statements that read them: it changes no row, and each cost the engine's planning of a
 * 12 KB statement (`tracesInsert`) every run.
 */
interface FlowJoins {
  copies: boolean;
  unnamed: boolean;
}

/**
 * The run's spans (weft_pairing_spans) with the spans of a nameless copy under the integration they are copies of
 * (weft_pairing_copies, `COPIES`; not joined when it is empty: `joins`); `arrived_as` keeps the integration they arrived
 * with, `nameless_row` (1) marks a row that arrived from a nameless service (`FIRST_ROW`).
 */
const OWNED_SPANS = (spans: string, joins: FlowJoins) =>
  joins.copies
    ? `SELECT x.* REPLACE (if(c.into_integration != '' AND x.integration = x.service, c.into_integration, x.integration) AS integration,
        if(c.into_integration != '' AND x.integration = x.service, c.into_service, x.service) AS service), x.integration AS arrived_as,
        toUInt8(${namelessIn('x.service')}) AS nameless_row
    FROM ${spans} AS x
    LEFT JOIN ${scratch('weft_pairing_copies')} AS c ON x.trace_id = c.trace_id AND x.service = c.service`
    : `SELECT x.*, x.integration AS arrived_as, toUInt8(${namelessIn('x.service')}) AS nameless_row FROM ${spans} AS x`;

/**
 * Per trace and service, the one flow some of its spans name (`integration.flow`: an integration other than the service
 * name) when others name none (their integration is the service name): columns trace_id, service, flow. An integration
 * runtime that hosts many flows sets the flow on its own span around a run, and the calls under it — HTTP, SQL,
 * messaging, instrumented by libraries that know nothing of flows — carry only the service: they are that flow's.
 * The flow's spans must enclose the unnamed calls in time (one process, one clock): a service whose own work names no
 * flow and names one on a part of it (a sub-step) has calls outside that part, and keeps them. A service naming two or
 * more flows in one trace (a flow calling another) keeps its unnamed spans as they are: which flow each belongs to
 * would need its ancestors. Nameless copies count as the service they are copies of (`OWNED_SPANS`).
 */
const FLOW_OF_UNNAMED = (spans: string, joins: FlowJoins) => `SELECT trace_id, service, groupUniqArrayIf(integration, integration != service)[1] AS flow
    FROM (${OWNED_SPANS(spans, joins)})
    GROUP BY trace_id, service
    HAVING uniqExactIf(integration, integration != service) = 1 AND countIf(integration = service) > 0
      AND (countIf(integration = service AND root_touch = 1) = 0
        OR (minIf(ts, integration = service AND root_touch = 1) >= minIf(ts, integration != service)
          AND maxIf(end_ts, integration = service AND root_touch = 1) <= maxIf(end_ts, integration != service)))`;

/**
 * `OWNED_SPANS` with each unnamed span's integration its flow (weft_pairing_unnamed, `FLOW_OF_UNNAMED`; not joined when
 * it is empty: `joins`), the integration it arrived with kept as `was`.
 */
const SPANS_BY_FLOW = (spans: string, joins: FlowJoins) =>
  joins.unnamed
    ? `SELECT x.* REPLACE (if(x.integration = x.service AND f.flow != '', f.flow, x.integration) AS integration), x.arrived_as AS was
    FROM (${OWNED_SPANS(spans, joins)}) AS x
    LEFT JOIN ${scratch('weft_pairing_unnamed')} AS f ON x.trace_id = f.trace_id AND x.service = f.service`
    : `SELECT x.*, x.arrived_as AS was FROM (${OWNED_SPANS(spans, joins)}) AS x`;

/** weft_pairing_spans as read when no trace is cut (`traceSegments`). */
const SPANS = scratch('weft_pairing_spans');

/** weft_pairing_spans with the spans of each trace cut into runs under their run's id (weft_pairing_segments, 101). */
const SEGMENTED_SPANS = `(SELECT s.* REPLACE (if(g.segment != '', g.segment, s.trace_id) AS trace_id)
    FROM ${SPANS} AS s LEFT JOIN ${scratch('weft_pairing_segments')} AS g ON s.trace_id = g.trace_id AND s.span_id = g.span_id)`;

/** The trace id of a trace or of a run cut from one (`<trace id>@<ms>`): what a link to the trace needs. */
const rawTraceId = (id: string) => id.split('@')[0];
/** `rawTraceId` as a ClickHouse expression over a String expression (trusted SQL, never client input). */
const rawTraceSql = (expr: string) => `splitByChar('@', ${expr})[1]`;

/**
 * The touch sets `src` selects with those of the traces cut into runs (weft_pairing_segments) split by run: each run
 * takes the reads, writes, touches of no known direction and records of its own spans (read_spans, write_spans,
 * unknown_spans, record_spans: 088, 101), and its writes' last outcome from its own spans' marks. The domains stay the
 * row's. A touch set none of whose touches is a span of the cut trace adds nothing to its runs.
 */
function touchSetsBySegment(src: RowSource, taken: TakenBack): string {
  const all = touchSetRows(src, taken);
  const mine = (arr: string) => `arrayFilter(x -> g.segs[indexOf(g.sids, x.1)] = seg, t.${arr})`;
  const tuple = (k: string) => `(${k}[1], ${k}[2], ${k}[3], ${k}[4], ${k}[5])`;
  return `SELECT * FROM (${all}) WHERE trace_id NOT IN (SELECT trace_id FROM ${scratch('weft_pairing_segments')})
    UNION ALL
    SELECT t.* REPLACE (seg AS trace_id,
        arrayDistinct(arrayMap(x -> x.2, ${mine('read_spans')})) AS reads,
        arrayDistinct(arrayMap(x -> ${tuple("splitByChar('\\x1f', x.2)")}, ${mine('write_spans')})) AS writes,
        arrayDistinct(arrayMap(x -> x.2, ${mine('unknown_spans')})) AS unknowns,
        ${mine('record_spans')} AS record_spans,
        (arrayDistinct(arrayMap(x -> x.2, ${mine('write_spans')})) AS seg_keys,
          arrayMap(k -> arrayMax(arrayMap(x -> g.marks[indexOf(g.sids, x.1)], arrayFilter(x -> x.2 = k, ${mine('write_spans')}))), seg_keys)) AS write_last,
        ${mine('write_spans')} AS write_spans,
        ${mine('read_spans')} AS read_spans,
        ${mine('unknown_spans')} AS unknown_spans)
    FROM (${all}) AS t
    INNER JOIN (SELECT trace_id, groupArray(span_id) AS sids, groupArray(segment) AS segs, groupArray(mark) AS marks
      FROM ${scratch('weft_pairing_segments')} GROUP BY trace_id) AS g ON t.trace_id = g.trace_id
    ARRAY JOIN arrayFilter(x -> x != '', arrayDistinct(arrayMap(id -> g.segs[indexOf(g.sids, id)],
      arrayConcat(arrayMap(x -> x.1, t.read_spans), arrayMap(x -> x.1, t.write_spans), arrayMap(x -> x.1, t.unknown_spans),
        arrayMap(x -> x.1, t.record_spans))))) AS seg`;
}

/**
 * Which touches the run takes back (taken-back.ts): those of transport spans (`transport`: transport-spans.ts, migration
 * 112: a client library's call is one call, not two), and those later copies of a span made and its first copy did not
 * (`copies`: span-copies.ts, migration 114: a span is one span); and whether calls carried by a transport take its host
 * (`hosts`: transport-hosts.ts, migration 117).
 */
interface TakenBack {
  transport: boolean;
  copies: boolean;
  hosts: boolean;
}

/** The touch sets `src` selects, without the touches the run takes back (`taken`), calls carried by a transport with its host. */
function touchSetRows(src: RowSource, taken: TakenBack): string {
  const kept = withoutTakenBack(rows('weft_trace_touch_sets', src), taken);
  return taken.hosts ? withHosts(kept) : kept;
}

/**
 * `touchSetRows(src, taken)` (split by run when `segmented`: `touchSetsBySegment`) with the touch sets of
 * nameless copies under the integration they are copies of (weft_pairing_copies), and those of unnamed spans under
 * their flow (weft_pairing_unnamed); a join with an empty one is left out (`joins`).
 */
function touchSetsByFlow(src: RowSource, segmented: boolean, taken: TakenBack, joins: FlowJoins): string {
  const sets = segmented ? touchSetsBySegment(src, taken) : touchSetRows(src, taken);
  const owned = joins.copies
    ? `SELECT t0.* REPLACE (if(c.into_integration != '', c.into_integration, t0.integration) AS integration)
      FROM (${sets}) AS t0
      LEFT JOIN ${scratch('weft_pairing_copies')} AS c ON t0.trace_id = c.trace_id AND t0.integration = c.service`
    : sets;
  return joins.unnamed
    ? `SELECT t.* REPLACE (if(f.flow != '', f.flow, t.integration) AS integration)
    FROM (${owned}) AS t
    LEFT JOIN ${scratch('weft_pairing_unnamed')} AS f ON t.trace_id = f.trace_id AND t.integration = f.service`
    : owned;
}

/**
 * weft_trace_spans' columns, which weft_pairing_spans repeats (098; is_ok: 106; parent_span_id, call_kind: 112; insert_key: 114;
 * domain, duration_ms: 123; redirect_hop: 138).
 */
const SPAN_COLUMNS =
  'arrived, trace_id, span_id, integration, service, instance, run_id, is_root, root_touch, is_error, is_ok, records, ts, end_ts, parent_span_id, call_kind, insert_key, domain, duration_ms, redirect_hop';

/**
 * The per-trace aggregate of the spans `src` selects into weft_pairing_traces (`tracesInsert`), in stages (098): the
 * spans, read once, into weft_pairing_spans; the nameless copies among them (`COPIES`) and the flow of unnamed spans
 * (`FLOW_OF_UNNAMED`), each computed once into a scratch table when it can have rows (`flowJoins`); then the aggregate,
 * which joins those that have. As one statement with the subqueries inlined (copies four times, the spans twelve), the
 * engine spent 130 ms analysing it and 215 ms planning it on an empty store (a loaded 2-core machine), most of a pairing
 * run's cost. `params`: the statement
 * parameters `src` and `tracesInsert` use (frontier, older, ids, now). `cut`: how traces are cut into runs (`cutTraces`).
 * One pairing job runs at a time (the scratch tables are its own). Rejects with the engine's error.
 */
async function insertTraces(store: Store, src: RowSource, params: Record<string, unknown>, cut: TraceCut): Promise<boolean> {
  const c = store.client;
  for (const table of ['weft_pairing_spans', 'weft_pairing_copies', 'weft_pairing_unnamed', 'weft_pairing_segments']) {
    await emptyTable(store, table);
  }
  const { now, clock, ...spanParams } = params;
  await c.command({
    query: `INSERT INTO weft_pairing_spans (${SPAN_COLUMNS}) SELECT ${SPAN_COLUMNS} FROM (${rows('weft_trace_spans', src)})`,
    query_params: spanParams,
  });
  // Transport spans (a client library's call carried by an instrumented HTTP call under it): taken back out of the
  // endpoint rollups, and left out of the touch sets below.
  const transport = await markTransport(store, rows('weft_trace_touch_sets', src), spanParams);
  // Calls another service's SERVER span answered: which service answered which endpoint (named at query time).
  await recordAnsweredCalls(store, rows('weft_trace_touch_sets', src), spanParams);
  // Later copies of a span (the same ids sent again with other content): their touches the first copy did not make are
  // taken back out of the endpoint rollups, and left out of the touch sets below.
  const copies = await markCopies(store, rows('weft_trace_touch_sets', src), spanParams);
  // Calls carried by a transport that name no host take the one it reached (after the copies' touches went: those are
  // not moved), in the endpoint rollups and in the touch sets below.
  const hosts = transport && (await markHosts(store, rows('weft_trace_touch_sets', src), spanParams));
  const segmented = await cutTraces(store, cut);
  const spans = segmented ? SEGMENTED_SPANS : SPANS;
  const joins = await flowJoins(store, spans);
  await c.command({ query: tracesInsert(src, spans, segmented, { transport, copies, hosts }, joins), query_params: { ...spanParams, now, clock } });
  return segmented;
}

/**
 * Fills weft_pairing_copies (`COPIES`) and weft_pairing_unnamed (`FLOW_OF_UNNAMED`) from the run's spans `spans`, and
 * says which of them hold rows (`FlowJoins`). Each is filled only when the spans can give it a row: a copy needs a
 * nameless span naming no flow, an unnamed span's flow a span naming one (or a copy, which takes a named integration);
 * else it stays empty (emptied by `insertTraces`), and the statement that would fill it is not run. Rejects with the
 * engine's error.
 */
async function flowJoins(store: Store, spans: string): Promise<FlowJoins> {
  const c = store.client;
  const [may] = await jsonOf(store)<{ copies: number | string; unnamed: number | string }>(
    `SELECT countIf(${NAMELESS} AND integration = service) > 0 AS copies, countIf(integration != service) > 0 AS unnamed FROM ${SPANS}`,
  );
  const copies = Number(may.copies) === 1;
  if (copies) await c.command({ query: `INSERT INTO weft_pairing_copies (trace_id, service, into_integration, into_service) ${COPIES(spans)}` });
  const unnamed = copies || Number(may.unnamed) === 1;
  if (unnamed) await c.command({ query: `INSERT INTO weft_pairing_unnamed (trace_id, service, flow) ${FLOW_OF_UNNAMED(spans, { copies, unnamed: false })}` });
  if (!copies && !unnamed) return { copies, unnamed };
  const [held] = await jsonOf(store)<{ copies: number | string; unnamed: number | string }>(
    'SELECT (SELECT count() FROM weft_pairing_copies) > 0 AS copies, (SELECT count() FROM weft_pairing_unnamed) > 0 AS unnamed',
  );
  return { copies: Number(held.copies) === 1, unnamed: Number(held.unnamed) === 1 };
}

/**
 * How traces are cut into runs: the run gap (ms), how much further apart two processes' spans may be (ms,
 * `traceSegments`), and the analyzer's clock (a DateTime64 string) the senders' clocks are known as of.
 */
interface TraceCut {
  gapMs: number;
  spreadMs: number;
  clock: string;
}

/**
 * Cuts the traces in weft_pairing_spans that hold several runs (`traceSegments`) and writes each of their spans' run
 * into weft_pairing_segments (101); returns whether any trace was cut. Only a trace whose root span has not arrived
 * (a context handed in from outside) and whose spans arrived `gapMs` or more apart can hold several runs: the others are
 * not read back. A trace with a touch set stored before migration 101 (reads without the spans that made them) is left
 * whole. Each span's parent and links are read from otel_traces (a span is in its parent's run), and the messaging
 * destinations its spans published to and consumed from (and the integration of each) from the touch sets, and each
 * sender's clock offset where it is known as of `clock` (`senderPlacingExpr`: a row per sender of the candidates and
 * arrival minute of a day, from weft_sender_lag_1m). Rejects with the engine's error.
 */
async function cutTraces(store: Store, { gapMs, spreadMs, clock }: TraceCut): Promise<boolean> {
  if (gapMs <= 0) return false;
  const json = jsonOf(store);
  const candidates = (
    await json<{ trace_id: string }>(
      `SELECT trace_id FROM weft_pairing_spans GROUP BY trace_id
       HAVING max(is_root) = 0 AND dateDiff('millisecond', min(arrived), max(arrived)) >= {gap:UInt64}`,
      { gap: gapMs },
    )
  ).map((r) => r.trace_id);
  if (candidates.length === 0) return false;
  // The touch sets of the candidates: which were stored before 101, and the messaging destinations each span published
  // to and consumed from (`<system>\x1f<destination>`), which join a consumer to the run that published its messages.
  const sets = await json<{ trace_id: string; integration: string; old: number | string; published: [string, string][]; consumed: [string, string][] }>(
    `SELECT trace_id, integration,
       toUInt8((notEmpty(reads) AND empty(read_spans)) OR (notEmpty(unknowns) AND empty(unknown_spans)) OR (notEmpty(writes) AND empty(write_spans))) AS old,
       arrayMap(x -> (x.1, arrayStringConcat([splitByChar(char(31), x.2)[2], splitByChar(char(31), x.2)[4]], char(31))),
         arrayFilter(x -> startsWith(x.2, concat('messaging', char(31))), write_spans)) AS published,
       arrayMap(x -> (x.1, concat(x.2.2, char(31), x.2.4)), arrayFilter(x -> x.2.1 = 'messaging', read_spans)) AS consumed
     FROM weft_trace_touch_sets WHERE trace_id IN {ids:Array(String)}`,
    { ids: candidates },
  );
  const before101 = new Set(sets.filter((r) => Number(r.old) === 1).map((r) => r.trace_id));
  const destinations = new Map<string, { publishes: string[]; consumes: string[]; integration: string }>();
  const destinationsOf = (key: string, integration: string) =>
    destinations.get(key) ?? destinations.set(key, { publishes: [], consumes: [], integration }).get(key)!;
  for (const r of sets) {
    for (const [span, d] of r.published) destinationsOf(`${r.trace_id}/${span}`, r.integration).publishes.push(d);
    for (const [span, d] of r.consumed) destinationsOf(`${r.trace_id}/${span}`, r.integration).consumes.push(d);
  }
  const ids = candidates.filter((id) => !before101.has(id));
  if (ids.length === 0) return false;
  const spans = await json<{
    trace_id: string;
    span_id: string;
    service: string;
    instance: string;
    ts: string;
    end: string;
    arrived: string;
    ok: number | string;
  }>(
    `SELECT trace_id, span_id, service, instance, toUnixTimestamp64Milli(ts) AS ts, toUnixTimestamp64Milli(end_ts) AS end,
       toUnixTimestamp64Milli(arrived) AS arrived, toUInt8(is_error = 0) AS ok
     FROM weft_pairing_spans WHERE trace_id IN {ids:Array(String)}`,
    { ids },
  );
  // Each sender's offset from Weft's clock, where it is known (senderPlacingExpr): its spans are placed by Weft's clock.
  const shifts = new Map(
    (
      await json<{ service: string; instance: string; shift: number | string | null }>(
        sendersSql(senderPlacingExpr, '(SELECT * FROM weft_pairing_spans WHERE trace_id IN {ids:Array(String)})'),
        { ids, clock },
      )
    ).map((r) => [`${r.service}\u001f${r.instance}`, r.shift === null ? null : Number(r.shift)]),
  );
  // Each span's parent and the spans of its trace it links to, from the spans as stored, on the days the spans cover
  // (`RELATED_SPANS_SQL`): a consumer stays in the run of the producer whose message it took.
  const related = new Map(
    (
      await json<{ trace_id: string; span_id: string; parent: string; linked: string[] }>(
        RELATED_SPANS_SQL,
        relatedSpansParams(
          ids,
          spans.map((s) => Number(s.ts)),
        ),
      )
    ).map((r) => [`${r.trace_id}/${r.span_id}`, r]),
  );
  const byTrace = groupBy(spans, (s) => s.trace_id);
  const rows: { trace_id: string; span_id: string; segment: string; mark: number }[] = [];
  for (const [traceId, list] of byTrace) {
    const asSegment = (s: (typeof spans)[number]): SegmentSpan => {
      const key = `${traceId}/${s.span_id}`;
      return {
        spanId: s.span_id,
        service: s.service,
        instance: s.instance,
        startMs: Number(s.ts),
        endMs: Number(s.end),
        arrivedMs: Number(s.arrived),
        shiftMs: shifts.get(`${s.service}\u001f${s.instance}`) ?? null,
        parentId: related.get(key)?.parent ?? '',
        linkedIds: related.get(key)?.linked ?? [],
        publishes: destinations.get(key)?.publishes ?? [],
        consumes: destinations.get(key)?.consumes ?? [],
        integration: destinations.get(key)?.integration ?? '',
      };
    };
    const runs = traceSegments(list.map(asSegment), gapMs, spreadMs);
    if (new Set(runs.values()).size < 2) continue;
    // A span's mark as the touch sets keep a write's (088): its end × 2, + 1 when it did not fail; of its rows, the latest.
    const marks = new Map<string, number>();
    for (const s of list) marks.set(s.span_id, Math.max(marks.get(s.span_id) ?? 0, Number(s.end) * 2 + Number(s.ok)));
    for (const [spanId, first] of runs) rows.push({ trace_id: traceId, span_id: spanId, segment: `${traceId}@${first}`, mark: marks.get(spanId)! });
  }
  if (rows.length === 0) return false;
  await store.client.insert({ table: 'weft_pairing_segments', values: rows, format: 'JSONEachRow' });
  return true;
}

/**
 * Which of a span's rows (the same span exported more than once: a re-export, a nameless copy) gives its service,
 * instance, run id, kind, status and records: the integration's own row before a nameless service's copy (which lost its
 * resource: no instance, no run id), whichever arrived first; of those, the first arrived. Not the order the rows are
 * read in: weft_pairing_spans is sorted by service, and a later copy from `unknown_service` came before the rows of a
 * service named after it, whose run then took the copy's service and empty instance. Of rows stamped in the same
 * millisecond, the insert decides (as span-copies.ts takes the first copy's, whose touches are the span's).
 */
const FIRST_ROW = '(nameless_row, arrived, insert_key)';

/** The thresholds of the sender-clock rule, kept where the pairing's readers found them (sender-offsets.ts holds the rule). */
export { CLOCK_BEHIND_MINUTES, CLOCK_LAG_SPREAD_MS, CLOCK_OFFSET_MIN_MS } from './sender-offsets.ts';

/**
 * Per sender (service and instance) of the spans in weft_pairing_spans, the offset (ms) its spans are moved by to be
 * placed by Weft's clock (columns service, instance, shift): `senderShiftExpr` (sender-offsets.ts) of the least
 * (arrival − end) of its spans in the run (a clock ahead, at once) and the least lags of its latest arrival minutes
 * (a clock behind, once they agree; weft_sender_lag_1m, migration 105); else 0 (its runs stay in the minutes its clock
 * says). Reads one row per sender of the run and arrival minute.
 */
const SENDER_SHIFT = sendersSql(senderShiftExpr, scratch('weft_pairing_spans'));

/**
 * Per sender (service and instance) of the spans `spans` (a subquery of weft_pairing_spans' rows), its offset `offset`
 * (`senderShiftExpr` or `senderPlacingExpr`, sender-offsets.ts) of the least (arrival − end) of those spans and the lags
 * of its latest arrival minutes as of the `clock` parameter (columns service, instance, shift).
 */
function sendersSql(offset: (lag: string, lags: string) => string, spans: string): string {
  return `SELECT r.service AS service, r.instance AS instance, ${offset('r.lag', 'm.lags')} AS shift
    FROM (SELECT service, instance, min(dateDiff('millisecond', end_ts, arrived)) AS lag FROM ${spans} GROUP BY service, instance) AS r
    LEFT JOIN (${senderLagsSql(at('clock'), 'instance', `SELECT service, instance FROM ${spans}`)}) AS m
      ON r.service = m.service AND r.instance = m.instance`;
}

/** The integration's own root span: the trace's root, and not itself a call (a wrapper around the run's calls). */
const WRAPPER = '(is_root = 1 AND is_call = 0)';

/**
 * The per-trace aggregate (spans de-duplicated by trace, integration and span id: a re-export counts once) into
 * weft_pairing_traces. A trace failed as a run when its root wrapper span failed or the span that ended last did (a
 * call that failed and was handled — a 503 retried into a 200, a 404 before a create — does not fail the run; of
 * spans that ended at the same millisecond, the one that started later, then one that succeeded, counts as the last,
 * except that a call's caller (its parent: a CLIENT span's is kept, 112) counts after it: a consumer or an upsert step
 * that failed on a 409 answered to its create, ending in the millisecond its call did, failed the run),
 * unless its root wrapper span's status is Ok: the integration said it succeeded (106), and no edge of it failed; its
 * latency is the root wrapper span's duration (one process, one clock), else the largest spread of one service
 * instance's spans; its records are chosen by direction (`runRecords`), each span's counted once, and what its writes
 * reported is kept per write endpoint (`target_records`, 088: each edge carries its target's); a trace that ended
 * after the pairing's `now` parameter (a clock ahead of the analyzer's) is moved back to end then. Its `placed` (what
 * its minute is) is its start by Weft's clock: each span moved by its sender's offset (SENDER_SHIFT), then back so that it
 * ends by the `clock` parameter (the analyzer's clock). Reads the spans from the scratch tables `insertTraces` fills, and
 * the touch sets `src` selects (without the touches the run takes back, `taken`: `touchSetRows`), joined with the
 * nameless copies and the unnamed spans' flows where those hold rows (`joins`: `flowJoins`).
 */
function tracesInsert(src: RowSource, spans: string, segmented: boolean, taken: TakenBack, joins: FlowJoins): string {
  const AHEAD = `toIntervalMillisecond(greatest(0, dateDiff('millisecond', ${at('now')}, s.end)))`;
  // Touch sets stored before record_spans existed (085) have none: their spans' sum, as then. A trace stored since whose
  // only spans reporting records failed has none either, and moved nothing (0, not its failed spans' sum): it is told
  // apart by its writes' write_spans (088), or by having no write.
  const OWN = 'if(empty(t.rs) AND (t.before_088 = 1 OR empty(t.w)), s.records, t.ro)';
  return `
    INSERT INTO weft_pairing_traces (trace_id, integration, service, instance, run_id, has_root, root_touch, domains, reads, writes, unknowns,
      spans, errors, failed, records, records_written, records_own, records_read, start, end, latency_ms, last_arrival, first_arrival, failed_writes,
      target_records, write_order, folded, spans_arrival, placed)
    SELECT s.trace_id, s.integration, s.service, s.instance, s.run_id, s.has_root, s.root_touch,
      t.ds, t.r, t.w, t.u, s.spans, s.errors, s.failed,
      -- Records by direction (OWN: see above).
      ${runRecordsSql('t.rw', OWN, 't.rr')}, t.rw, ${OWN}, t.rr,
      -- A run cannot end after it is paired: a trace that does was stamped by a clock ahead of the analyzer's, and is
      -- moved back by that much, so that it counts in the minute it ran and a flow's last run is never in the future.
      s.start - ${AHEAD}, s.end - ${AHEAD}, s.latency_ms, greatest(s.last_arrival, t.last_arrival), s.first_arrival,
      -- The write endpoints whose last write failed (an odd mark: end × 2 + 1 when it succeeded); none when its root span said Ok.
      if(s.root_ok = 1, [], arrayMap(k -> (k[1], k[2], k[3], k[4], k[5]), arrayMap(k -> splitByChar('\\x1f', k), arrayFilter((k, v) -> v % 2 = 0, t.wl.1, t.wl.2)))),
      -- The records reported by the spans that wrote each write endpoint (088; 0 for one whose writes reported none).
      arrayMap((k, n) -> ((k[1], k[2], k[3], k[4], k[5]), n), arrayMap(k -> splitByChar('\\x1f', k), t.wk), t.wn),
      -- The write endpoints in the order of their last write (089; of writes ending at once, a failed one first).
      arrayMap(k -> (k[1], k[2], k[3], k[4], k[5]), arrayMap(k -> splitByChar('\\x1f', k), arraySort((k, v) -> v, t.wl.1, t.wl.2))),
      s.folded, s.last_arrival,
      -- Placed by Weft's clock: its start moved by its senders' offsets (SENDER_SHIFT), and back so that it ends by the
      -- analyzer's clock (the clock parameter), which the windows it is counted in end at.
      s.placed_start - toIntervalMillisecond(greatest(0, dateDiff('millisecond', ${at('clock')}, s.placed_end)))
    FROM (
      SELECT trace_id, integration, any(service) AS service, max(inst) AS instance, max(run_id) AS run_id,
        max(is_root) AS has_root, if(has_root = 1, maxIf(is_call, is_root = 1), min(is_call)) AS root_touch,
        count() AS spans, countIf(is_error = 1) AS errors, sum(records) AS records, min(ts) AS start, max(end_ts) AS end,
        max(${WRAPPER}) AS wrapped,
        -- A root wrapper span whose status is Ok (set by the integration: final, OpenTelemetry's Set Status) did not fail.
        maxIf(is_ok, ${WRAPPER}) AS root_ok,
        -- The span that ended last, and its caller: a caller ends after its call, so a failed caller ending in the same
        -- millisecond as its call (a Kafka listener, an upsert step throwing on the answer at once) is the last word.
        argMaxIf((is_error, parent), (end_ts, ts, is_error = 0), NOT ${WRAPPER}) AS last_word,
        groupArrayIf(span_id, is_error = 1) AS failed_ids,
        toUInt8(root_ok = 0 AND (maxIf(is_error, ${WRAPPER}) = 1 OR last_word.1 = 1 OR (last_word.2 != '' AND has(failed_ids, last_word.2)))) AS failed,
        -- Without a root wrapper span: the largest spread of one service instance's spans (one clock each; the spread
        -- across instances measured their clocks' offset: a reader 3 minutes behind its writer made a 50 ms run 3 minutes).
        -- An instance is its service's (its clock, below): two services that send no instance attribute are two clocks.
        if(wrapped = 1, toFloat64(maxIf(dateDiff('millisecond', ts, end_ts), ${WRAPPER})),
          toFloat64(arrayMax(arrayMap((lo, hi) -> hi - lo,
            minMap([clock], [toUnixTimestamp64Milli(ts)]).2, maxMap([clock], [toUnixTimestamp64Milli(end_ts)]).2)))) AS latency_ms,
        max(arr_last) AS last_arrival, min(arr_first) AS first_arrival,
        min(ts + toIntervalMillisecond(shift)) AS placed_start, max(end_ts + toIntervalMillisecond(shift)) AS placed_end,
        -- The integrations it took spans from (a flow's unnamed calls, FLOW_OF_UNNAMED; nameless copies, COPIES): a unit
        -- paired under one of them is retracted.
        arrayFilter(i -> i != integration, groupUniqArrayArray(was)) AS folded
      FROM (
        SELECT trace_id, span_id, integration, argMin(service, ${FIRST_ROW}) AS service, argMin(instance, ${FIRST_ROW}) AS inst,
          -- Its clock: its service's instance. The instance alone is '' for every service whose resource names none: a
          -- dispatcher and a worker tagging one integration.flow, neither sending an instance, the worker's clock 5 minutes
          -- behind, made a 100 ms run 5 minutes.
          concat(service, '\\x1f', inst) AS clock,
          argMin(run_id, ${FIRST_ROW}) AS run_id, argMin(is_root, ${FIRST_ROW}) AS is_root, argMin(root_touch, ${FIRST_ROW}) AS is_call,
          argMin(is_error, ${FIRST_ROW}) AS is_error, argMin(is_ok, ${FIRST_ROW}) AS is_ok, argMin(records, ${FIRST_ROW}) AS records,
          -- a call's caller (a SERVER span's parent, kept since 135 to find a service's calls to itself, is not read here)
          argMin(if(call_kind = 3, '', parent_span_id), ${FIRST_ROW}) AS parent,
          min(ts) AS ts, max(end_ts) AS end_ts, max(arrived) AS arr_last, min(arrived) AS arr_first, groupUniqArray(was) AS was,
          argMin(shift, ${FIRST_ROW}) AS shift
        FROM (SELECT b.*, o.shift FROM (${SPANS_BY_FLOW(spans, joins)}) AS b LEFT JOIN (${SENDER_SHIFT}) AS o ON b.service = o.service AND b.instance = o.instance)
        GROUP BY trace_id, integration, span_id)
      GROUP BY trace_id, integration
    ) AS s
    LEFT JOIN (
      SELECT trace_id, integration, arraySort(groupUniqArrayArray(domains)) AS ds, groupUniqArrayArray(reads) AS r,
        groupUniqArrayArray(writes) AS w, groupUniqArrayArray(unknowns) AS u, max(arrived) AS last_arrival,
        -- (span id, direction, records) of the spans that reported records: a span re-exported counts once, also when
        -- the copies disagree on its records (a pipeline's processor changed them): the larger is kept. Copies stored by
        -- two inserts are told apart (span-copies.ts): a later one has no records left here (the first's count).
        arrayReverseSort(groupUniqArrayArray(record_spans)) AS rs_all,
        arrayFilter((x, i) -> i = 1 OR x.1 != tupleElement(rs_all[i - 1], 1) OR x.2 != tupleElement(rs_all[i - 1], 2), rs_all, arrayEnumerate(rs_all)) AS rs,
        maxMap(write_last) AS wl,
        -- (span id, write endpoint) of every write touch (088). A span that wrote moved its records to what it wrote,
        -- whichever of its touches carries them (a span naming both ends carries them on its read): they are written.
        groupUniqArrayArray(write_spans) AS ws, arrayDistinct(arrayMap(x -> x.1, ws)) AS wids,
        arraySum(x -> if(x.2 = 'write' OR has(wids, x.1), x.3, 0), rs) AS rw,
        arraySum(x -> if(x.2 = 'read' AND NOT has(wids, x.1), x.3, 0), rs) AS rr,
        arraySum(x -> if(x.2 NOT IN ('read', 'write') AND NOT has(wids, x.1), x.3, 0), rs) AS ro,
        -- Per write endpoint, the records of the spans that wrote it (0: its writes reported none). A touch set stored
        -- before 088 has writes and no write_spans: then none (the trace's records stay on every edge, as they were).
        max(notEmpty(writes) AND empty(write_spans)) AS before_088,
        if(before_088 = 1, [], arrayDistinct(arrayMap(x -> x.2, ws))) AS wk,
        arrayMap(k -> arraySum(x -> if(x.2 = k, arraySum(r -> if(r.1 = x.1, r.3, 0), rs), 0), ws), wk) AS wn
      FROM (${touchSetsByFlow(src, segmented, taken, joins)})
      GROUP BY trace_id, integration
    ) AS t ON s.trace_id = t.trace_id AND s.integration = t.integration`;
}

/**
 * A trace that is one piece of a run: no run id, its root is itself a call (no wrapper span) — or, when its root
 * never arrived (a parent id that points at a span never sent), every span of it is a call — and it does not both
 * read and write.
 */
const FRAGMENT = "(run_id = '' AND root_touch = 1 AND NOT (notEmpty(reads) AND notEmpty(writes)))";
const SETTLED = `(last_arrival < ${at('cut')})`;
/** A trace paired in a run rather than alone: it names a run (integration.run.id), or it is a fragment. */
const PIECE = `(run_id != '' OR ${FRAGMENT})`;
/**
 * A trace whose root span has arrived is complete, and is paired before the late-arrival window ends, once no span of
 * it has arrived for this long (ms; the window, when shorter): spans of the same trace from other processes come in
 * their own exporters' batches (the SDK exports every 5 s by default), and pairing on the root's arrival alone made a
 * read-only half of a run, an undocumented flow that opened and resolved seconds later.
 */
export const COMPLETE_GRACE_MS = 15_000;
const COMPLETE = `(has_root = 1 AND last_arrival < ${at('completeCut')})`;

/**
 * A unit's shape (migrations 086–089): a hash of the endpoints it read and wrote, the targets whose last write failed,
 * whether it failed, whether its records are per target, which targets' writes reported records and the order of its
 * last writes — what decides each of its edge rows — so every edge row of one shape holds the same units.
 * The ledger keeps each unit's shape, and a retraction hits the rows its addition made.
 */
const RUN_SHAPE_OF_UNIT =
  'cityHash64(arraySort(reads), arraySort(writes), arraySort(failed_writes), failed, notEmpty(target_records), arraySort(arrayMap(x -> x.1, arrayFilter(x -> x.2 > 0, target_records))), write_order)';

/**
 * Whether a unit failed on its edge to `tgt` (087): its last write to that target failed; or it failed and no target's
 * last write did (its root span failed, or a read: every edge fails); an edge with no target fails with its run.
 */
const EDGE_FAILED = `if(tgt = ${EMPTY}, u_failed, if(has(u_failed_writes, tgt) OR (u_failed = 1 AND empty(u_failed_writes)), 1, 0))`;

/**
 * A unit's records on its edge to `tgt` (088): what it wrote to that target when its records are its writes' (they
 * are kept per target), else its records (its root span's or its reads': the same on every edge).
 */
const EDGE_RECORDS = 'if(empty(u_target_records), u_records, arraySum(x -> if(x.1 = tgt, x.2, 0), u_target_records) AS u_to_tgt)';

/**
 * A unit's fallback on its edge to `tgt` (088): its `records_fallback` when its records are per target, its writes to
 * `tgt` reported none (`u_to_tgt`, defined once in EDGE_RECORDS) and its last write to `tgt` did not fail (a failed
 * write moved nothing); else 0.
 */
const EDGE_FALLBACK = `if(notEmpty(u_target_records) AND u_to_tgt = 0 AND NOT has(u_failed_writes, tgt), u_fallback, 0)`;

/**
 * Rows of weft_flow_edges_1m for units (`sign` 1: add, from the work table; -1: retract, from the ledger with the shape
 * it kept; counts negated modulo 2^64 and neutral times), in the table's column order.
 */
function edgesSelect(from: string, sign: 1 | -1): string {
  const n = (expr: string) => (sign === 1 ? expr : `toUInt64(-toInt64(${expr}))`);
  const latency = sign === 1 ? 'latency_ms' : 'toFloat64(0)';
  return `
    SELECT minute, integration, service, domain,
      src.1 AS src_kind, src.2 AS src_sys, src.3 AS src_host, src.4 AS src_name, src.5 AS src_peer,
      tgt.1 AS tgt_kind, tgt.2 AS tgt_sys, tgt.3 AS tgt_host, tgt.4 AS tgt_name, tgt.5 AS tgt_peer,
      ${n('count()')} AS traces, ${n(`countIf(${EDGE_FAILED} = 1)`)} AS failed_traces, ${n('sum(u_errors)')} AS error_spans, ${n(`sum(${EDGE_RECORDS})`)} AS records,
      ${sign === 1 ? 'quantilesTDigestState(0.5, 0.95, 0.99)(u_latency)' : 'quantilesTDigestStateIf(0.5, 0.95, 0.99)(u_latency, 0)'} AS latency,
      ${sign === 1 ? 'min(u_start)' : "toDateTime64('2299-12-31 00:00:00', 3, 'UTC')"} AS first_seen,
      ${sign === 1 ? 'max(u_end)' : "toDateTime64(0, 3, 'UTC')"} AS last_seen,
      ${sign === 1 ? 'max(u_traces[1])' : "''"} AS sample_trace,
      ${sign === 1 ? `maxIf(u_traces[1], ${EDGE_FAILED} = 1)` : "''"} AS sample_error_trace,
      ${sign === 1 ? 'max((u_latency, u_traces[1]))' : "(toFloat64(0), '')"} AS sample_slow,
      shape, max(notEmpty(u_target_records)) AS records_per_target, ${n(`sum(${EDGE_FALLBACK})`)} AS records_fallback,
      max(indexOf(u_write_order, tgt)) AS write_rank,
      ${sign === 1 ? 'max(u_arrived)' : "toDateTime64(0, 3, 'UTC')"} AS last_arrived
    FROM (
      SELECT minute, integration, service, domain, reads, writes, failed AS u_failed, failed_writes AS u_failed_writes, errors AS u_errors,
        records AS u_records, target_records AS u_target_records, records_fallback AS u_fallback, write_order AS u_write_order, start AS u_start, end AS u_end, ${latency} AS u_latency,
        arrayMap(x -> ${rawTraceSql('x')}, traces) AS u_traces,
        ${sign === 1 ? 'arrived' : "toDateTime64(0, 3, 'UTC')"} AS u_arrived,
        ${sign === 1 ? RUN_SHAPE_OF_UNIT : 'shape'} AS shape
      FROM (${from}))
    ARRAY JOIN if(empty(reads), [${EMPTY}], reads) AS src
    ARRAY JOIN if(empty(writes), [${EMPTY}], writes) AS tgt
    GROUP BY minute, integration, service, domain, src, tgt, shape`;
}

/** The pairing state: how far pairing got, since when Weft receives spans, and what waits to be paired. */
export async function pairingState(store: Store): Promise<PairingState> {
  const rows = await store.client
    .query({
      query: `SELECT toUnixTimestamp64Milli(settled_before) AS until, toUnixTimestamp64Milli(observing_since) AS since, at, pending_traces, pending_spans
        FROM weft_pairing_runs ORDER BY at DESC LIMIT 1`,
      format: 'JSONEachRow',
    })
    .then((r) =>
      r.json<{ until: number | string; since: number | string | null; at: string; pending_traces: number | string; pending_spans: number | string }>(),
    );
  const last = rows[0];
  const after = await store.client
    .query({
      query: `SELECT uniqExact(trace_id) AS traces, count() AS spans FROM weft_trace_spans WHERE arrived > ${last ? at('at') : "toDateTime64(0, 3, 'UTC')"}`,
      query_params: last ? { at: last.at } : {},
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ traces: number | string; spans: number | string }>());
  const observing = last?.since ?? null;
  return {
    pairedUntil: last ? new Date(Number(last.until)) : undefined,
    lastRunAt: last ? new Date(fromChTime(last.at)) : undefined,
    observingSince: observing !== null ? new Date(Number(observing)) : undefined,
    pending: {
      traces: Number(last?.pending_traces ?? 0) + Number(after[0]?.traces ?? 0),
      spans: Number(last?.pending_spans ?? 0) + Number(after[0]?.spans ?? 0),
    },
  };
}

/** How traces are paired (ms): the late-arrival window (`--late-arrival`) and the run gap (`--run-gap`). */
export interface PairingWindows {
  lateMs: number;
  runGapMs: number;
}

/** The late-arrival window of `weft start` when none is given (ms; the demo's is shorter). */
const DEFAULT_LATE_MS = parseDuration(DEFAULT_LATE_ARRIVAL);

/**
 * The windows the store's last recording pairing run used (migration 091: a Weft's analyzer records them, an audit does
 * not), each null when none is kept: a store never paired by a Weft since 091, or not for the 7 days runs are kept.
 * Throws what the store throws.
 */
export async function lastPairingWindows(store: Store): Promise<{ lateMs: number | null; runGapMs: number | null }> {
  const rows = await store.client
    .query({
      query: 'SELECT late_ms, run_gap_ms FROM weft_pairing_runs WHERE late_ms IS NOT NULL AND run_gap_ms IS NOT NULL ORDER BY at DESC LIMIT 1',
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ late_ms: number | string | null; run_gap_ms: number | string | null }>());
  const known = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { lateMs: known(rows[0]?.late_ms), runGapMs: known(rows[0]?.run_gap_ms) };
}

/** Where a window a stopped store was paired with came from: given (flag or variable), recorded by its Weft, the default. */
export type WindowSource = 'given' | 'recorded' | 'default';

/** What `pairStoppedStore` did: the windows it used and where each came from, what its Weft recorded, and the run. */
export interface StoppedPairing {
  windows: PairingWindows;
  sources: { lateMs: WindowSource; runGapMs: WindowSource };
  /** The windows the store's Weft last recorded (null: none kept). */
  recorded: { lateMs: number | null; runGapMs: number | null };
  result: PairingResult;
}

/**
 * Pairs what a stopped Weft's embedded store had not paired yet, as its analyzer would have (so a report or an audit
 * of the store finds the runs Weft found), a complete trace (its root arrived) at once: nothing more reaches a stopped
 * Weft. Each window is the one `given`, else the one its Weft last recorded (`lastPairingWindows`), else `weft start`'s
 * default; what is paired is not paired again, so the windows matter once, and this run records none. Never on a
 * ClickHouse server, where a running analyzer pairs (pairing twice would count traces twice). Throws what the store
 * throws.
 */
export async function pairStoppedStore(store: Store, now: Date, given: Partial<PairingWindows> = {}): Promise<StoppedPairing> {
  const recorded = await lastPairingWindows(store);
  const pick = (g: number | undefined, r: number | null, fallback: number): [number, WindowSource] =>
    g !== undefined ? [g, 'given'] : r !== null ? [r, 'recorded'] : [fallback, 'default'];
  const [lateMs, lateFrom] = pick(given.lateMs, recorded.lateMs, DEFAULT_LATE_MS);
  const [runGapMs, gapFrom] = pick(given.runGapMs, recorded.runGapMs, DEFAULT_RUN_GAP_MS);
  const result = await runPairing(store, now, lateMs, { runGapMs, completeGraceMs: 0, recordWindows: false });
  return { windows: { lateMs, runGapMs }, sources: { lateMs: lateFrom, runGapMs: gapFrom }, recorded, result };
}

/** Whether a stopped store's pairing run changed anything (paired or retracted a unit): only then do its windows matter. */
const pairedAnything = (p: StoppedPairing) => p.result.paired + p.result.retracted > 0;

/** What an audit or a report states of a stopped store's pairing (its windows and where each came from): undefined when it paired nothing. */
export const statedPairing = (p: StoppedPairing): Omit<StoppedPairing, 'result'> | undefined =>
  pairedAnything(p) ? { windows: p.windows, sources: p.sources, recorded: p.recorded } : undefined;

export { describeStoppedPairing } from './stopped-pairing-text.ts';

/** How far (arrival time) traces have been paired into flow edges; undefined before the first run. */
export async function watermark(store: Store): Promise<Date | undefined> {
  return (await pairingState(store)).pairedUntil;
}

export interface PairingOptions {
  /** Gap allowed between a run's reads and its write when the integration loses trace context (ms). */
  runGapMs?: number;
  /** How long a complete trace (its root arrived) waits for more spans before it is paired (ms; default COMPLETE_GRACE_MS, at most lateMs). */
  completeGraceMs?: number;
  /**
   * How much further apart than the run gap (ms) two processes' spans of one trace may arrive and be one run (default
   * EXPORT_SPREAD_MS, trace-segments.ts): each exports on its own timer. Tests that stand runs minutes apart in for
   * arrivals a second apart give 0.
   */
  exportSpreadMs?: number;
  /** The wall clock arrival stamps are compared with (default: now); tests with a fake analyzer clock keep the real one. */
  wallNow?: Date;
  /**
   * Record the windows with the run (migration 091; default true): they are what a stopped store is paired with later
   * (`pairStoppedStore`). An audit's or a report's own run records none, so a window given once does not become the store's.
   */
  recordWindows?: boolean;
}

/**
 * Pairs what arrived into per-minute flow edges. A trace of an integration is paired once no span of
 * it has arrived for `lateMs` (arrival time, whatever its timestamps say), or, when its root span has
 * arrived (a complete trace: fast first sight), once none has for COMPLETE_GRACE_MS; spans arriving later re-pair it. Traces that
 * are pieces of one run (no trace context: see run-boundaries.ts) are paired as that run. Each unit's
 * contribution is kept in weft_pairing_ledger: re-pairing retracts the old contribution and adds the
 * new one, and an identical contribution (a re-export, a spool replay) changes nothing.
 * Reads only what arrived since the last run (plus the traces it names), so its cost follows the
 * ingest rate, not the history stored. `now` is the analyzer's clock.
 */
export async function runPairing(store: Store, now: Date, lateMs: number, options: PairingOptions = {}): Promise<PairingResult> {
  const gapMs = options.runGapMs ?? DEFAULT_RUN_GAP_MS;
  const traceCut: TraceCut = { gapMs, spreadMs: options.exportSpreadMs ?? EXPORT_SPREAD_MS, clock: toChTime(now) };
  const c = store.client;
  const json = jsonOf(store);
  // A run staged whole and not published (its publishing failed, or the process stopped in it) is published first, as
  // it would have been; what a run staged before it failed is dropped (staged-writes.ts).
  await finishStaged(store);
  // Settled: no span arrived for lateMs of real time (arrival stamps are the store's clock at insert).
  // (An analyzer clock ahead of the wall clock — a test looking into the future — counts as later.)
  const wall = Math.max((options.wallNow ?? new Date()).getTime(), now.getTime());
  const cut = toChTime(new Date(wall - lateMs));
  const completeCut = toChTime(new Date(wall - Math.min(lateMs, options.completeGraceMs ?? COMPLETE_GRACE_MS)));
  const pairedUntil = toChTime(new Date(now.getTime() - lateMs));

  // Before reading: the store's time, and the start of any insert still running (its rows are stamped
  // with its start but show only when it ends), on any node that answers (a node that is down runs no insert).
  // Next time looks again from the earlier of the two.
  const [clock] = await json<{ t0: string; inserts: number | string; oldest: string }>(
    `SELECT now64(3, 'UTC') AS t0, countIf(query_kind = 'Insert') AS inserts,
       minIf(now64(3, 'UTC') - toIntervalMillisecond(toUInt64(elapsed * 1000)), query_kind = 'Insert') AS oldest
     FROM ${onEveryNode(store, 'system.processes')} SETTINGS skip_unavailable_shards = 1`,
  );
  const visibleUntil = Number(clock.inserts) > 0 && clock.oldest < clock.t0 ? clock.oldest : clock.t0;
  const [prev] = await json<{ frontier: string; newest: string; since: string | null }>(
    'SELECT frontier, newest, observing_since AS since FROM weft_pairing_runs ORDER BY at DESC LIMIT 1',
  );
  const [span] = await json<{ newest: string; oldest: string; n: number | string }>(
    `SELECT max(arrived) AS newest, min(arrived) AS oldest, count() AS n FROM weft_trace_spans ${prev ? `WHERE arrived >= ${at('frontier')}` : ''}`,
    prev ? { frontier: prev.frontier } : {},
  );
  const hasNew = Number(span?.n ?? 0) > 0;
  const newest = hasNew ? fromChTime(span.newest) : null;
  // With nothing new the frontier moves up to the settled cut, but never past the store's own clock: spans
  // are stamped by the store, and an analyzer clock ahead of it (another host's clock, a test looking into
  // the future) would otherwise move the frontier past spans that have not arrived yet, and they would
  // never be read.
  const floor = newest ? toChTime(new Date(Date.parse(newest) - MAX_SCAN_MS)) : cut < visibleUntil ? cut : visibleUntil;
  const frontier = prev && prev.frontier > floor ? prev.frontier : floor;
  // Coverage starts when the first span arrived (or at this run, on an analyzer clock behind it) — never a span's own time.
  const firstSeen = hasNew ? (span.oldest < toChTime(now) ? span.oldest : toChTime(now)) : null;
  const observingSince = prev?.since ?? firstSeen;

  await emptyTable(store, 'weft_pairing_traces');
  await emptyTable(store, 'weft_pairing_work');
  let segmented = false;
  if (hasNew) {
    // The few traces that also have rows from before the frontier (a late span of an earlier trace). Each view of an
    // insert stamps its own now64(), milliseconds apart and in no set order: the index is asked with a margin.
    const older = (
      await json<{ trace_id: string }>(
        `SELECT trace_id FROM weft_trace_index WHERE first_arrived < ${at('frontier')} + toIntervalSecond(5) AND trace_id IN (SELECT trace_id FROM weft_trace_spans WHERE arrived >= ${at('frontier')})`,
        { frontier },
      )
    ).map((r) => r.trace_id);
    segmented = await insertTraces(
      store,
      { since: 'frontier', older: older.length > 0 },
      { frontier, older, now: toChTime(new Date(wall)), clock: toChTime(now) },
      traceCut,
    );
  }
  // A unit whose spans all arrived after the last run's newest arrival was never paired: no ledger lookup for it.
  const knownSince = prev?.newest ?? toChTime(new Date(0));

  // Units that are one trace of one integration: settled, or complete (their root span has arrived).
  await c.command({
    query: `INSERT INTO weft_pairing_work (unit, grp, minute, integration, service, domain, reads, writes, failed, errors, records, start, end, latency_ms, traces,
        failed_writes, target_records, records_fallback, write_order, known, arrived)
      SELECT concat('t:', trace_id, ':', integration), '', toStartOfMinute(placed), integration, service, if(empty(domains), '', domains[1]),
        arraySort(reads), arraySort(writes), failed, errors, records, start, end, latency_ms, [trace_id], arraySort(failed_writes),
        if(records_written > 0, arraySort(target_records), []), ${recordsFallbackSql('records_written', 'records_own', 'records_read')}, write_order, first_arrival <= ${at('known')},
        last_arrival
      FROM weft_pairing_traces
      WHERE NOT ${PIECE} AND (${SETTLED} OR ${COMPLETE}) AND (notEmpty(reads) OR notEmpty(writes))`,
    query_params: { cut, completeCut, known: knownSince },
  });

  const [waiting] = await json<{
    pt: number | string;
    ps: number | string;
    ut: number | string;
    us: number | string;
    oldest: string | null;
    unsettled: number | string;
  }>(
    `SELECT uniqExactIf(${rawTraceSql('trace_id')}, NOT ${SETTLED} AND NOT (${COMPLETE} AND NOT ${FRAGMENT})) AS pt, sumIf(spans, NOT ${SETTLED} AND NOT (${COMPLETE} AND NOT ${FRAGMENT})) AS ps,
       uniqExactIf(${rawTraceSql('trace_id')}, ${SETTLED} AND empty(reads) AND empty(writes) AND notEmpty(unknowns)) AS ut,
       sumIf(spans, ${SETTLED} AND empty(reads) AND empty(writes) AND notEmpty(unknowns)) AS us,
       minIf(spans_arrival, NOT ${SETTLED}) AS oldest, countIf(NOT ${SETTLED}) AS unsettled
     FROM weft_pairing_traces`,
    { cut, completeCut },
  );
  // The units a trace was paired as under an integration its unnamed spans no longer take (FLOW_OF_UNNAMED: the wrapper
  // span naming their flow arrived after them), with the trace and the integration it is paired as now. Read before
  // pairRuns, which may refill weft_pairing_traces with the earlier pieces of a run.
  // Only traces with spans that arrived before the last run can have been paired before: a trace seen whole for the
  // first time (most, where every run has its wrapper) lists none, so what is passed stays small.
  const folded = await json<{ unit: string; trace_id: string; integration: string }>(
    `SELECT concat('t:', trace_id, ':', f) AS unit, trace_id, integration FROM weft_pairing_traces ARRAY JOIN folded AS f
     WHERE first_arrival <= ${at('known')}`,
    { known: knownSince },
  );
  // A trace cut into runs (`cutTraces`) is paired as each run (`t:<trace id>@<ms>:<integration>`), kept in
  // weft_pairing_pieces by trace id: when a trace paired before is read again, whatever it was paired as — whole (before
  // a second run arrived), or runs it is no longer cut into (its root arrived; a late span joined two) — is retracted
  // unless it is paired again as it was. Read before pairRuns, which may refill weft_pairing_traces.
  if (segmented) {
    await c.command({
      query: `INSERT INTO weft_pairing_pieces (trace_id, unit, paired_at)
      SELECT ${rawTraceSql('traces[1]')}, unit, ${at('at')} FROM weft_pairing_work WHERE grp = '' AND position(traces[1], '@') > 0`,
      query_params: { at: toChTime(new Date(wall)) },
    });
  }
  const recut = (
    await json<{ unit: string }>(
      `SELECT DISTINCT unit FROM weft_pairing_pieces
       WHERE trace_id IN (SELECT ${rawTraceSql('trace_id')} FROM ${scratch('weft_pairing_traces')} WHERE first_arrival <= ${at('known')}) AND startsWith(unit, 't:')
       UNION DISTINCT
       SELECT DISTINCT concat('t:', ${rawTraceSql('trace_id')}, ':', integration) FROM weft_pairing_traces WHERE position(trace_id, '@') > 0`,
      { known: knownSince },
    )
  ).map((r) => r.unit);
  // Runs of several traces (integration.run.id, or pieces of one run without trace context), settled.
  const runs = await pairRuns(store, json, cut, traceCut, toChTime(new Date(wall)), toChTime(now));
  const { deferred } = runs;
  const scope = [...new Set([...runs.scope, ...recut])];

  const params = { cut, scope, fu: folded.map((f) => f.unit), ft: folded.map((f) => f.trace_id), fi: folded.map((f) => f.integration) };
  // Ledger rows are looked up by unit (its sort key), never scanned whole.
  // A unit a trace was paired as under an integration its unnamed spans no longer take (`folded`) is touched once the
  // trace is paired again under its flow, as a trace or in a run (a wrapper span with integration.run.id), and retracted.
  const touched = `unit IN (SELECT unit FROM weft_pairing_work WHERE known = 1 UNION ALL SELECT arrayJoin({scope:Array(String)})
    UNION ALL SELECT f.1 FROM (SELECT arrayJoin(arrayZip({fu:Array(String)}, {ft:Array(String)}, {fi:Array(String)})) AS f)
      WHERE (f.2, f.3) IN (SELECT arrayJoin(traces), integration FROM weft_pairing_work))`;
  const changed =
    '(known = 0 OR (unit, digest) NOT IN (SELECT unit, digest FROM weft_pairing_ledger FINAL WHERE active = 1 AND unit IN (SELECT unit FROM weft_pairing_work WHERE known = 1)))';
  const stale = `active = 1 AND ${touched} AND (unit, digest) NOT IN (SELECT unit, digest FROM weft_pairing_work)`;
  const [counts] = await json<{ paired: number | string; retracted: number | string }>(
    `SELECT (SELECT count() FROM weft_pairing_work WHERE ${changed}) AS paired, (SELECT count() FROM weft_pairing_ledger FINAL WHERE ${stale}) AS retracted`,
    params,
  );
  const version = Date.now();
  if (Number(counts.retracted) > 0) {
    await c.command({
      query: `INSERT INTO ${staged('weft_flow_edges_1m')} ${edgesSelect(`SELECT * FROM weft_pairing_ledger FINAL WHERE ${stale}`, -1)}`,
      query_params: params,
    });
  }
  if (Number(counts.paired) > 0) {
    await c.command({
      query: `INSERT INTO ${staged('weft_flow_edges_1m')} ${edgesSelect(`SELECT * FROM weft_pairing_work WHERE ${changed}`, 1)}`,
      query_params: params,
    });
  }
  if (Number(counts.retracted) > 0 || Number(counts.paired) > 0) {
    // Retracted units not recomputed become inactive; changed ones take their new contribution.
    await c.command({
      query: `INSERT INTO ${staged('weft_pairing_ledger')} (unit, grp, active, digest, minute, integration, service, domain, reads, writes, failed, errors, records,
          start, end, traces, paired_at, version, failed_writes, shape, target_records, records_fallback, write_order)
        SELECT unit, grp, 0, digest, minute, integration, service, domain, reads, writes, failed, errors, records, start, end, traces, now64(3), {version:UInt64},
          failed_writes, shape, target_records, records_fallback, write_order
        FROM weft_pairing_ledger FINAL WHERE ${stale} AND unit NOT IN (SELECT unit FROM weft_pairing_work)
        UNION ALL
        SELECT unit, grp, 1, digest, minute, integration, service, domain, reads, writes, failed, errors, records, start, end, traces, now64(3), {version:UInt64},
          failed_writes, ${RUN_SHAPE_OF_UNIT}, target_records, records_fallback, write_order
        FROM weft_pairing_work WHERE ${changed}`,
      query_params: { ...params, version },
    });
  }

  // Next time, look again from the oldest trace still inside its window, or from just before the newest arrival.
  const unsettled = Number(waiting?.unsettled ?? 0) > 0;
  // Everything stamped before `visibleUntil` was visible to this run; what is stamped later is read next time.
  let next = newest ? toChTime(new Date(Date.parse(newest) + 1)) : frontier;
  if (visibleUntil < next) next = visibleUntil;
  // Traces still waiting (inside their window, or reads held back for a write that may still come) are
  // looked at again: from a second before their spans' last arrival (their span rows' stamps differ by a millisecond or
  // so) — not their touch sets', which may be stamped seconds later (099): the run reads spans from there.
  const waitingSince = [
    unsettled && waiting.oldest ? Date.parse(fromChTime(waiting.oldest)) : Infinity,
    ...deferred.map((d) => d.spansArrivedMs ?? d.arrivedMs),
  ];
  const earliest = Math.min(...waitingSince);
  if (Number.isFinite(earliest) && toChTime(new Date(earliest - 1000)) < next) next = toChTime(new Date(earliest - 1000));
  if (next < frontier) next = frontier;
  const result: PairingResult = {
    settledBefore: fromChTime(pairedUntil),
    frontier: fromChTime(next),
    paired: Number(counts.paired),
    retracted: Number(counts.retracted),
    pending: { traces: Number(waiting?.pt ?? 0) + deferred.length, spans: Number(waiting?.ps ?? 0) + deferred.reduce((n, d) => n + (d.spans ?? 1), 0) },
    unplaced: { traces: Number(waiting?.ut ?? 0), spans: Number(waiting?.us ?? 0) },
    observingSince: observingSince ? fromChTime(observingSince) : null,
  };
  // The run's own row, staged last (the run is staged whole), then everything it staged published (staged-writes.ts).
  await stageRun(store, newBatch(), {
    at: toChTime(now),
    settled_before: pairedUntil,
    frontier: next,
    newest: newest ? toChTime(new Date(Date.parse(newest))) : (prev?.newest ?? toChTime(new Date(0))),
    units_paired: result.paired,
    units_retracted: result.retracted,
    pending_traces: result.pending.traces,
    pending_spans: result.pending.spans,
    unplaced_traces: result.unplaced.traces,
    unplaced_spans: result.unplaced.spans,
    observing_since: observingSince,
    late_ms: options.recordWindows === false ? null : lateMs,
    run_gap_ms: options.recordWindows === false ? null : gapMs,
  });
  await publish(store);
  return result;
}

type Json = <T>(query: string, params?: Record<string, unknown>) => Promise<T[]>;

/** Runs a query on `store` with its parameters and returns its rows (JSONEachRow). Rejects with the engine's error. */
function jsonOf(store: Store): Json {
  return <T>(query: string, params: Record<string, unknown> = {}) =>
    store.client.query({ query, query_params: params, format: 'JSONEachRow' }).then((r) => r.json<T>());
}

interface TraceRow {
  trace_id: string;
  integration: string;
  service: string;
  instance: string;
  run_id: string;
  domains: string[];
  reads: string[][];
  writes: string[][];
  failed_writes: string[][];
  target_records: [string[], number | string][];
  write_order: string[][];
  errors: number | string;
  failed: number | string;
  records_written: number | string;
  records_own: number | string;
  records_read: number | string;
  spans: number | string;
  start: string;
  end: string;
  last_arrival: string;
  spans_arrival: string;
  placed: string;
}

const toFragment = (r: TraceRow): FragmentTrace => ({
  traceId: r.trace_id,
  integration: r.integration,
  service: r.service,
  instance: r.instance,
  runId: r.run_id,
  domains: r.domains,
  reads: r.reads.map((t) => t.join('\u001f')),
  writes: r.writes.map((t) => t.join('\u001f')),
  failedWrites: r.failed_writes.map((t) => t.join('\u001f')),
  targetRecords: r.target_records.map(([t, n]) => [t.join('\u001f'), Number(n)]),
  writeOrder: r.write_order.map((t) => t.join('\u001f')),
  errors: Number(r.errors),
  failed: Number(r.failed) === 1,
  records: { written: Number(r.records_written), own: Number(r.records_own), read: Number(r.records_read) },
  startMs: Date.parse(fromChTime(r.start)),
  endMs: Date.parse(fromChTime(r.end)),
  arrivedMs: Date.parse(fromChTime(r.last_arrival)),
  spansArrivedMs: Date.parse(fromChTime(r.spans_arrival)),
  placedMs: Date.parse(fromChTime(r.placed)),
  spans: Number(r.spans),
});

const TRACE_COLUMNS =
  'trace_id, integration, service, instance, run_id, domains, reads, writes, failed_writes, target_records, write_order, errors, failed, records_written, records_own, records_read, spans, start, end, last_arrival, spans_arrival, placed';

/** A ledger unit as `pairRuns` reads it. */
const toLedgerUnit = (u: { unit: string; grp: string; traces: string[]; start: string; end: string }): LedgerUnit => ({
  unit: u.unit,
  grp: u.grp,
  traces: u.traces,
  startMs: Date.parse(fromChTime(u.start)),
  endMs: Date.parse(fromChTime(u.end)),
});

/**
 * Pairs the settled traces that are pieces of a run, together with the pieces of the same runs paired
 * before (found through the ledger); returns the ledger units it recomputed (the scope to retract from). `wallAt`: the
 * pairing's clock (a trace ending after it is moved back, as in `tracesInsert`).
 */
async function pairRuns(
  store: Store,
  json: Json,
  cut: string,
  traceCut: TraceCut,
  wallAt: string,
  clock: string,
): Promise<{ scope: string[]; deferred: FragmentTrace[] }> {
  const { gapMs } = traceCut;
  const fresh = (await json<TraceRow>(`SELECT ${TRACE_COLUMNS} FROM weft_pairing_traces WHERE ${PIECE} AND ${SETTLED}`, { cut })).map(toFragment);
  // Pieces that left the run they were paired in: the trace's root (a wrapper span, exported when a job longer than the
  // late-arrival window ends, after its calls) arrived, and the trace is now paired as a trace of its own (already in the
  // work table) or in a run its wrapper names; or a later span named another run id. The runs they left are paired
  // again without them; a trace still a piece of that run is read back as one and stays.
  const leaving = [
    ...new Set([
      ...(await json<{ id: string }>("SELECT DISTINCT arrayJoin(traces) AS id FROM weft_pairing_work WHERE known = 1 AND grp = ''")).map((r) => r.id),
      ...fresh.filter((f) => f.runId).map((f) => f.traceId),
    ]),
  ];
  const left =
    leaving.length === 0
      ? []
      : (
          await json<{ unit: string; grp: string; traces: string[]; start: string; end: string }>(
            // A trace paired whole may have been cut into runs before (`<trace id>@<ms>`: its calls arrived minutes apart
            // without their root): the units of those runs leave too.
            `SELECT unit, grp, traces, start, end FROM weft_pairing_ledger FINAL
             WHERE unit IN (SELECT unit FROM weft_pairing_pieces WHERE trace_id IN (SELECT arrayJoin({ids:Array(String)}))
                              OR (position(trace_id, '@') > 0 AND ${rawTraceSql('trace_id')} IN (SELECT arrayJoin({ids:Array(String)}))))
               AND active = 1 AND arrayExists(x -> has({ids:Array(String)}, x) OR has({ids:Array(String)}, ${rawTraceSql('x')}), traces)`,
            { ids: leaving },
          )
        ).map(toLedgerUnit);
  if (fresh.length === 0 && left.length === 0) return { scope: [], deferred: [] };
  const groups = [...new Set([...fresh.map(groupKey), ...left.map((u) => u.grp)])];
  // The runs paired before that a piece may join: those of its group within the run gap of it. Not every run of the
  // group from the earliest piece to the latest: a piece from a sender whose clock is days behind, beside one of now,
  // made that every run the ledger holds (3 days), each paired again from its arrival rows, which are kept 2 days (a
  // run whose rows had expired was paired again with nothing and taken back out of its flow's edges).
  const near = [...fresh.map((f) => [groupKey(f), f.startMs, f.endMs] as const), ...left.map((u) => [u.grp, u.startMs, u.endMs] as const)];
  const ledger = (
    await json<{ unit: string; grp: string; traces: string[]; start: string; end: string }>(
      `SELECT unit, grp, traces, start, end FROM weft_pairing_ledger FINAL
       WHERE active = 1 AND has({groups:Array(String)}, grp) AND (startsWith(grp, 'run:')
         OR arrayExists((g, lo, hi) -> g = grp AND end >= fromUnixTimestamp64Milli(lo) AND start <= fromUnixTimestamp64Milli(hi),
              {near_groups:Array(String)}, {near_lo:Array(Int64)}, {near_hi:Array(Int64)}))`,
      {
        groups,
        near_groups: near.map(([g]) => g),
        near_lo: near.map(([, start]) => start - gapMs),
        near_hi: near.map(([, , end]) => end + gapMs),
      },
    )
  ).map(toLedgerUnit);
  const known = new Set(fresh.map((f) => f.traceId));
  const missing = [...new Set([...ledger.flatMap((u) => u.traces).filter((t) => !known.has(t)), ...left.flatMap((u) => u.traces)])];
  let earlier: FragmentTrace[] = [];
  if (missing.length > 0) {
    await emptyTable(store, 'weft_pairing_traces');
    const raw = [...new Set(missing.map(rawTraceId))];
    await insertTraces(store, { ids: 'SELECT arrayJoin({ids:Array(String)})' }, { ids: raw, now: wallAt, clock }, traceCut);
    // Only what is still a piece: a trace whose root arrived since is paired as a trace, not in its instance's run. Of a
    // trace cut into runs, only the runs asked for: its other runs are fresh, or not settled yet.
    const asked = new Set(missing);
    earlier = (await json<TraceRow>(`SELECT ${TRACE_COLUMNS} FROM weft_pairing_traces WHERE ${PIECE}`))
      .map(toFragment)
      .filter((f) => asked.has(f.traceId) && groups.includes(groupKey(f)));
  }
  const { units, scope, deferred } = fragmentUnits(
    fresh,
    earlier,
    ledger,
    gapMs,
    Date.parse(fromChTime(cut)) - gapMs,
    left.map((u) => u.grp),
  );
  if (units.length > 0) {
    await store.client.insert({ table: 'weft_pairing_work', values: units.map(unitRow), format: 'JSONEachRow' });
    // Every run's traces (of an instance, or of a run id), found by trace when one of them leaves it.
    const pieces = units.flatMap((u) => u.traces.map((t) => ({ trace_id: t, unit: u.unit, paired_at: wallAt })));
    if (pieces.length > 0) await store.client.insert({ table: 'weft_pairing_pieces', values: pieces, format: 'JSONEachRow' });
  }
  // A unit left with no piece (its only trace left) is in no recomputed group's range: retracted by name. So is the unit
  // a piece was paired as when it was a trace of its own (`t:`): a late span gave it a run id, and it was counted twice,
  // as that trace and in its run.
  const asTraces = fresh.map((f) => `t:${f.traceId}:${f.integration}`);
  return { scope: [...new Set([...scope, ...left.map((u) => u.unit), ...asTraces])], deferred };
}

function unitRow(u: PairingUnit) {
  const tuple = (key: string) => key.split('\u001f');
  return {
    unit: u.unit,
    grp: u.grp,
    minute: toChTime(new Date(Math.floor((u.placedMs ?? u.startMs) / 60_000) * 60_000)).slice(0, 19),
    integration: u.integration,
    service: u.service,
    domain: u.domain,
    reads: [...u.reads].sort().map(tuple),
    writes: [...u.writes].sort().map(tuple),
    failed_writes: [...u.failedWrites].sort().map(tuple),
    target_records: u.targetRecords.map(([k, n]) => [tuple(k), n]),
    records_fallback: u.recordsFallback,
    write_order: u.writeOrder.map(tuple),
    failed: u.failed ? 1 : 0,
    errors: u.errors,
    records: u.records,
    start: toChTime(new Date(u.startMs)),
    end: toChTime(new Date(u.endMs)),
    latency_ms: u.latencyMs,
    traces: u.traces,
    arrived: toChTime(new Date(u.arrivedMs)),
  };
}
