// The engine's limits and the JavaScript side alone for bench:ingest, in a process of its own with a store of
// its own: `ingest-limits.ts <dir> <bodies file> <batch rows> <out file>` writes them as JSON to <out file>. A process of its
// own because the engine keeps memory it has used: the bulk inserts here left ~250 MiB retained in the
// process that then ran the collector, and the collector's peak RSS is what bench:ingest measures.
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { migrate, openStore } from '../clickhouse/index.ts';
import { ingestBody } from '../collector/http/ingest.ts';
import { defaultIngestLimits } from '../collector/otlp/limits.ts';
import { RowBinaryWriter } from '../collector/rows/row-binary-writer.ts';
import { loadStatement, tables } from '../collector/rows/tables.ts';
import { CLASSIFIED_MARK, SQL_CLASSIFICATION_SETTINGS } from '../collector/spool/loader.ts';
import { touchesSpec, TouchWriter } from '../collector/touches/touch-rows.ts';

/**
 * What one insert path sustained: rows a second (wall), and CPU of the whole process (all threads) per row, µs,
 * while its inserts ran (the merges they leave behind are not counted; those of the path before it are
 * finished before it starts).
 */
export interface EngineLimit {
  rowsPerSecond: number;
  cpuMicrosPerRow: number;
}

/** The figures printed as JSON. */
export interface IngestLimits {
  /** INSERT … SELECT FROM file(segment) into a bare copy of otel_traces (no views). */
  bare: EngineLimit;
  /** Into otel_traces as another writer inserts: the views classify the spans in SQL. */
  sql: EngineLimit;
  /** As the collector loads a segment: its touches, then the spans marked classified. */
  collector: EngineLimit;
  /** Protobuf → RowBinary on one core, spans a second; and with the touch rows (the classification). */
  jsDecode: number;
  jsClassify: number;
  touchRows: number;
  segmentRows: number;
  segments: number;
}

const [dir, bodiesFile, batchRowsArg, outFile] = process.argv.slice(2);
const bodies = (JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[]).map((b) => Buffer.from(b, 'base64'));
const spansPerBody = ingestBody('traces', 'proto', bodies[0]).tables[0].rows;
const store = await openStore({ kind: 'embedded', path: join(dir, 'limits-data') });
await migrate(store, { retention: { rawDays: 400, rollupDays: 400, recordDays: 730 } });
const count = async (table: string) =>
  Number((await store.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' }).then((r) => r.json<{ n: string }>()))[0].n);

// The same rows the collector will store, in segments of about its batch size: whole copies of the bodies'
// rows (16,384 with bench:ingest's 32 × 512), at least one.
const segment = Buffer.concat(bodies.map((b) => ingestBody('traces', 'proto', b).tables[0].data));
const segmentFile = join(dir, 'engine.rowbinary');
const repeat = Math.max(1, Math.round(Number(batchRowsArg) / (bodies.length * spansPerBody)));
const segmentBytes = Buffer.concat(Array(repeat).fill(segment));
writeFileSync(segmentFile, segmentBytes);
const touchesFile = join(dir, 'engine.touches');
const touchOut = new RowBinaryWriter(1 << 20);
const touchRows = new TouchWriter().write(segmentBytes, touchOut);
writeFileSync(touchesFile, touchOut.view());
const segmentRows = bodies.length * spansPerBody * repeat;
const SEGMENTS = 6;
let token = 0;

/** Waits until no merge runs (at most 60 s), so that one path's CPU is not charged to the next. */
async function mergesDone(): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    const [{ n }] = await store.client.query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' }).then((r) => r.json<{ n: string }>());
    if (Number(n) === 0) return;
    await sleep(100);
  }
}

async function engineLimit(table: string, as: 'plain' | 'collector' = 'plain'): Promise<EngineLimit> {
  await mergesDone();
  const before = await count(table);
  const c0 = process.cpuUsage();
  const e0 = performance.now();
  for (let i = 0; i < SEGMENTS; i++) {
    const dedup = { insert_deduplicate: 1, insert_deduplication_token: `bench-${token++}`, deduplicate_blocks_in_dependent_materialized_views: 1 };
    if (as === 'collector') {
      await store.client.command({ query: loadStatement(touchesSpec, { file: touchesFile }, undefined, { ...dedup, max_partitions_per_insert_block: 0 }) });
      await store.client.command({ query: loadStatement(tables.otel_traces, { file: segmentFile }, undefined, { ...dedup, log_comment: CLASSIFIED_MARK }) });
    } else {
      // Into otel_traces as the collector writes into a server (the views classify); into the bare copy, as it is.
      const settings = table === 'otel_traces' ? SQL_CLASSIFICATION_SETTINGS : undefined;
      await store.client.command({ query: loadStatement({ ...tables.otel_traces, table: table as never }, { file: segmentFile }, undefined, settings) });
    }
  }
  const secs = (performance.now() - e0) / 1000;
  const cpu = process.cpuUsage(c0);
  if ((await count(table)) - before !== SEGMENTS * segmentRows) throw new Error(`engine bench lost rows in ${table}`);
  return { rowsPerSecond: (SEGMENTS * segmentRows) / secs, cpuMicrosPerRow: (cpu.user + cpu.system) / (SEGMENTS * segmentRows) };
}
await store.client.command({ query: 'CREATE TABLE otel_traces_engine_bench AS otel_traces' });
const bare = await engineLimit('otel_traces_engine_bench');
await store.client.command({ query: 'DROP TABLE otel_traces_engine_bench' });
const sql = await engineLimit('otel_traces');
const collector = await engineLimit('otel_traces', 'collector');

await mergesDone();
// The JavaScript side alone on one core: request bodies to segment bytes (and touches, as the collector does).
const jsSide = (touches: boolean) => {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const j0 = performance.now();
    for (const b of bodies) ingestBody('traces', 'proto', b, { limits: defaultIngestLimits(20 * 1024 * 1024), touches });
    best = Math.max(best, (bodies.length * spansPerBody) / ((performance.now() - j0) / 1000));
  }
  return best;
};
const jsDecode = jsSide(false);
const jsClassify = jsSide(true);
await store.close();
const result: IngestLimits = { bare, sql, collector, jsDecode, jsClassify, touchRows, segmentRows, segments: SEGMENTS };
writeFileSync(outFile, JSON.stringify(result));
