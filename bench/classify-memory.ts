// npm run bench:classify-memory — the memory an insert into otel_traces takes while the views classify its spans in SQL
// (a ClickHouse server's collector, an OpenTelemetry Collector's exporter), against the collector's own load (spans
// marked classified: the baseline). Each insert is one segment of the bench's SDK spans (49,152, one day), then the same
// spans with one more on each of 49 other days (an exporter's retry of a backlog, a replay: one insert writing 50
// partitions). Three ways: the collector's load, the SQL classification with `SQL_CLASSIFICATION_SETTINGS`, and the
// SQL classification with the engine's default, which another writer gets unless its user is given the setting
// (docs/scaling.md). Prints the peak RSS of the process (the engine runs in it) over its size before each insert (MiB,
// VmHWM reset before it) and the insert's wall time; each insert is capped at `max_memory_usage` 2 GB, so one that would
// take more fails (printed) instead of taking the machine's memory.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { migrate, openStore } from '../clickhouse/index.ts';
import type { StatementSettings } from '../clickhouse/statement-settings.ts';
import { ingestBody } from '../collector/http/ingest.ts';
import { segmentRows } from '../collector/rows/row-binary-reader.ts';
import { loadStatement, tables } from '../collector/rows/tables.ts';
import { CLASSIFIED_MARK, SQL_CLASSIFICATION_SETTINGS } from '../collector/spool/loader.ts';
import { manyDaysBody } from './ingest-adversarial.ts';
import { benchScratch } from './scratch.ts';

const MAX_MEMORY_BYTES = 2_000_000_000;
const DAYS = 50;
const { dir, stopIfInterrupted, closing, run } = benchScratch('weft-bench-classify-memory-');

/** A figure of /proc/self/status in MiB (`VmRSS`, `VmHWM`). */
const status = (field: 'VmRSS' | 'VmHWM') => {
  const m = (field === 'VmRSS' ? /VmRSS:\s+(\d+)/ : /VmHWM:\s+(\d+)/).exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error(`/proc/self/status has no ${field}: this bench reads Linux's figures`);
  return Number(m[1]) / 1024;
};

await run(async () => {
  const bodiesFile = join(dir, 'bodies.json');
  execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ingest-encode.ts'), bodiesFile, '32', '512']);
  const bodies = (JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[]).map((b) => Buffer.from(b, 'base64'));
  const store = closing(await openStore({ kind: 'embedded', path: join(dir, 'data') }), (s) => s.close());
  await migrate(store, { retention: { rawDays: 400, rollupDays: 400, recordDays: 730 } });

  const oneDay = Buffer.concat(Array(3).fill(Buffer.concat(bodies.map((b) => ingestBody('traces', 'proto', b).tables[0].data))));
  // The many-days request's spans on the newest DAYS days: today's is among them, the other DAYS - 1 are days of their own.
  const daySpans = segmentRows(tables.otel_traces, ingestBody('traces', 'proto', manyDaysBody()).tables[0].data);
  const days = [...new Set(daySpans.map((r) => r.day))].sort((a, b) => b - a).slice(0, DAYS);
  const manyDaysData = ingestBody('traces', 'proto', manyDaysBody()).tables[0].data;
  const manyDays = Buffer.concat([oneDay, ...daySpans.filter((r) => days.includes(r.day)).map((r) => manyDaysData.subarray(r.start, r.end))]);
  const spanCount = (data: Buffer) => segmentRows(tables.otel_traces, data).length;
  const partitions = (data: Buffer) => new Set(segmentRows(tables.otel_traces, data).map((r) => r.day)).size;

  let n = 0;
  /** One insert of `data` with `settings`: the peak RSS over the size before it (MiB), its wall time (ms), its error. */
  const insert = async (data: Buffer, settings: StatementSettings) => {
    const file = join(dir, `segment-${n}.rowbinary`);
    writeFileSync(file, data);
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS (proc(5))
    const before = status('VmRSS');
    const t0 = performance.now();
    const error = await store.client
      .command({
        query: loadStatement(tables.otel_traces, { file }, undefined, {
          insert_deduplicate: 1,
          insert_deduplication_token: `classify-memory-${n++}`,
          max_partitions_per_insert_block: 0,
          max_memory_usage: MAX_MEMORY_BYTES,
          ...settings,
        }),
      })
      .then(
        () => '',
        (err: Error) => /^[^:]*:[^:]*/.exec(err.message)?.[0] ?? err.message,
      );
    return { over: status('VmHWM') - before, ms: performance.now() - t0, error };
  };

  const ways: Array<[string, StatementSettings]> = [
    ['collector load (spans marked classified): baseline', { log_comment: CLASSIFIED_MARK }],
    ['SQL classification, SQL_CLASSIFICATION_SETTINGS', SQL_CLASSIFICATION_SETTINGS],
    ["SQL classification, the engine's default", {}],
  ];
  const load0 = loadavg()[0];
  console.log(
    `peak RSS of the process over its size before the insert, and the insert's wall time; each insert capped at max_memory_usage ${MAX_MEMORY_BYTES / 1e9} GB:`,
  );
  for (const [label, data] of [
    [`${spanCount(oneDay).toLocaleString('en-US')} spans on 1 day`, oneDay],
    [`${spanCount(manyDays).toLocaleString('en-US')} spans on ${partitions(manyDays)} days`, manyDays],
  ] as const) {
    console.log(`  ${label}:`);
    for (const [way, settings] of ways) {
      stopIfInterrupted();
      const r = await insert(data, settings);
      console.log(
        `    ${way.padEnd(52)} ${r.error ? `failed after ${(r.ms / 1000).toFixed(1)} s: ${r.error} (peak +${r.over.toFixed(0)} MiB)` : `+${r.over.toFixed(0)} MiB, ${(r.ms / 1000).toFixed(1)} s`}`,
      );
    }
  }
  console.log(`machine load average (1 min) at start ${load0.toFixed(1)}, at end ${loadavg()[0].toFixed(1)} on 2 cores`);
});
