// npm run bench:ingest — end-to-end OTLP ingest on the embedded store, against the engine's own
// insert limit measured in the same run on the same rows. Prints figures; asserts nothing but
// zero loss (every acknowledged span must be queryable).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { performance as perf } from 'node:perf_hooks';
import { join } from 'node:path';
import { migrate, openStore } from '../clickhouse/index.ts';
import { startCollector } from '../collector/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { amplificationBody, emptyMessagesBody, manyDaysBody, post, slowUpload } from './ingest-adversarial.ts';
import type { IngestLimits } from './ingest-limits.ts';
import { threadCpu, threadCpuSince } from './thread-cpu.ts';

/** A whole number ≥ 1 from the environment variable `name`, else `fallback`; throws naming the variable. */
function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${raw}: expected a whole number ≥ 1 (default ${fallback})`);
  return n;
}

const SPANS_PER_BODY = 512;
const BATCH_ROWS = positiveInt('BENCH_BATCH_ROWS', 50_000);
/** A small spool in the overload phase, so that backpressure (503) shows within the phase. */
const OVERLOAD_SPOOL_BYTES = 32 * 1024 * 1024;
const BODIES = 32;
const PHASE_MS = positiveInt('BENCH_PHASE_MS', 15_000);
const CONCURRENCY = positiveInt('BENCH_CONCURRENCY', 8);

interface SenderResult {
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  requests: number;
  /** CPU the sender process used (user + system), seconds. */
  cpuSeconds: number;
}

function runSender(url: string, bodiesFile: string, concurrency: number, ms: number, rate = 0): Promise<SenderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'ingest-sender.ts'), url, bodiesFile, String(concurrency), String(ms), String(rate)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as SenderResult) : reject(new Error(`sender exited ${code}`))));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
// The bench's directory goes whatever ends the run: its end, an error, Ctrl-C.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
// Raw retention past the 150 days of the adversarial phase's many-days batches, so TTL keeps them to be counted.
await migrate(store, { retention: { rawDays: 400, rollupDays: 400, recordDays: 730 } });
const count_ = async (where: string) => {
  const result = await store.client.query({ query: `SELECT count() AS n FROM otel_traces WHERE ${where}`, format: 'JSONEachRow' });
  const rows = await result.json<{ n: string }>();
  return Number(rows[0].n);
};
const count = async (table = 'otel_traces') =>
  Number((await store.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' }).then((r) => r.json<{ n: string }>()))[0].n);

let peakRss = 0;
/** process.memoryUsage() when RSS peaked: how much of it is JavaScript (heap, buffers) and how much the engine. */
let atPeak = process.memoryUsage();
let trackedAtPeak = 0;
/** RssAnon and RssFile (mapped files: the engine's library, node) from /proc/self/status, MiB; empty where there is none. */
const procStatus = () => {
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    // eslint-disable-next-line no-restricted-syntax -- the bench's own names against its own process's text
    const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return `anonymous ${(kib('RssAnon') / 1024).toFixed(0)} MiB, mapped files ${(kib('RssFile') / 1024).toFixed(0)} MiB`;
  } catch {
    return '';
  }
};
let statusAtPeak = '';
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peakRss) {
    peakRss = m.rss;
    atPeak = m;
    trackedAtPeak = engineTracked;
    statusAtPeak = procStatus();
  }
}, 20);
/** The engine's own tracked memory (system.metrics MemoryTracking), sampled every 250 ms; its peak. */
let engineTracked = 0;
let engineTrackedPeak = 0;
const engineSampler = setInterval(() => {
  void store.client
    .query({ query: "SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'", format: 'JSONEachRow' })
    .then((r) => r.json<{ value: string }>())
    .then(
      (rows) => {
        engineTracked = Number(rows[0]?.value ?? 0);
        engineTrackedPeak = Math.max(engineTrackedPeak, engineTracked);
      },
      () => undefined,
    );
}, 250);
const breakdown = () =>
  `JS heap ${mib(atPeak.heapUsed)} used of ${mib(atPeak.heapTotal)}, buffers and other memory outside the heap ${mib(atPeak.external)}; the rest (engine, its caches and the loaded library) ${mib(atPeak.rss - atPeak.heapTotal - atPeak.external)}, of which the engine tracked ${mib(trackedAtPeak)} in its last sample before the peak (sampled every 250 ms; its highest sample in the phase ${mib(engineTrackedPeak)})${statusAtPeak && `; RSS by kind: ${statusAtPeak}`}`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

const load0 = loadavg()[0];
const cores = cpus().length;
console.log(`encoding ${BODIES} request bodies of ${SPANS_PER_BODY} spans with the OpenTelemetry SDK's protobuf serializer (another process)…`);
const bodiesFile = join(dir, 'bodies.json');
execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ingest-encode.ts'), bodiesFile, String(BODIES), String(SPANS_PER_BODY)], {
  stdio: 'inherit',
});
const readBodies = () => (JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[]).map((b) => Buffer.from(b, 'base64'));
const bodySize = readBodies()[0].length;
console.log(`body size ${(bodySize / 1024).toFixed(0)} KiB (${(bodySize / SPANS_PER_BODY).toFixed(0)} bytes/span)`);

