/**
 * npm run bench:analyze — graph, inventory and findings from the rollups, timed from a cold API
 * call after the first day, at every tenfold of it (1M, 10M, 100M with the defaults) and at the end,
 * against the naive approach over raw spans in the same run. Spans are generated inside the engine
 * (INSERT … SELECT FROM numbers(), bench/analyze-estate.ts), one day at a time, each day followed
 * by the pairing job; the summary compares the last measurement and the last days' pairing with
 * the first (flat means the cost follows the window, not the history).
 * Usage: tsx bench/analyze.ts [totalSpans=10000000] [spansPerDay=1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnalyzer, runPairing } from '../analyzer/index.ts';
import { buildApiApp } from '../api/index.ts';
import type { Finding, Graph } from '../api/schemas/index.ts';
import { migrate, openStore } from '../clickhouse/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { benchCatalog, generateSpans } from './analyze-estate.ts';
import { naiveGraph } from './analyze-naive.ts';

const DAY = 86_400_000;
const total = Number(process.argv[2] ?? 10_000_000);
const perDay = Number(process.argv[3] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'weft-bench-analyze-'));
const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
await migrate(store, { retention: { rawDays: 3650, rollupDays: 3650, recordDays: 3650 } });
const catalog = benchCatalog();
const ms = (t0: number) => Math.round(performance.now() - t0);
const base = Date.now() - DAY + 60_000;
let clock = base;
const logger = silentLogger();

/** graph + findings (ms) at each measurement, and the pairing job's ms per day, for the summary. */
const measured: { label: string; ms: number }[] = [];
const pairingMs: number[] = [];

async function measure(label: string) {
  const analyzer = startAnalyzer({
    store,
    catalog,
    logger,
    config: { intervalMs: 3_600_000, windowMs: DAY, lateMs: 60_000 },
    clock: { now: () => new Date(clock) },
    schedule: false,
  });
  const app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger, services: { store, analyzer } });
  const call = async <T = unknown>(method: 'GET' | 'POST', url: string) => {
    const t0 = performance.now();
    const r = await app.inject(method === 'POST' ? { method, url, headers: { 'content-type': 'application/json' }, payload: '{}' } : { method, url });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    return { ms: ms(t0), body: r.json<T>() };
  };
  const graph = await call<Graph>('GET', '/api/v1/graph');
  const inventory = await call('GET', '/api/v1/inventory/flows');
  const run = await call('POST', '/api/v1/analyzer/run');
  const findings = await call<{ findings: Finding[] }>('GET', '/api/v1/findings');
  const t0 = performance.now();
  const naive = await naiveGraph(store, catalog, clock - DAY, clock);
  const naiveMs = ms(t0);
  const rows = await store.client
    .query({ query: 'SELECT (SELECT count() FROM otel_traces) AS spans, (SELECT count() FROM weft_flow_edges_1m) AS edge_rows', format: 'JSONEachRow' })
    .then((r) => r.json<{ spans: string; edge_rows: string }>());
  console.log(
    `${label.padEnd(4)} (load ${loadavg()[0].toFixed(1)}) spans=${rows[0].spans} edge-rows=${rows[0].edge_rows} | graph ${graph.ms} ms (${graph.body.edges.length} edges, ${graph.body.integrations.reduce((n, i) => n + i.edges, 0)} per integration, ${graph.body.sprawl.undocumentedEdges} undocumented) | inventory ${inventory.ms} ms | findings run ${run.ms} ms + list ${findings.ms} ms (${findings.body.findings.length} open) | graph+findings ${graph.ms + run.ms + findings.ms} ms | naive from raw spans ${naiveMs} ms (${naive.edges} per integration) → ${(naiveMs / Math.max(1, graph.ms + run.ms + findings.ms)).toFixed(1)}x`,
  );
  measured.push({ label, ms: graph.ms + run.ms + findings.ms });
  await app.close();
  await analyzer.stop();
}

console.log(`bench:analyze — ${total.toLocaleString()} spans, ${perDay.toLocaleString()} a day, 200 integrations, 50 systems; window 24h; data in ${dir}`);
let loaded = 0;
let day = 0;
while (loaded < total) {
  const n = Math.min(perDay, total - loaded);
  const start = base + day * DAY;
  const t0 = performance.now();
  await generateSpans(store, n, loaded, start, DAY);
  const loadMs = ms(t0);
  clock = start + DAY + 120_000;
  const t1 = performance.now();
  const paired = await runPairing(store, new Date(clock), 60_000);
  pairingMs.push(ms(t1));
  console.log(
    `day ${day + 1}: ${n.toLocaleString()} spans generated and rolled up in ${loadMs} ms (${Math.round(n / (loadMs / 1000)).toLocaleString()} spans/s); pairing job ${ms(t1)} ms (${paired.paired.toLocaleString()} units, ${paired.pending.traces} pending)`,
  );
  loaded += n;
  day++;
  const decade = Math.log10(day) % 1 === 0;
  if (decade || loaded === total) await measure(loaded >= 1e6 ? `${(loaded / 1e6).toFixed(0)}M` : `${(loaded / 1e3).toFixed(0)}k`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const first = measured[0];
console.log(
  `summary (load ${loadavg()[0].toFixed(1)}): graph+findings ${measured.map((m) => `${m.label} ${m.ms} ms`).join(', ')}; last/first ${(measured[measured.length - 1].ms / first.ms).toFixed(2)}`,
);
if (pairingMs.length > 1) {
  const k = Math.min(3, Math.floor(pairingMs.length / 2));
  console.log(
    `pairing job per day: median of the first ${k} days ${median(pairingMs.slice(0, k))} ms, of the last ${k} days ${median(pairingMs.slice(-k))} ms ` +
      `(ratio ${(median(pairingMs.slice(-k)) / median(pairingMs.slice(0, k))).toFixed(2)}; flat is 1.0), over ${pairingMs.length} days stored`,
  );
}
// Pairing reads what arrived since its last run: its time per day of data must not grow with the days stored.
console.log(`pairing time per day of data (ms), day 1..${pairingMs.length}: ${pairingMs.join(', ')}`);
await store.close();
rmSync(dir, { recursive: true, force: true });
