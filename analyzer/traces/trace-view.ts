import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { splitHostPort } from '../../core/net/host-port.ts';
import { redactAttributes, redactSpanName, redactText } from '../../core/net/attribute-secrets.ts';
import { resolveAnswered, type Answer, type Endpoint } from '../flows/endpoint-match.ts';
import { answeringServices, endpointKey } from '../flows/match-sql.ts';

/** At most this many spans of one trace are returned (a trace with more says `truncated`). */
export const TRACE_SPAN_LIMIT = 5_000;

/**
 * A point in time (nanoseconds since the epoch, as ClickHouse writes a DateTime64(9) in JSON) in
 * milliseconds since the epoch, to the microsecond: a double holds no finer at this magnitude.
 */
export const epochNsToMs = (ns: string): number => Number(BigInt(ns) / 1000n) / 1000;

/**
 * A span's duration (nanoseconds, as text) in milliseconds, to the nanosecond: an 834 ns span is
 * 0.000834 ms, not 0 (a duration is small enough for a double to hold every nanosecond).
 */
export const durationNsToMs = (ns: string): number => Number(BigInt(ns)) / 1e6;

/**
 * How long after `originNs` (nanoseconds since the epoch, a BigInt) the point `ns` (nanoseconds since the
 * epoch, as text) is, in milliseconds to the nanosecond: subtracted as integers first, so a span 700 ns
 * after the trace's start is 0.0007 ms (two epoch-millisecond doubles, each to the microsecond, gave
 * 0.000977 or 0). Negative when `ns` is before `originNs`; exact for offsets up to 104 days.
 */
export const offsetNsToMs = (ns: string, originNs: bigint): number => Number(BigInt(ns) - originNs) / 1e6;

/** One span of a trace, as the waterfall shows it. Times in ms since the epoch; durations in ms. */

export interface TraceSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP span kind as the ClickHouse exporter writes it (`Client`, `Server`, `Internal`, `Producer`, `Consumer`, `Unspecified`). */
  kind: string;
  service: string;
  /** Start, milliseconds since the epoch (to the microsecond). */
  startMs: number;
  /** Start, milliseconds after the trace's start, to the nanosecond (0.0007 for 700 ns): what the waterfall places. */
  offsetMs: number;
  /** Duration in milliseconds, to the nanosecond (0.000834 for 834 ns). */
  durationMs: number;
  /** `Ok`, `Error` or `Unset`. */
  status: string;
  statusMessage: string;
  attributes: Record<string, string>;
  resource: Record<string, string>;
  /** `timeMs`: milliseconds since the epoch (to the microsecond); `offsetMs`: milliseconds after the trace's start, to the nanosecond. */
  events: { timeMs: number; offsetMs: number; name: string; attributes: Record<string, string> }[];
  /** Catalog systems (or `unknown:<label>`) this span's attributes name, read or written. */
  systems: string[];
  /** Depth in the span tree (0: a root, or a span whose parent was not received). */
  depth: number;
}

/** A whole trace: its spans in start order and the systems it read and wrote (resolved by the catalog as it is now). */
export interface TraceView {
  traceId: string;
  /** First span's start, milliseconds since the epoch (to the microsecond). */
  startMs: number;
  /** Last span's end, milliseconds since the epoch (to the microsecond). */
  endMs: number;
  /** From the first span's start to the last span's end, in milliseconds to the nanosecond. */
  durationMs: number;
  spans: TraceSpan[];
  truncated: boolean;
  reads: string[];
  writes: string[];
  services: string[];
}

interface SpanRow {
  span_id: string;
  parent: string;
  name: string;
  kind: string;
  service: string;
  start_ns: string;
  duration_ns: string;
  status: string;
  status_message: string;
  attribute_keys: string[];
  attribute_values: string[];
  resource_keys: string[];
  resource_values: string[];
  event_times: string[];
  event_names: string[];
  event_keys: string[][];
  event_values: string[][];
}

/**
 * A Map column read as its keys and values, as an object (null prototype) holding the first value of a key stored more
 * than once. Rows from protobuf keep a key sent twice as sent (docs/security-limits.md); a Map lookup, the span
 * classification and OTLP/JSON's rows take the first, and so does this. A whole Map read as JSON would give the last.
 */
export function firstOfEachKey(keys: readonly string[], values: readonly string[]): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (let i = 0; i < keys.length; i++) if (!Object.hasOwn(out, keys[i])) out[keys[i]] = values[i] ?? '';
  return out;
}

type TouchTuple = [string, string, string, string, string];

/** A trace id as OTLP/JSON and the ClickHouse exporter write it: 32 lowercase hex digits, not all zero. */
export function isTraceId(id: string): boolean {
  return /^[0-9a-f]{32}$/.test(id) && !/^0+$/.test(id);
}

const toEndpoint = ([kind, sys, host, name, peer]: TouchTuple): Endpoint => ({ kind, sys, host, name, peer }) as Endpoint;