// The engine's limits and the JavaScript side alone, on a store of their own in another process (see ingest-limits.ts).
console.log("measuring the engine's limits and the JavaScript side alone (another process, a store of its own)…");
const limitsFile = join(dir, 'limits.json');
// The engine's own limits are measured with its allocator as it comes (JE_MALLOC_CONF empty: jemalloc's defaults), not
// with the shorter page decay Weft gives it (clickhouse/embedded-allocator.ts): the baseline stays the engine's own.
execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ingest-limits.ts'), dir, bodiesFile, String(BATCH_ROWS), limitsFile], {
  env: { ...process.env, JE_MALLOC_CONF: process.env.JE_MALLOC_CONF ?? '' },
  stdio: 'inherit',
  timeout: 15 * 60_000,
});
const limits = JSON.parse(readFileSync(limitsFile, 'utf8')) as IngestLimits;
const { touchRows, segmentRows, segments: SEGMENTS } = limits;
const engineBare = limits.bare.rowsPerSecond;
const engineSql = limits.sql.rowsPerSecond;
const engineRate = limits.collector.rowsPerSecond;
const [jsRateDecode, jsRate] = [limits.jsDecode, limits.jsClassify];
const baseRows = await count();

// --- end to end through the collector
const collector = await startCollector({
  config: {
    host: '127.0.0.1',
    port: 0,
    spoolDir: join(dir, 'spool'),
    spoolMaxBytes: 1024 * 1024 * 1024,
    maxBodyBytes: 20 * 1024 * 1024,
    batchRows: BATCH_ROWS,
    batchMaxWaitMs: 1000,
  },
  store,
  logger: silentLogger(),
});
peakRss = 0;
engineTrackedPeak = 0;
const rssBefore = process.memoryUsage().rss;
const statusBefore = procStatus();
const elu0 = perf.eventLoopUtilization();
const cpu0 = process.cpuUsage();
const threads0 = threadCpu();
const t0 = performance.now();
const phase1 = await runSender(collector.url, bodiesFile, CONCURRENCY, PHASE_MS);
const sendSecs = (performance.now() - t0) / 1000;
await collector.flush();
const e2eSecs = (performance.now() - t0) / 1000;
const elu = perf.eventLoopUtilization(elu0).utilization;
const cpu1 = process.cpuUsage(cpu0);
const threads1 = threadCpu();
const byThread1 = threadCpuSince(threads0, threads1);
const collectorCpu = (cpu1.user + cpu1.system) / 1e6;
const selfMetrics = await (await fetch(`${collector.url}/metrics`)).text();
const insertBusy = Number(/^weft_collector_insert_duration_seconds_sum (\S+)$/m.exec(selfMetrics)?.[1] ?? 0);
const acked1 = (phase1.statuses['200'] ?? 0) * SPANS_PER_BODY;
const stored1 = (await count()) - baseRows;
const e2eRate = acked1 / e2eSecs;
const rss1 = peakRss;
const breakdown1 = breakdown();
// Whether merges keep up: active parts per table once the first phase is stored.
const parts = await store.client
  .query({
    query: 'SELECT table, count() AS n FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY n DESC LIMIT 4',
    format: 'JSONEachRow',
  })
  .then((r) => r.json<{ table: string; n: string }>());

