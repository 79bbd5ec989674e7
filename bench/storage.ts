/**
 * npm run bench:storage [spans=1000000] — bytes per span on disk after compression, measured on the
 * embedded engine, and bytes per span in the spool (what an outage costs in spool disk).
 *
 * Spans: the bench:ingest bodies (OpenTelemetry SDK protobuf, 10–20 attributes per span) decoded by
 * the collector into its RowBinary spool segment, loaded once, then copied inside the engine with
 * fresh random-looking trace and span ids (MD5 of the original id and the copy number, shared by
 * the spans of one trace) and timestamps moved one second per copy, so ids do not compress better
 * than real ones. The inserts go into otel_traces with every materialized view, and the parts are
 * merged (OPTIMIZE FINAL) before system.parts / system.columns are read.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { migrate, openStore } from '../clickhouse/index.ts';
import { ingestBody } from '../collector/http/ingest.ts';
import { loadStatement, tables } from '../collector/rows/tables.ts';
import { encodeBodies } from './ingest-spans.ts';
import { benchScratch } from './scratch.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const { dir, stopIfInterrupted, closing, run } = benchScratch('weft-bench-storage-');
await run(async () => {
  const store = closing(await openStore({ kind: 'embedded', path: join(dir, 'data') }), (s) => s.close());
  await migrate(store, { retention: { rawDays: 3650, rollupDays: 3650, recordDays: 3650 } });
  const rows = <T>(query: string) => store.client.query({ query, format: 'JSONEachRow' }).then((r) => r.json<T>());
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const load0 = loadavg()[0];

  const bodies = encodeBodies(32, 512);
  const sample = bodies.length * 512;
  const otlpBytes = bodies.reduce((n, b) => n + b.length, 0);
  const segment = Buffer.concat(bodies.map((b) => ingestBody('traces', 'proto', b).tables[0].data));
  const segmentFile = join(dir, 'sample.rowbinary');
  writeFileSync(segmentFile, segment);

  // The sample, staged in memory; then copies with new ids go through otel_traces and its views.
  await store.client.command({ query: 'CREATE TABLE scale_sample AS otel_traces ENGINE = Memory' });
  await store.client.command({ query: loadStatement({ ...tables.otel_traces, table: 'scale_sample' as never }, { file: segmentFile }) });
  const copies = Math.max(1, Math.round(total / sample));
  const id = (col: string, len: number) => `if(${col} = '', '', substring(lower(hex(MD5(concat(${col}, toString(c))))), 1, ${len}))`;
  const t0 = performance.now();
  await store.client.command({
    query: `INSERT INTO otel_traces SETTINGS max_insert_block_size = 1048576 SELECT scale_sample.* REPLACE (
      Timestamp + toIntervalMillisecond(c * 1000) AS Timestamp,
      ${id('TraceId', 32)} AS TraceId, ${id('SpanId', 16)} AS SpanId, ${id('ParentSpanId', 16)} AS ParentSpanId,
      Duration + cityHash64(SpanId, c) % 5000000 AS Duration)
    FROM scale_sample CROSS JOIN (SELECT number AS c FROM numbers(${copies})) AS copies`,
  });
  const insertMs = performance.now() - t0;
  const stored = copies * sample;
  const tablesWithRows = await rows<{ table: string }>(
    `SELECT DISTINCT table FROM system.parts WHERE active AND database = currentDatabase() AND table != 'scale_sample'`,
  );
  for (const { table } of tablesWithRows) {
    stopIfInterrupted();
    await store.client.command({ query: `OPTIMIZE TABLE \`${table}\` FINAL` });
  }

  const parts = await rows<{ table: string; rows: string; compressed: string; uncompressed: string; disk: string }>(`
  SELECT table, sum(rows) AS rows, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed, sum(bytes_on_disk) AS disk
  FROM system.parts WHERE active AND database = currentDatabase() AND table NOT IN ('scale_sample', 'weft_migrations')
  GROUP BY table ORDER BY sum(bytes_on_disk) DESC`);
  const columns = await rows<{ name: string; compressed: string; uncompressed: string }>(`
  SELECT name, data_compressed_bytes AS compressed, data_uncompressed_bytes AS uncompressed
  FROM system.columns WHERE database = currentDatabase() AND table = 'otel_traces' ORDER BY data_compressed_bytes DESC LIMIT 8`);

  console.log(
    `bench:storage — ${fmt(stored)} spans (${copies} copies of ${fmt(sample)} SDK-encoded spans with fresh ids), inserted through otel_traces and its views in ${(insertMs / 1000).toFixed(1)} s`,
  );
  console.log(`machine load average (1 min) at start ${load0.toFixed(1)}, at end ${loadavg()[0].toFixed(1)}`);
  console.log(
    `OTLP protobuf as sent: ${(otlpBytes / sample).toFixed(0)} bytes/span; spool segment (RowBinary, uncompressed): ${(segment.length / sample).toFixed(0)} bytes/span`,
  );
  let disk = 0;
  for (const p of parts) {
    disk += Number(p.disk);
    console.log(
      `  ${p.table.padEnd(32)} rows ${fmt(Number(p.rows)).padStart(11)}  on disk ${fmt(Number(p.disk)).padStart(12)} B  compressed ${fmt(Number(p.compressed)).padStart(12)} B  ` +
        `uncompressed ${fmt(Number(p.uncompressed)).padStart(13)} B  ratio ${(Number(p.uncompressed) / Math.max(1, Number(p.compressed))).toFixed(1)}x`,
    );
  }
  const traces = parts.find((p) => p.table === 'otel_traces');
  if (!traces || Number(traces.rows) !== stored) throw new Error(`otel_traces holds ${traces?.rows} rows, expected ${stored}`);
  console.log(
    `otel_traces: ${(Number(traces.disk) / stored).toFixed(1)} bytes/span on disk (${(Number(traces.uncompressed) / stored).toFixed(0)} uncompressed)`,
  );
  console.log(`all tables (spans + views' tables): ${(disk / stored).toFixed(1)} bytes/span on disk`);
  console.log('largest otel_traces columns (compressed / uncompressed bytes per span):');
  for (const c of columns)
    console.log(`  ${c.name.padEnd(28)} ${(Number(c.compressed) / stored).toFixed(1).padStart(6)} / ${(Number(c.uncompressed) / stored).toFixed(1)}`);
});
