// npm run bench:ingest-views — what each materialized view on otel_traces and weft_span_touches costs the
// collector's load, in CPU a span: the load as the collector does it (a segment's touches, then its spans marked
// classified) with every view attached, against the same with each view detached in turn and with none (the baseline:
// the two inserts alone), in paired runs. Merges are stopped while it measures, so that a path pays for its own
// inserts and views only.
// Prints figures; asserts nothing but that every insert stored its rows.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openStore } from '../clickhouse/index.ts';
import { ingestBody } from '../collector/http/ingest.ts';
import { RowBinaryWriter } from '../collector/rows/row-binary-writer.ts';
import { loadStatement, tables } from '../collector/rows/tables.ts';
import { CLASSIFIED_MARK } from '../collector/spool/loader.ts';
import { touchesSpec, TouchWriter } from '../collector/touches/touch-rows.ts';

const BODIES = 32;
const SPANS_PER_BODY = 512;
/** Copies of the bodies' spans in a segment: 3 × 16,384 = 49,152 rows, about the collector's batch. */
const COPIES = 3;
const SEGMENTS = 4;
const ROUNDS = 3;

const dir = mkdtempSync(join(tmpdir(), 'weft-bench-views-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));
const load0 = loadavg()[0];
const bodiesFile = join(dir, 'bodies.json');
execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ingest-encode.ts'), bodiesFile, String(BODIES), String(SPANS_PER_BODY)]);
const bodies = (JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[]).map((b) => Buffer.from(b, 'base64'));
const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
await migrate(store, { retention: { rawDays: 400, rollupDays: 400, recordDays: 730 } });

const segment = Buffer.concat(Array(COPIES).fill(Buffer.concat(bodies.map((b) => ingestBody('traces', 'proto', b).tables[0].data))));
const segmentFile = join(dir, 'segment.rowbinary');
writeFileSync(segmentFile, segment);
const touchOut = new RowBinaryWriter(1 << 20);
const touchRows = new TouchWriter().write(segment, touchOut);
const touchesFile = join(dir, 'segment.touches');
writeFileSync(touchesFile, touchOut.view());
const rows = BODIES * SPANS_PER_BODY * COPIES;

const count = async (table: string) =>
  Number((await store.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' }).then((r) => r.json<{ n: string }>()))[0].n);
let token = 0;
type Insert = 'spans' | 'touches';
/** CPU of the whole process per span (µs) while SEGMENTS segments' `what` are inserted as the collector inserts them. */
async function once(what: Insert): Promise<number> {
  const table = 'otel_traces';
  const before = what === 'spans' ? await count(table) : 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < SEGMENTS; i++) {
    const dedup = { insert_deduplicate: 1, insert_deduplication_token: `views-${token++}`, deduplicate_blocks_in_dependent_materialized_views: 1 };
    const query =
      what === 'touches'
        ? loadStatement(touchesSpec, { file: touchesFile }, undefined, { ...dedup, max_partitions_per_insert_block: 0 })
        : loadStatement(tables.otel_traces, { file: segmentFile }, undefined, { ...dedup, log_comment: CLASSIFIED_MARK });
    await store.client.command({ query });
  }
  const cpu = process.cpuUsage(c0);
  // weft_span_touches is a Null table (its views keep what they need): only otel_traces' rows can be counted.
  if (what === 'spans' && (await count(table)) - before !== SEGMENTS * rows) throw new Error(`the bench lost rows in ${table}`);
  return (cpu.user + cpu.system) / (SEGMENTS * rows);
}
/**
 * What removing `views` saves a span on `what`'s insert (µs): the median over ROUNDS of the difference between a run
 * with every view attached and the run right after it with `views` detached (paired runs: the cost of an insert drifts
 * as its tables fill), and the median of the runs with every view.
 */
async function saving(what: Insert, names: string[]): Promise<{ all: number; saved: number }> {
  const all: number[] = [];
  const saved: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = await once(what);
    await detach(names);
    const b = await once(what);
    await attach(names);
    all.push(a);
    saved.push(a - b);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { all: median(all), saved: median(saved) };
}

const views = await store.client
  .query({
    query: "SELECT name, create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView' ORDER BY name",
    format: 'JSONEachRow',
  })
  .then((r) => r.json<{ name: string; q: string }>());
// eslint-disable-next-line no-restricted-syntax -- the bench's own table names against the store's own views
const on = (table: string) => views.filter((v) => new RegExp(`\\bFROM\\s+(\\w+\\.)?${table}\\b`).test(v.q)).map((v) => v.name);
const viewsOf: Record<Insert, string[]> = { spans: on('otel_traces'), touches: on('weft_span_touches') };
const detach = (names: string[]) => Promise.all(names.map((n) => store.client.command({ query: `DETACH TABLE ${n}` })));
const attach = (names: string[]) => Promise.all(names.map((n) => store.client.command({ query: `ATTACH TABLE ${n}` })));

await store.client.command({ query: 'SYSTEM STOP MERGES' });
await once('touches'); // the first inserts of a process pay for loading what they use: not measured
await once('spans');
const µs = (x: number) => `${x.toFixed(2)} µs`;
console.log(
  `the collector's load of ${rows.toLocaleString('en-US')}-span segments (${touchRows.toLocaleString('en-US')} touch rows each), merges stopped, each figure the median of ${ROUNDS} paired runs of ${SEGMENTS} segments; CPU of the process a span (each view: what detaching it saves):`,
);
let total = 0;
let bare = 0;
for (const what of ['touches', 'spans'] as const) {
  const { all, saved } = await saving(what, viewsOf[what]);
  total += all;
  bare += all - saved;
  console.log(
    `  ${what === 'spans' ? 'spans marked classified into otel_traces' : 'touches into weft_span_touches'}: ${µs(all)} with its ${viewsOf[what].length} views, ${µs(all - saved)} without any (the insert alone)`,
  );
  for (const view of viewsOf[what]) console.log(`    ${view.padEnd(34)} ${µs((await saving(what, [view])).saved).padStart(9)}`);
}
console.log(`both inserts: ${µs(total)} a span with the views, ${µs(bare)} without (the views ${((100 * (total - bare)) / total).toFixed(0)} %)`);
console.log(`machine load average (1 min) at start ${load0.toFixed(1)}, at end ${loadavg()[0].toFixed(1)}: figures scale with the CPU this process got`);
await store.close();