// The merges the first phase left behind (run after it, before the next phase): part of what ingest costs.
const debt0 = process.cpuUsage();
const debtThreads0 = threadCpu();
const mergesLeft = await (async () => {
  for (let waited = 0; waited < 120_000; waited += 100) {
    const r = await store.client.query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' });
    if (Number((await r.json<{ n: string }>())[0].n) === 0) return waited;
    await new Promise((r) => setTimeout(r, 100));
  }
  return 120_000;
})();
const debtCpu = process.cpuUsage(debt0);
const byThreadDebt = threadCpuSince(debtThreads0);

// --- twice the sustainable load, open loop: backpressure must answer, memory must stay bounded
const spoolSmall = await (async () => {
  await collector.stop();
  return startCollector({
    config: {
      host: '127.0.0.1',
      port: 0,
      spoolDir: join(dir, 'spool'),
      spoolMaxBytes: OVERLOAD_SPOOL_BYTES,
      maxBodyBytes: 20 * 1024 * 1024,
      batchRows: BATCH_ROWS,
      batchMaxWaitMs: 1000,
    },
    store,
    logger: silentLogger(),
  });
})();
peakRss = 0;
const rate2 = (2 * e2eRate) / SPANS_PER_BODY;
const phase2 = await runSender(spoolSmall.url, bodiesFile, 64, PHASE_MS, rate2);
await spoolSmall.flush();
const acked2 = (phase2.statuses['200'] ?? 0) * SPANS_PER_BODY;
const stored2 = (await count()) - baseRows - stored1;
const rss2 = peakRss;
await spoolSmall.stop();

