/**
 * The benchmark estate: 200 integrations over 50 systems, spans generated inside ClickHouse
 * (INSERT … SELECT FROM numbers()), a mix of HTTP, SQL and messaging. Integrations 195..199 are
 * undocumented; systems 48 and 49 are not in the catalog (unknown).
 */
import type { Store } from '../clickhouse/index.ts';
import { CLASSIFIED_MARK } from '../collector/index.ts';
import { parseCatalog, type Catalog } from '../core/catalog/index.ts';

export const INTEGRATIONS = 200;
export const SYSTEMS = 50;
const SPANS_PER_TRACE = 4;

const readSys = (i: number) => i % SYSTEMS;
const writeSys = (i: number) => (i * 7 + 3) % SYSTEMS;
const extraSys = (i: number) => (i * 11 + 5) % SYSTEMS;

export function benchCatalog(): Catalog {
  const lines = ['owners:', '  - { id: icoe }', 'systems:'];
  for (let s = 0; s < SYSTEMS - 2; s++) {
    lines.push(
      `  - { id: sys-${s}, owner: icoe, match: { hosts: [sys-${s}.corp], databases: ["postgresql://sys-${s}.db/db${s}"], destinations: [topic-${s}] } }`,
    );
  }
  lines.push('classes:', '  - { id: std, latencyP95Ms: 2000, latencyP99Ms: 4000, errorRate: 0.05 }', 'flows:');
  const known = new Set(Array.from({ length: SYSTEMS - 2 }, (_, s) => `sys-${s}`));
  const seen = new Set<string>();
  for (let i = 0; i < INTEGRATIONS - 5; i++) {
    for (const src of [readSys(i), extraSys(i)]) {
      const [a, b] = [`sys-${src}`, `sys-${writeSys(i)}`];
      if (a === b || !known.has(a) || !known.has(b) || seen.has(`${a}>${b}>${i}`)) continue;
      seen.add(`${a}>${b}>${i}`);
      lines.push(`  - { id: f-${i}-${src}, source: ${a}, target: ${b}, owner: icoe, class: std, runtime: { service: int-${i} } }`);
    }
  }
  const { catalog, problems } = parseCatalog([{ file: 'bench.yaml', text: lines.join('\n') }]);
  if (problems.length) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return catalog;
}

/** One endpoint touch as a Map(String, String) SQL expression; `type` 0 HTTP, 1 SQL, 2 messaging. */
function touch(type: string, sys: string, write: boolean): string {
  return `multiIf(
    ${type} = 0, map('http.request.method', '${write ? 'POST' : 'GET'}', 'url.full', concat('https://sys-', toString(${sys}), '.corp/api/v1/items')),
    ${type} = 1, map('db.system', 'postgresql', 'db.namespace', concat('db', toString(${sys})), 'server.address', concat('sys-', toString(${sys}), '.db'), 'db.query.text', '${write ? 'INSERT INTO items VALUES (1)' : 'SELECT * FROM items'}'),
    map('messaging.system', 'kafka', 'messaging.destination.name', concat('topic-', toString(${sys})), 'messaging.operation.type', '${write ? 'publish' : 'receive'}'))`;
}

/**
 * The endpoint a touch of `touch(type, sys, write)` names, as the span classification resolves it:
 * a tuple (direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer) — see clickhouse/migrations/031.
 */
function endpoint(type: string, sys: string, write: boolean): string {
  const dir = `'${write ? 'write' : 'read'}'`;
  return `multiIf(
    ${type} = 0, (${dir}, 'http', 'https', concat('sys-', toString(${sys}), '.corp'), '/api/v1', ''),
    ${type} = 1, (${dir}, 'db', 'postgresql', concat('sys-', toString(${sys}), '.db'), concat('db', toString(${sys})), ''),
    (${dir}, 'messaging', 'kafka', '', concat('topic-', toString(${sys})), ''))`;
}

/** The generated rows: `spans` spans (4 a trace) over [startMs, startMs + spanMs), trace ids from `firstTrace`. */
function generated(spans: number, firstTrace: number, startMs: number, spanMs: number): string {
  const traces = Math.floor(spans / SPANS_PER_TRACE);
  return `(
      SELECT number, tr, k, i, rs, ws, xs, rt, wt,
        fromUnixTimestamp64Milli(toInt64(${startMs} + intDiv(tr * ${spanMs}, ${traces}) + k * 2), 'UTC') AS Timestamp,
        leftPad(hex(${firstTrace} + tr), 32, '0') AS TraceId,
        concat('int-', toString(i)) AS ServiceName,
        toUInt64((10 + (number * 7919) % 400) * 1000000) AS Duration,
        if(k = 2 AND (number * 31) % 100 = 0, 'Error', 'Ok') AS StatusCode
      FROM (
        SELECT number, intDiv(number, ${SPANS_PER_TRACE}) AS tr, number % ${SPANS_PER_TRACE} AS k, tr % ${INTEGRATIONS} AS i,
          i % ${SYSTEMS} AS rs, (i * 7 + 3) % ${SYSTEMS} AS ws, (i * 11 + 5) % ${SYSTEMS} AS xs, i % 3 AS rt, intDiv(i, 3) % 3 AS wt
        FROM numbers(${traces * SPANS_PER_TRACE})
      )
    )`;
}