/** Attribute values a span names an endpoint by (host, database, destination, peer service). */
function mentions(attributes: Record<string, string>, e: Endpoint): boolean {
  if (e.kind === 'unnamed') return false;
  // Hosts are compared as the classification keeps them: lower case, without the trailing dot of a fully
  // qualified name (`ERP.Acme.Test.:8443` is erp.acme.test:8443); names and peers as they are.
  const values = Object.values(attributes);
  const hostly = values.map(hostSpelling);
  // ep_host carries a non-default port ("127.0.0.1:18081", "[::1]:8443"); spans name the host alone in server.address.
  const hosts = [e.host, splitHostPort(e.host).host].filter((v): v is string => typeof v === 'string' && v !== '');
  const names = [e.name, e.peer].filter((v): v is string => typeof v === 'string' && v !== '');
  return hosts.some((f) => namedIn(hostly, f)) || names.some((f) => namedIn(values, f));
}

/** Whether one of `values` is `f`, or a URL or `host:port` naming it. */
const namedIn = (values: string[], f: string) => values.includes(f) || values.some((v) => v.includes(`//${f}`) || v.startsWith(`${f}:`));

/** An attribute value as a host is kept: ASCII lower case, no trailing dot before a port, a path or the end. */
const hostSpelling = (v: string) => v.toLowerCase().replace(/(?<!\.)\.+(?=[:/?#]|$)/g, '');

/**
 * A trace's time range from otel_traces_trace_id_ts (columns s, e: its earliest and latest span start, Unix seconds; n:
 * rows; days: the days, 'YYYY-MM-DD' in the server's time zone as otel_traces is partitioned, that its spans start on).
 * The days are those of each row's Start and End and of the days between them: a row is one day of a trace's spans in
 * one insert since migration 127, so a span from a sender whose clock was years behind adds its own day, not every day
 * from it to today. A row stored before 127 covers what it covered (every day between its Start and End).
 */
export const TRACE_DAYS_SQL = `SELECT toUnixTimestamp(min(Start)) AS s, toUnixTimestamp(max(End)) AS e, count() AS n,
    arraySort(groupUniqArrayArray(arrayMap(d -> toString(toDate(Start) + d), range(toUInt32(dateDiff('day', toDate(Start), toDate(End)) + 1))))) AS days
  FROM otel_traces_trace_id_ts WHERE TraceId = {id:String}`;

/**
 * The spans of trace `id` (parameters: id; from, to: Unix milliseconds; days: `TRACE_DAYS_SQL`'s; limit), in the order
 * they started: only the partitions of `days` are read.
 */
export const TRACE_SPANS_SQL = `SELECT SpanId AS span_id, ParentSpanId AS parent, SpanName AS name, SpanKind AS kind, ServiceName AS service,
        toString(toUnixTimestamp64Nano(Timestamp)) AS start_ns, toString(Duration) AS duration_ns, StatusCode AS status, StatusMessage AS status_message,
        mapKeys(SpanAttributes) AS attribute_keys, mapValues(SpanAttributes) AS attribute_values,
        mapKeys(ResourceAttributes) AS resource_keys, mapValues(ResourceAttributes) AS resource_values,
        arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS event_times, Events.Name AS event_names,
        arrayMap(m -> mapKeys(m), Events.Attributes) AS event_keys, arrayMap(m -> mapValues(m), Events.Attributes) AS event_values
        FROM otel_traces
        WHERE TraceId = {id:String} AND Timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND Timestamp <= fromUnixTimestamp64Milli({to:Int64})
          AND toDate(Timestamp) IN (SELECT arrayJoin(arrayMap(d -> toDate(d), {days:Array(String)})))
        ORDER BY Timestamp LIMIT {limit:UInt32}`;

/**
 * One trace from `otel_traces`, read by its id: the time range and days from `otel_traces_trace_id_ts` first
 * (`TRACE_DAYS_SQL`), so only the partitions of those days are read. Systems come from `weft_trace_touch_sets` (kept two
 * days) resolved against the catalog (an address no rule names by the service that answered it: `resolveAnswered`); older traces show their spans without systems.
 * Returns null when no span of the trace is stored (expired by retention, or never received).
 * Span, resource and event attributes come back with their secrets redacted (`redactAttributes`: URLs, statements,
 * keys that name a secret): Weft's collector redacts them at ingest, but another writer (an OpenTelemetry Collector's
 * ClickHouse exporter) may have stored them raw.
 */
export async function queryTrace(store: Store, catalog: Catalog, traceId: string): Promise<TraceView | null> {
  const range = await store.client
    .query({ query: TRACE_DAYS_SQL, query_params: { id: traceId }, format: 'JSONEachRow' })
    .then((r) => r.json<{ s: number; e: number; n: string; days: string[] }>());
  if (!range[0] || Number(range[0].n) === 0) return null;
  const from = Number(range[0].s) - 60;
  const to = Number(range[0].e) + 60;
  const rows = await store.client
    .query({
      query: TRACE_SPANS_SQL,
      query_params: { id: traceId, from: from * 1000, to: to * 1000, days: range[0].days, limit: TRACE_SPAN_LIMIT + 1 },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<SpanRow>());
  if (rows.length === 0) return null;
  const truncated = rows.length > TRACE_SPAN_LIMIT;
  const spansRows = rows.slice(0, TRACE_SPAN_LIMIT);

  const touches = await store.client
    .query({
      query: 'SELECT groupUniqArrayArray(reads) AS reads, groupUniqArrayArray(writes) AS writes FROM weft_trace_touch_sets WHERE trace_id = {id:String}',
      query_params: { id: traceId },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ reads: TouchTuple[]; writes: TouchTuple[] }>());
  const readEps = (touches[0]?.reads ?? []).map(toEndpoint);
  const writeEps = (touches[0]?.writes ?? []).map(toEndpoint);
  // An address no rule names is named by the service that answered it, as the snapshot names it (answered-calls.ts).
  const answered =
    readEps.length + writeEps.length === 0 ? new Map<string, Answer[]>() : await answeringServices(store, [...readEps, ...writeEps].map(endpointKey));
  const system = (e: Endpoint) => resolveAnswered(catalog, e, answered.get(endpointKey(e))).system;

  // Offsets from the trace's start subtracted in nanoseconds (BigInt): epoch milliseconds hold only microseconds.
  const originNs = spansRows.reduce((min, r) => (BigInt(r.start_ns) < min ? BigInt(r.start_ns) : min), BigInt(spansRows[0].start_ns));
  const endNs = spansRows.reduce((max, r) => {
    const end = BigInt(r.start_ns) + BigInt(r.duration_ns);
    return end > max ? end : max;
  }, originNs);
  const spans = spansRows.map((r): TraceSpan => {
    const attributes = firstOfEachKey(r.attribute_keys, r.attribute_values);
    const systems = new Set<string>();
    for (const e of [...readEps, ...writeEps]) if (mentions(attributes, e)) systems.add(system(e));
    return {
      spanId: r.span_id,
      parentSpanId: r.parent,
      name: redactSpanName(r.name),
      kind: r.kind,
      service: r.service,
      startMs: epochNsToMs(r.start_ns),
      offsetMs: offsetNsToMs(r.start_ns, originNs),
      durationMs: durationNsToMs(r.duration_ns),
      status: r.status,
      statusMessage: redactText(r.status_message),
      attributes: redactAttributes(attributes),
      resource: redactAttributes(firstOfEachKey(r.resource_keys, r.resource_values)),
      events: r.event_times.map((t, i) => ({
        timeMs: epochNsToMs(t),
        offsetMs: offsetNsToMs(t, originNs),
        name: redactSpanName(r.event_names[i] ?? ''),
        attributes: redactAttributes(firstOfEachKey(r.event_keys[i] ?? [], r.event_values[i] ?? [])),
      })),
      systems: [...systems].sort(),
      depth: 0,
    };
  });
  const ordered = treeOrder(spans);
  return {
    traceId,
    startMs: epochNsToMs(originNs.toString()),
    endMs: epochNsToMs(endNs.toString()),
    durationMs: durationNsToMs((endNs - originNs).toString()),
    spans: ordered,
    truncated,
    reads: [...new Set(readEps.map(system))].sort(),
    writes: [...new Set(writeEps.map(system))].sort(),
    services: [...new Set(spans.map((s) => s.service))].sort(),
  };
}

/**
 * Spans in waterfall order: each root (no parent, or a parent that was not received) by start time,
 * each followed by its children depth-first, also by start time; `depth` set on the way.
 */
export function treeOrder(spans: TraceSpan[]): TraceSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  // By offset (to the nanosecond), not startMs (to the microsecond): spans 100 ns apart keep their order.
  const byStart = (a: TraceSpan, b: TraceSpan) => a.offsetMs - b.offsetMs || b.durationMs - a.durationMs;
  const out: TraceSpan[] = [];
  const seen = new Set<string>();
  const stack: { span: TraceSpan; depth: number }[] = roots
    .sort(byStart)
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  const walk = () => {
    while (stack.length > 0) {
      const { span, depth } = stack.pop()!;
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      out.push({ ...span, depth });
      const kids = (children.get(span.spanId) ?? []).sort(byStart);
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: depth + 1 });
    }
  };
  walk();
  // A parent cycle (A→B→A, A→B→C→A, …) has no root: each is shown at the end from its earliest span, as if that span
  // had no parent, with the spans under it nested as they would be without the cycle.
  for (const s of spans.filter((x) => !seen.has(x.spanId)).sort(byStart)) {
    stack.push({ span: s, depth: 0 });
    walk();
  }
  return out;
}