// --- adversarial: normal load (as in the first phase) with hostile requests mixed in
const NORMAL = `ServiceName IN ('crm-sync', 'erp-bridge', 'billing-export', 'order-router')`;
const normalBefore = await count_(NORMAL);
const adversarial = await startCollector({
  config: {
    host: '127.0.0.1',
    port: 0,
    spoolDir: join(dir, 'spool'),
    spoolMaxBytes: 1024 * 1024 * 1024,
    maxBodyBytes: 20 * 1024 * 1024,
    batchRows: BATCH_ROWS,
    batchMaxWaitMs: 1000,
    limits: { bodyTimeoutMs: 5000 },
  },
  store,
  logger: silentLogger(),
});
const amplify = amplificationBody();
const manyDays = manyDaysBody();
const empties = emptyMessagesBody();
peakRss = 0;
const slow = Array.from({ length: 4 }, () => slowUpload(adversarial.url));
const hostile = { amplify: {} as Record<string, number>, days: {} as Record<string, number>, empties: {} as Record<string, number> };
const tally = (m: Record<string, number>, s: number) => (m[s] = (m[s] ?? 0) + 1);
let hostileRunning = true;
const hostileLoop = (async () => {
  while (hostileRunning) {
    tally(hostile.amplify, await post(adversarial.url, amplify, true));
    // A new body each time (its times move on): the same bytes again would be a retry, stored once.
    tally(hostile.days, await post(adversarial.url, manyDaysBody()));
    tally(hostile.empties, await post(adversarial.url, empties, true, 'metrics'));
    await new Promise((r) => setTimeout(r, 500));
  }
})();
const t3 = performance.now();
const phase3 = await runSender(adversarial.url, bodiesFile, CONCURRENCY, PHASE_MS);
hostileRunning = false;
await hostileLoop;
const slowStatuses = await Promise.all(slow.map((s) => Promise.race([s.answer, new Promise<number>((r) => setTimeout(() => r(0), 100))])));
for (const s of slow) s.stop();
await adversarial.flush();
const adversarialSecs = (performance.now() - t3) / 1000;
const selfMetrics3 = await (await fetch(`${adversarial.url}/metrics`)).text();
await adversarial.stop();
const acked3 = (phase3.statuses['200'] ?? 0) * SPANS_PER_BODY;
const stored3 = (await count_(NORMAL)) - normalBefore;
const daysStored = await count_(`ServiceName = 'adversarial-days'`);
const rss3 = peakRss;
clearInterval(sampler);
clearInterval(engineSampler);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log('');
console.log(
  `machine load average (1 min) at start ${load0.toFixed(1)}, at end ${loadavg()[0].toFixed(1)} on ${cores} cores: figures scale with the CPU this process actually got`,
);
console.log(`engine limit, INSERT … SELECT FROM file (${SEGMENTS} segments of ${fmt(segmentRows)} rows, RowBinary):`);
const perRow = (l: { cpuMicrosPerRow: number }) => `${l.cpuMicrosPerRow.toFixed(1)} µs CPU a row`;
console.log(`  into a bare copy of otel_traces (no views):                             ${fmt(engineBare)} rows/s (${perRow(limits.bare)})`);
console.log(`  as the collector loads (${fmt(touchRows)} touches, then the spans marked classified): ${fmt(engineRate)} rows/s (${perRow(limits.collector)})`);
console.log(`  into otel_traces as another writer (views classify in SQL):             ${fmt(engineSql)} rows/s (${perRow(limits.sql)})`);
console.log(
  `JavaScript side alone (one core): decode protobuf → RowBinary ${fmt(jsRateDecode)} spans/s; with the classification (touch rows) ${fmt(jsRate)} spans/s`,
);
// What the CPU allows: every span costs its decoding and classification (on the main thread, one core)
// plus the engine's load (merges after it not counted); before HTTP and the spool, the collector cannot
// go faster than all the cores can do both, nor than the main thread can do its part.
const jsMicros = 1e6 / jsRate;
const floorMicros = jsMicros + limits.collector.cpuMicrosPerRow;
const ceiling = Math.min((cores * 1e6) / floorMicros, jsRate);
console.log(
  `CPU ceiling on ${cores} cores: decode + classify ${jsMicros.toFixed(1)} µs (main thread) + the collector's load ${limits.collector.cpuMicrosPerRow.toFixed(1)} µs = ` +
    `${floorMicros.toFixed(1)} µs a span → at most ${fmt(ceiling)} spans/s (${(ceiling / engineBare).toFixed(2)} of the bare table) ` +
    `before HTTP, the spool and merges; 0.8 of the bare table would need ${((cores * 1e6) / (0.8 * engineBare)).toFixed(1)} µs a span in all`,
);
console.log(
  `end to end (${CONCURRENCY} connections, ${(PHASE_MS / 1000).toFixed(0)} s of sending + drain): ${fmt(e2eRate)} spans/s  [${fmt(acked1)} spans acknowledged, sending ${sendSecs.toFixed(1)} s, queryable after ${e2eSecs.toFixed(1)} s]`,
);
console.log(
  `ratio end to end / engine as the collector loads: ${(e2eRate / engineRate).toFixed(2)}; against the bare table: ${(e2eRate / engineBare).toFixed(2)}`,
);
console.log(
  `request latency (${SPANS_PER_BODY} spans/request): p50 ${phase1.p50.toFixed(1)} ms, p99 ${phase1.p99.toFixed(1)} ms; statuses ${JSON.stringify(phase1.statuses)}`,
);
console.log(`peak RSS (collector + embedded engine): ${mib(rss1)} — at the peak: ${breakdown1}`);
console.log(`  RSS when the collector started: ${mib(rssBefore)}${statusBefore && ` (${statusBefore})`}`);
console.log(
  `where the time goes: main thread (HTTP + decode + spool) busy ${(elu * 100).toFixed(0)}%; loader inserting ${((insertBusy / e2eSecs) * 100).toFixed(0)}% of the run (${insertBusy.toFixed(1)} s of ${e2eSecs.toFixed(1)} s)`,
);
console.log(
  `CPU: collector + engine ${(collectorCpu / e2eSecs).toFixed(2)} cores (${((collectorCpu / acked1) * 1e6).toFixed(1)} µs a span), sender ${(phase1.cpuSeconds / e2eSecs).toFixed(2)} cores, of ${cores}`,
);
const threadList = (l: [string, number][]) => l.map(([n, sec]) => `${n} ${((sec / acked1) * 1e6).toFixed(1)}`).join(', ');
console.log(`  CPU a span by thread (µs; main = HTTP, decode, classify, spool): ${threadList(byThread1)}`);
console.log(
  `  merges left behind: ${(mergesLeft / 1000).toFixed(1)} s until none ran, ${((debtCpu.user + debtCpu.system) / acked1).toFixed(1)} µs CPU a span more (${threadList(byThreadDebt)})`,
);
console.log(`active parts after it (merges keeping up): ${parts.map((p) => `${p.table} ${p.n}`).join(', ')}`);
console.log(`loss: acknowledged ${fmt(acked1)}, stored ${fmt(stored1)} → ${acked1 === stored1 ? 'zero loss' : `MISMATCH ${fmt(stored1 - acked1)}`}`);
console.log('');
console.log(
  `overload at 2× (${fmt(rate2 * SPANS_PER_BODY)} spans/s offered, 64 connections, ${mib(OVERLOAD_SPOOL_BYTES)} spool): statuses ${JSON.stringify(phase2.statuses)}, p50 ${phase2.p50.toFixed(1)} ms, p99 ${phase2.p99.toFixed(1)} ms`,
);
console.log(
  `peak RSS under overload: ${mib(rss2)}; acknowledged ${fmt(acked2)}, stored ${fmt(stored2)} → ${acked2 === stored2 ? 'zero loss' : `MISMATCH ${fmt(stored2 - acked2)}`}`,
);
console.log('');
// eslint-disable-next-line no-restricted-syntax -- the bench's own names against its own process's text
const selfMetric = (name: string) => new RegExp(`^${name} (\\d+)$`, 'm').exec(selfMetrics3)?.[1];
const daysAcked = (hostile.days['200'] ?? 0) * 150;
console.log(
  `adversarial (normal load on ${CONCURRENCY} connections for ${(PHASE_MS / 1000).toFixed(0)} s, with hostile requests mixed in one after another, 0.5 s apart, ` +
    'and 4 uploads announcing 20 MiB at a byte a second):',
);
const amplifyKiB = (amplify.length / 1024).toFixed(0);
console.log(`  amplification requests (4 MiB of resource attributes × 2,000 spans, ${amplifyKiB} KiB gzipped): ${JSON.stringify(hostile.amplify)}`);
console.log(
  `  empty-message requests (10 million empty ResourceMetrics, ${(empties.length / 1024).toFixed(0)} KiB gzipped, 20 MiB inflated): ${JSON.stringify(hostile.empties)}`,
);
console.log(`  many-days batches (150 spans on 150 days, ${(manyDays.length / 1024).toFixed(0)} KiB): statuses ${JSON.stringify(hostile.days)}`);
console.log(`    stored ${fmt(daysStored)} of ${fmt(daysAcked)} acknowledged; segments split ${selfMetric('weft_collector_segments_split_total')}`);
console.log(`    quarantined segments ${selfMetric('weft_collector_quarantined_segments')}`);
console.log(`  slow uploads: answered ${JSON.stringify(slowStatuses)} (408 = cut at the body deadline, 5 s here)`);
console.log(`  normal spans: ${fmt(acked3 / adversarialSecs)} spans/s stored (first phase, same run, no hostile requests: ${fmt(e2eRate)})`);
console.log(`    statuses ${JSON.stringify(phase3.statuses)}`);
console.log(`  peak RSS: ${mib(rss3)} (first phase: ${mib(rss1)})`);
const loss3 = acked3 === stored3 ? 'zero loss' : `MISMATCH ${fmt(stored3 - acked3)}`;
console.log(`  loss of acknowledged normal spans: acknowledged ${fmt(acked3)}, stored ${fmt(stored3)} → ${loss3}`);
await store.close();
