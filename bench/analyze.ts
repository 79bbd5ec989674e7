/**
 * npm run bench:analyze — what a user and the alerting wait for, read from the rollups: the graph
 * (GET /api/v1/graph), an analyzer run with its findings (POST /api/v1/analyzer/run: pairing, a
 * snapshot, the finding sync; then GET /api/v1/findings) and one alert evaluation (every derived rule,
 * as it runs every interval: the lease held, the seasonal baseline read again), each timed on a started
 * server as a running Weft meets it (the third pass of graph, inventory, run and list; the first, which pays the
 * process's one-time compilations, printed beside it), at 1M, 10M, 100M spans stored (every tenfold from 1M) and at the end,
 * against the naive approach over raw spans in the same run (given at most 120 s a query; "> 120 s"
 * when it needed more). The measure is graph + findings + alert evaluation; it must stay under 1 s and
 * flat from 1M to 100M (its cost follows the window and the estate, not the history).
 *
 * Spans are generated inside the engine (INSERT … SELECT FROM numbers(), bench/analyze-estate.ts), at
 * most 1M an insert, each insert the next slice of its day (as spans arrive), into `otel_traces` and its
 * views, with what each span touched written beside them as Weft's collector writes it (the touch rows,
 * checked against the SQL classification by bench/analyze-estate.test.ts); each day is followed by the
 * pairing job (and so is the first 1M, to be measured). The analyzer's clock is 2 minutes past the
 * newest span. The summary compares the last measurement with the first, and the pairing job's time per
 * day of data, first days against last (flat: its cost follows what arrived, not the days stored).
 *
 * Generating costs ~4 µs of engine CPU a span and pairing ~4 µs (2 cores, 2026): 100M spans, 100 days
 * of 1M (the default spread: the 24 h window holds the same 1M spans at every measurement, so what grows
 * is only the history), take about half an hour with the naive baseline.
 * Usage: tsx bench/analyze.ts [totalSpans=10000000] [spansPerDay=1000000] [--keep]
 *        tsx bench/analyze.ts --measure DIR
 * `--keep` leaves the store (and bench.json: the analyzer's clock and the spans stored) in the printed directory;
 * `--measure DIR` measures such a store again, without generating anything: a store generated on a busy machine is
 * measured when it is quiet, and stores of different sizes one after the other at the same load.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startAlerting } from '../alerting/index.ts';
import { startAnalyzer, runPairing } from '../analyzer/index.ts';
import { buildApiApp } from '../api/index.ts';
import type { Finding, Graph } from '../api/schemas/index.ts';
import { migrate, openStore } from '../clickhouse/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { benchCatalog, generateSpans } from './analyze-estate.ts';
import { naiveGraph } from './analyze-naive.ts';
import { benchScratch } from './scratch.ts';

const DAY = 86_400_000;
/** Spans one insert carries at most (the views aggregate an insert block in memory). */
const INSERT_SPANS = 1_000_000;
/** How long the naive baseline may run at one measurement (ms). */
const NAIVE_BUDGET_MS = 120_000;
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const measureAt = args.includes('--measure') ? args[args.indexOf('--measure') + 1] : undefined;
if (args.includes('--measure') && !measureAt) throw new Error('--measure needs the directory a --keep run printed');
const numbers = args.filter((a) => /^\d+$/.test(a));
const [total, perDay] = [Number(numbers[0] ?? 10_000_000), Number(numbers[1] ?? 1_000_000)];
if (!measureAt && !(total > 0 && perDay > 0)) throw new Error(`usage: tsx bench/analyze.ts [totalSpans] [spansPerDay] [--keep] | --measure DIR`);
// A --measure DIR is opened (and migrated) only when a --keep run left it: any other directory, a Weft's own data
// directory included, is not touched.
if (measureAt && !existsSync(join(measureAt, 'bench.json'))) {
  console.error(`--measure ${measureAt}: not a store kept by \`bench/analyze.ts --keep\` (it has no bench.json); nothing was opened.`);
  process.exit(2);
}
// A --measure DIR store is never removed; a --keep run's is kept when it completes (removed when it fails or on Ctrl-C).
const { dir, stopIfInterrupted, closing, run } = benchScratch('weft-bench-analyze-', { existing: measureAt, keep });
await run(async () => {
  /** What a kept store needs to be measured again: the analyzer's clock (epoch ms) and the spans stored. */
  const state = join(dir, 'bench.json');
  const store = closing(await openStore({ kind: 'embedded', path: join(dir, 'data') }), (s) => s.close());
  await migrate(store, { retention: { rawDays: 3650, rollupDays: 3650, recordDays: 3650 } });
  const catalog = benchCatalog();
  const ms = (t0: number) => Math.round(performance.now() - t0);
  const load = () => loadavg()[0].toFixed(1);
  // The first insert's slice ends a minute from now, later ones follow: the analyzer's clock (2 minutes past
  // the newest span) is then never behind the arrival stamps (the store's clock at insert), as in real use,
  // where pairing and the graph count what arrived after the last pairing run as still pending.
  const base = Date.now() - Math.round(DAY / Math.ceil(Math.min(perDay, total) / INSERT_SPANS)) + 60_000;
  let clock = measureAt ? (JSON.parse(readFileSync(state, 'utf8')) as { clock: number }).clock : base;
  const logger = silentLogger();
  const wall0 = performance.now();

  /** graph + findings + alert evaluation (ms) at each measurement, and the pairing job's ms per day of data, for the summary. */
  const measured: { label: string; ms: number }[] = [];
  const pairingMs: number[] = [];

  /** The naive edges from raw spans, stopped after NAIVE_BUDGET_MS: its time (ms), or null when it needed more. */
  async function naive(): Promise<{ ms: number | null; edges: number }> {
    const t0 = performance.now();
    try {
      const r = await naiveGraph(store, catalog, clock - DAY, clock, NAIVE_BUDGET_MS / 1000);
      return { ms: ms(t0), edges: r.edges };
    } catch (err) {
      if (/TIMEOUT_EXCEEDED|timeout/i.test(String((err as Error).message))) return { ms: null, edges: 0 };
      throw err;
    }
  }

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
    // A started server: its routes and serializers are compiled before the first request is timed.
    await app.ready();
    const call = async <T = unknown>(method: 'GET' | 'POST', url: string) => {
      const t0 = performance.now();
      const r = await app.inject(method === 'POST' ? { method, url, headers: { 'content-type': 'application/json' }, payload: '{}' } : { method, url });
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
      return { ms: ms(t0), body: r.json<T>() };
    };
    const pass = async () => {
      const graph = await call<Graph>('GET', '/api/v1/graph');
      const inventory = await call('GET', '/api/v1/inventory/flows');
      const run = await call('POST', '/api/v1/analyzer/run');
      const findings = await call<{ findings: Finding[] }>('GET', '/api/v1/findings');
      return { graph, inventory, run, findings };
    };
    // The first calls of a process pay what a running Weft pays once: the response serializers check a value against
    // each union of their schema with a validator compiled at its first use (~65 ms for the graph at 1M), the engine
    // compiles the expressions of a statement at its fourth execution (min_count_to_compile_expression = 3: 250–350 ms
    // once, in the second pass here), and its caches fill. The measure is the third pass, as the analyzer and the UI
    // meet it every interval once a Weft has run a while; the first is printed beside it.
    const first = await pass();
    await pass();
    const { graph, inventory, run, findings } = await pass();
    await app.close();
    await analyzer.stop();
    const alerting = startAlerting({
      store,
      catalog: () => catalog,
      findings: analyzer.findings,
      logger,
      env: () => undefined,
      clock: { now: () => new Date(clock) },
      intervalMs: 10_000,
      externalUrl: 'http://127.0.0.1',
      schedule: false,
      holder: 'bench',
    });
    // The evaluation as it runs every interval: the lease already held (claiming it waits 250 ms for a rival
    // claim, once per process), the seasonal baseline read again. It is cached for ten minutes of the pairing
    // watermark's progress, and the windows of counts end at the watermark (a minute before the clock here): the
    // warm evaluation is 21 minutes earlier, so the measured one's watermark is 20 minutes on.
    const now = clock;
    clock = now - 21 * 60_000;
    await alerting.evaluateNow();
    clock = now;
    const t0 = performance.now();
    const report = await alerting.evaluateNow();
    const alertMs = ms(t0);
    await alerting.stop();
    if (report.errors.length > 0) throw new Error(`alert evaluation: ${report.errors.join('; ')}`);
    const sum = graph.ms + run.ms + findings.ms + alertMs;
    const naiveRun = await naive();
    const rows = await store.client
      .query({
        query:
          'SELECT (SELECT count() FROM otel_traces) AS spans, (SELECT count() FROM weft_flow_edges_1m) AS edge_rows, (SELECT count() FROM weft_endpoint_rollup_1m) AS endpoint_rows',
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ spans: string; edge_rows: string; endpoint_rows: string }>());
    const naiveText =
      naiveRun.ms === null
        ? `naive from raw spans > ${NAIVE_BUDGET_MS} ms (stopped) → > ${(NAIVE_BUDGET_MS / Math.max(1, sum)).toFixed(0)}x`
        : `naive from raw spans ${naiveRun.ms} ms (${naiveRun.edges} per integration) → ${(naiveRun.ms / Math.max(1, sum)).toFixed(1)}x`;
    console.log(
      `${label.padEnd(4)} (load ${load()}) spans=${rows[0].spans} edge-rows=${rows[0].edge_rows} endpoint-rows=${rows[0].endpoint_rows} | graph ${graph.ms} ms ` +
        `(${graph.body.edges.length} edges, ${graph.body.integrations.reduce((n, i) => n + i.edges, 0)} per integration, ${graph.body.sprawl.undocumentedEdges} undocumented) ` +
        `| inventory ${inventory.ms} ms | findings run ${run.ms} ms + list ${findings.ms} ms (${findings.body.findings.length} open) | alert evaluation ${alertMs} ms ` +
        `(first calls of the process: graph ${first.graph.ms} ms, inventory ${first.inventory.ms} ms, findings run ${first.run.ms} ms + list ${first.findings.ms} ms) ` +
        `(${report.alerts} firing or pending) | graph+findings+alerts ${sum} ms (load ${load()}) | ${naiveText}`,
    );
    measured.push({ label, ms: sum });
  }

  const label = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(0)}M` : `${(n / 1e3).toFixed(0)}k`);
  if (measureAt) {
    const { spans } = JSON.parse(readFileSync(state, 'utf8')) as { spans: number };
    console.log(`bench:analyze --measure — the store in ${dir} (${spans.toLocaleString()} spans), analyzer clock ${new Date(clock).toISOString()}`);
    await measure(label(spans));
    return;
  }
  const tenfold = (n: number) => n >= 1e6 && Math.log10(n) % 1 === 0;
  console.log(
    `bench:analyze — ${total.toLocaleString()} spans, ${perDay.toLocaleString()} a day, at most ${INSERT_SPANS.toLocaleString()} an insert, ` +
      `200 integrations, 50 systems; window 24h; data in ${dir}`,
  );
  let loaded = 0;
  let day = 0;
  while (loaded < total) {
    const n = Math.min(perDay, total - loaded);
    const start = base + day * DAY;
    const inserts = Math.ceil(n / INSERT_SPANS);
    const t0 = performance.now();
    let genMs = 0;
    let dayPairingMs = 0;
    let paired = 0;
    let done = 0;
    for (let i = 0; done < n; i++) {
      const k = Math.min(INSERT_SPANS, n - done);
      // As spans arrive: each insert holds the next slice of the day (trace ids continue across inserts);
      // the analyzer's clock is 2 minutes past the newest span.
      const from = start + Math.round((i * DAY) / inserts);
      const to = start + Math.round(((i + 1) * DAY) / inserts);
      clock = to + 120_000;
      stopIfInterrupted();
      const g0 = performance.now();
      await generateSpans(store, k, loaded + done, from, to - from);
      genMs += performance.now() - g0;
      done += k;
      const measureNow = tenfold(loaded + done) && done < n;
      stopIfInterrupted();
      if (done === n || measureNow) {
        const p0 = performance.now();
        paired += (await runPairing(store, new Date(clock), 60_000)).paired;
        dayPairingMs += performance.now() - p0;
      }
      if (measureNow) await measure(label(loaded + done));
    }
    pairingMs.push(Math.round(dayPairingMs));
    console.log(
      `day ${day + 1} (load ${load()}): ${n.toLocaleString()} spans generated and rolled up in ${Math.round(genMs)} ms ` +
        `(${Math.round(n / (genMs / 1000)).toLocaleString()} spans/s); pairing job ${Math.round(dayPairingMs)} ms (${paired.toLocaleString()} units); ` +
        `${Math.round((performance.now() - t0) / 1000)} s with the measurements`,
    );
    loaded += n;
    day++;
    writeFileSync(state, JSON.stringify({ clock, spans: loaded }));
    if (tenfold(loaded) || loaded === total) await measure(label(loaded));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const first = measured[0];
  console.log(
    `summary (load ${load()}): graph+findings+alerts ${measured.map((m) => `${m.label} ${m.ms} ms`).join(', ')}; last/first ${(measured[measured.length - 1].ms / first.ms).toFixed(2)}`,
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
  console.log(`total ${Math.round((performance.now() - wall0) / 1000)} s (load ${load()})`);
  if (keep) console.log(`store kept in ${dir}: measure it again with tsx bench/analyze.ts --measure ${dir}`);
});
