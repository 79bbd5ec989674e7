import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { ingestBody } from '../http/ingest.ts';
import { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { loadStatement, tables } from '../rows/tables.ts';
import { SQL_CLASSIFICATION_SETTINGS } from '../spool/loader.ts';
import { handmadeSpans, randomSpans, requestOf, slashSpans, snsSpans, type ParitySpan } from './parity-corpus.ts';
import { touchColumns, TouchWriter } from './touch-rows.ts';

/** A column shown as text, or as 0x… hex when it is not UTF-8 (so that bytes, not their rendering, are compared). */
const shown = (c: string) =>
  /^(ts|end_ts|is_error|is_primary|records|duration_ms)$/.test(c) ? `toString(${c})` : `if(isValidUTF8(${c}), ${c}, concat('0x', hex(${c})))`;
const ROW = touchColumns.map((c) => `${shown(c.column)} AS ${c.column}`).join(', ');

/**
 * The collector's classification (collector/touches/) against the SQL one (clickhouse/migrations/033)
 * on real chDB: the same otel_traces rows, straight from the collector's decoder, go through both;
 * each span's weft_span_touches rows must be identical, column for column and byte for byte.
 */
describe('span classification: collector (TypeScript) = materialized view (SQL)', () => {
  let dir: string;
  let store: Store;
  const query = <T>(q: string) => store.client.query({ query: q, format: 'JSONEachRow' }).then((r) => r.json<T>());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-touch-parity-'));
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
    // What the views write to weft_span_touches (a Null table), kept to be read; the collector's rows go to a twin.
    for (const t of ['sql_touches', 'ts_touches'])
      await store.client.command({ query: `CREATE TABLE ${t} AS weft_span_touches ENGINE = MergeTree ORDER BY tuple()` });
    await store.client.command({ query: 'CREATE MATERIALIZED VIEW sql_touches_mv TO sql_touches AS SELECT * FROM weft_span_touches' });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Both classifications of `spans`: rows per trace id (the span's case), sorted. */
  async function classifyBoth(spans: ParitySpan[], batch: string) {
    const segment = ingestBody('traces', 'proto', requestOf(spans)).tables[0];
    expect(segment.rows).toBe(spans.length);
    const spanFile = join(dir, `${batch}.spans`);
    writeFileSync(spanFile, segment.data);
    // Straight into otel_traces, as the collector writes into a server: the views classify, every branch evaluated.
    await store.client.command({ query: loadStatement(tables.otel_traces, { file: spanFile }, undefined, SQL_CLASSIFICATION_SETTINGS) });
    const out = new RowBinaryWriter(1 << 20);
    const touchRows = new TouchWriter().write(segment.data, out);
    const touchFile = join(dir, `${batch}.touches`);
    writeFileSync(touchFile, out.view());
    await store.client.command({ query: loadStatement({ table: 'ts_touches', fields: [...touchColumns] }, { file: touchFile }) });
    const read = async (table: string) => {
      const rows = await query<Record<string, string>>(`SELECT ${ROW} FROM ${table}`);
      const byTrace = new Map<string, string[]>();
      for (const r of rows) byTrace.set(r.trace_id, [...(byTrace.get(r.trace_id) ?? []), JSON.stringify(r)]);
      return byTrace;
    };
    const [sqlRows, tsRows] = [await read('sql_touches'), await read('ts_touches')];
    await store.client.command({ query: 'TRUNCATE TABLE sql_touches' });
    await store.client.command({ query: 'TRUNCATE TABLE ts_touches' });
    await store.client.command({ query: 'TRUNCATE TABLE otel_traces' });
    return { sqlRows, tsRows, touchRows };
  }

  /** Differences, one line per span: its case, then what SQL and the collector wrote. */
  function differences(spans: ParitySpan[], r: Awaited<ReturnType<typeof classifyBoth>>): string[] {
    const out: string[] = [];
    spans.forEach((s, i) => {
      const id = (i + 1).toString(16).padStart(32, '0');
      const want = (r.sqlRows.get(id) ?? []).sort();
      const got = (r.tsRows.get(id) ?? []).sort();
      if (JSON.stringify(want) !== JSON.stringify(got))
        out.push(`${s.name} ${JSON.stringify(s.attributes)}\n  sql: ${want.join('\n       ')}\n  ts:  ${got.join('\n       ')}`);
    });
    return out;
  }

  it('writes the columns of weft_span_touches as ClickHouse reports them, in order, with their types', async () => {
    const columns = await query<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'weft_span_touches' ORDER BY position",
    );
    expect(touchColumns.map((c) => ({ name: c.column, type: c.type }))).toEqual(columns);
  });

  it('gives identical rows for the cases of span-touches.test.ts and their siblings', async () => {
    const spans = handmadeSpans();
    const r = await classifyBoth(spans, 'handmade');
    expect(r.sqlRows.size).toBe(spans.length);
    expect(r.touchRows).toBe([...r.tsRows.values()].reduce((n, rows) => n + rows.length, 0));
    expect(differences(spans, r)).toEqual([]);
  });

  // Regression: `//api/invoices/42` (a base URL ending in `/` joined with `/api/invoices/42`) was named `//api`, an empty
  // segment and `api`, which a urlPrefixes rule for `/api/invoices/` never matched; `/api//invoices` was `/api/`.
  it('takes each run of slashes in a path as one before taking its first two segments, in SQL and in the collector', async () => {
    const spans = slashSpans();
    const r = await classifyBoth(spans, 'slashes');
    for (const rows of [r.sqlRows, r.tsRows]) {
      const names = spans.map((_s, i) => (rows.get((i + 1).toString(16).padStart(32, '0')) ?? []).map((row) => JSON.parse(row).ep_name));
      expect(names).toEqual(spans.map(() => ['/api/invoices']));
    }
  });

  // Regression: an SNS Publish straight to a phone number (a text message) was named by the number, a push to one device
  // by that device's endpoint: `Unknown system aws.sns:+4915112345678` and an undocumented flow for every number.
  it('names an SNS text message phone_number and a push its platform application, in SQL and in the collector', async () => {
    const { spans, names } = snsSpans();
    const r = await classifyBoth(spans, 'sns');
    for (const rows of [r.sqlRows, r.tsRows]) {
      const got = spans.map((_s, i) => (rows.get((i + 1).toString(16).padStart(32, '0')) ?? []).map((row) => JSON.parse(row).ep_name));
      expect(got).toEqual(names.map((n) => [n]));
    }
  });

  it('gives identical rows for 3,000 random combinations of the attributes the classification reads', async () => {
    const spans = randomSpans(3000);
    const r = await classifyBoth(spans, 'random');
    expect(r.sqlRows.size).toBe(spans.length);
    expect(differences(spans, r).slice(0, 10)).toEqual([]);
  });

  // Regression: the collector stored a sender's text that is not UTF-8 with one U+FFFD per maximal subpart (WHATWG's
  // decoder: `FF FE` two, an overlong `E0 80 AF` three), while the SQL classification of another writer's same bytes
  // (`toValidUTF8`) writes one per run: `FF FE shadow` was two unknown systems, `\ufffd\ufffdshadow` and `\ufffdshadow`.
  it('names the same host for bytes that are not UTF-8, stored by the collector or as sent by another writer', async () => {
    const sequences: [string, number[]][] = [
      ['lone continuation byte', [0x80]],
      ['two continuation bytes', [0x80, 0xbf]],
      ['truncated 2-byte sequence', [0xc3]],
      ['truncated 3-byte sequence', [0xe2, 0x82]],
      ['truncated 4-byte sequence', [0xf0, 0x9f, 0x98]],
      ['overlong 2-byte', [0xc0, 0xaf]],
      ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
      ['overlong 4-byte', [0xf0, 0x82, 0x82, 0xac]],
      ['surrogate', [0xed, 0xa0, 0x80]],
      ['surrogate pair', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0xb4]],
      ['FF FE', [0xff, 0xfe]],
      ['past U+10FFFF', [0xf5, 0x80, 0x80, 0x80]],
      ['5-byte lead', [0xf8, 0x88, 0x80, 0x80, 0x80]],
      ['truncated, then FF', [0xe2, 0x82, 0xff]],
      ['between valid characters', [0xc3, 0xa9, 0xff, 0xc3, 0xa9]],
    ];
    const ascii = (t: string) => [...Buffer.from(t)];
    // Each at the start, in the middle and at the end of a server.address, and in the host of a url.full with a secret
    // (a value the collector decodes to redact).
    const hosts = sequences.flatMap(([what, b]) =>
      [
        [...b, ...ascii('shadow')],
        [...ascii('sh'), ...b, ...ascii('adow')],
        [...ascii('shadow'), ...b],
      ]
        .map((bytes) => ({ what, key: 'server.address', bytes }))
        .concat({ what: `${what} in url.full`, key: 'url.full', bytes: [...ascii('https://'), ...b, ...ascii('shadow/x?token=T')] }),
    );
    const spans: ParitySpan[] = hosts.map(({ what, key, bytes }) => ({
      name: what,
      kind: 3,
      attributes: [
        ['http.request.method', 'POST'],
        [key, { raw: bytes }],
      ],
    }));
    // The collector: its decoder's rows, classified by it (and by the views, over the text it stored).
    const collector = await classifyBoth(spans, 'invalid-utf8');
    expect(differences(spans, collector)).toEqual([]);
    // Another writer (the OpenTelemetry Collector's exporter) stores the bytes as sent: the views classify them.
    const traceId = (i: number) => (i + 1).toString(16).padStart(32, '0');
    const rows = hosts.map(
      ({ bytes }, i) => `('${traceId(i)}', map('http.request.method', 'POST', 'server.address', unhex('${Buffer.from(bytes).toString('hex')}')))`,
    );
    await store.client.command({
      query: `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, SpanName, SpanKind, ServiceName, SpanAttributes, Duration)
        SETTINGS short_circuit_function_evaluation = 'disable'
        SELECT now64(9) - 3600, t.1, '0000000000000001', 'host', 'Client', 'parity', t.2, 1000000 FROM (SELECT arrayJoin([${rows.join(', ')}]) AS t)`,
    });
    const other = await query<{ trace_id: string; ep_host: string; ep_name: string }>(
      "SELECT trace_id, ep_host, ep_name FROM sql_touches WHERE ep_host != '' ORDER BY trace_id",
    );
    await store.client.command({ query: 'TRUNCATE TABLE sql_touches' });
    await store.client.command({ query: 'TRUNCATE TABLE otel_traces' });
    const ofCollector = hosts.map((_h, i) => (collector.tsRows.get(traceId(i)) ?? []).map((r) => JSON.parse(r).ep_host as string));
    expect(other.map((r) => r.trace_id)).toEqual(hosts.map((_h, i) => traceId(i)));
    expect(hosts.map(({ what }, i) => `${what}: ${other[i].ep_host}`)).toEqual(hosts.map(({ what }, i) => `${what}: ${ofCollector[i].join()}`));
    // One U+FFFD a run of invalid bytes, as ClickHouse's toValidUTF8 writes it.
    expect(new Set(other.map((r) => r.ep_host))).toEqual(
      new Set(['\ufffdshadow', 'sh\ufffdadow', 'shadow\ufffd', '\u00e9\ufffd\u00e9shadow', 'sh\u00e9\ufffd\u00e9adow', 'shadow\u00e9\ufffd\u00e9']),
    );
  });
});