/** The columns of `weft_span_touches`, in `touchRows`' order. */
export const TOUCH_COLUMNS =
  'ts, end_ts, trace_id, integration, service, domain, direction, ep_kind, ep_sys, ep_host, ep_name, ep_peer, is_error, is_primary, records, duration_ms, span_id';

/** The spans as `otel_traces` rows (the columns of `SPAN_COLUMNS`). */
export function spanRows(spans: number, firstTrace: number, startMs: number, spanMs: number): string {
  return `
    SELECT Timestamp, TraceId,
      leftPad(hex(number), 16, '0') AS SpanId,
      if(k = 0, '', leftPad(hex(number - k), 16, '0')) AS ParentSpanId,
      multiIf(k = 0, 'run', k = 2, 'write', 'read') AS SpanName,
      multiIf(k = 0, 'Internal', k = 2 AND wt = 2, 'Producer', k != 2 AND rt = 2, 'Consumer', 'Client') AS SpanKind,
      ServiceName,
      multiIf(k = 0, map(), k = 1, ${touch('rt', 'rs', false)}, k = 2, ${touch('wt', 'ws', true)}, ${touch('0', 'xs', false)}) AS SpanAttributes,
      Duration, StatusCode
    FROM ${generated(spans, firstTrace, startMs, spanMs)}`;
}

/** The columns `spanRows` gives, in its order. */
export const SPAN_COLUMNS = 'Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, SpanAttributes, Duration, StatusCode';

/**
 * The same spans as `weft_span_touches` rows: what each span touched (one row a span: these spans touch
 * at most one endpoint), as the collector's span classification writes them. bench/analyze.ts checks
 * them against the classification views on a sample before it relies on them.
 */
export function touchRows(spans: number, firstTrace: number, startMs: number, spanMs: number): string {
  return `
    SELECT ${TOUCH_COLUMNS} FROM (
    SELECT toDateTime64(Timestamp, 3, 'UTC') AS ts,
      fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(ts) + intDiv(Duration, 1000000)), 'UTC') AS end_ts,
      TraceId AS trace_id, ServiceName AS integration, ServiceName AS service, '' AS domain,
      multiIf(k = 0, ('', '', '', '', '', ''), k = 1, ${endpoint('rt', 'rs', false)}, k = 2, ${endpoint('wt', 'ws', true)}, ${endpoint('0', 'xs', false)}) AS t,
      t.1 AS direction, t.2 AS ep_kind, t.3 AS ep_sys, t.4 AS ep_host, t.5 AS ep_name, t.6 AS ep_peer,
      toUInt8(StatusCode = 'Error') AS is_error, toUInt8(1) AS is_primary, toUInt64(0) AS records, Duration / 1e6 AS duration_ms,
      leftPad(hex(number), 16, '0') AS span_id
    FROM ${generated(spans, firstTrace, startMs, spanMs)})`;
}

/** Settings for one generating insert: both cores (`max_insert_threads`), blocks of up to 1M rows. */
const INSERT_SETTINGS = 'max_insert_block_size = 1048576, max_insert_threads = 2';

/**
 * Inserts `spans` spans (4 per trace) evenly spread over [startMs, startMs + spanMs), trace ids
 * numbered from `firstTrace`, as Weft's collector loads a spool segment: what each span touched into
 * `weft_span_touches` (rows checked against the SQL classification by analyze-estate.test.ts), then the
 * spans into `otel_traces` marked `CLASSIFIED_MARK`, so the SQL classification skips them and every other
 * view (trace index, arrivals, touch sets, endpoint rollups) does its work as on real ingest. Everything
 * is computed by the engine, on two insert streams (`max_insert_threads`: both cores of a 2-core
 * machine). Callers insert at most ~1M spans at once: the views aggregate each insert block in memory.
 */
export async function generateSpans(store: Store, spans: number, firstTrace: number, startMs: number, spanMs: number): Promise<void> {
  // Settings in the statement, not clickhouse_settings: the embedded engine would keep those for the session.
  const run = (query: string) => store.client.command({ query });
  await run(`INSERT INTO weft_span_touches (${TOUCH_COLUMNS}) ${touchRows(spans, firstTrace, startMs, spanMs)} SETTINGS ${INSERT_SETTINGS}`);
  await run(
    `INSERT INTO otel_traces (${SPAN_COLUMNS}) ${spanRows(spans, firstTrace, startMs, spanMs)} SETTINGS ${INSERT_SETTINGS}, log_comment = '${CLASSIFIED_MARK}'`,
  );
}
