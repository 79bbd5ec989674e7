/**
 * npm run bench:alerts (second part) — one alert evaluation (every derived rule over the benchmark
 * estate's ~390 flows: latency p95/p99, error rate, staleness, seasonal throughput drop, telemetry gap)
 * timed at 1M and at 10M spans of history, to show it stays flat: it reads rollups and recent windows.
 * Usage: tsx bench/alerts-eval.ts [totalSpans=10000000] [spansPerDay=1000000]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startAlerting } from '../alerting/index.ts';
import { runPairing } from '../analyzer/index.ts';
import { migrate, openStore } from '../clickhouse/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { createFindingStore } from '../findings/index.ts';
import { benchCatalog, generateSpans } from './analyze-estate.ts';
import { benchScratch } from './scratch.ts';

const DAY = 86_400_000;
const total = Number(process.argv[2] ?? 10_000_000);
const perDay = Number(process.argv[3] ?? 1_000_000);
const { dir, stopIfInterrupted, closing, run } = benchScratch('alerting-bench-eval-');
await run(async () => {
  const store = closing(await openStore({ kind: 'embedded', path: join(dir, 'data') }), (s) => s.close());
  await migrate(store, { retention: { rawDays: 3650, rollupDays: 3650, recordDays: 3650 } });
  const catalog = benchCatalog();
  // As bench:analyze: the first day ends now, later days follow (the trace-touch tables keep only recent hours).
  const base = Date.now() - DAY + 60_000;
  let clock = base;
  const ms = (t0: number) => performance.now() - t0;

  async function measure(label: string): Promise<number> {
    const alerting = startAlerting({
      store,
      catalog: () => catalog,
      findings: createFindingStore(store),
      logger: silentLogger(),
      env: () => undefined,
      clock: { now: () => new Date(clock) },
      intervalMs: 10_000,
      externalUrl: 'http://127.0.0.1',
      schedule: false,
      holder: 'bench',
    });
    const times: number[] = [];
    let report;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      report = await alerting.evaluateNow();
      times.push(ms(t0));
      clock += 10_000;
    }
    await alerting.stop();
    times.sort((a, b) => a - b);
    const median = times[2];
    const rows = await store.client
      .query({
        query:
          'SELECT (SELECT count() FROM otel_traces) AS spans, (SELECT count() FROM weft_flow_edges_1m) AS m, (SELECT count() FROM weft_flow_edges_1h) AS h',
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ spans: string; m: string; h: string }>());
    console.log(
      `${label.padEnd(4)} (load ${loadavg()[0].toFixed(1)}) spans=${rows[0].spans} minute-rows=${rows[0].m} hour-rows=${rows[0].h} | evaluation median ${median.toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)}) | ${report!.alerts} open alerts, ${report!.errors.length} errors`,
    );
    return median;
  }

  console.log(`bench:alerts (evaluation) — ${total.toLocaleString()} spans, ${perDay.toLocaleString()} a day, ${catalog.flows.length} flows; data in ${dir}`);
  let loaded = 0;
  let day = 0;
  const medians: Record<string, number> = {};
  while (loaded < total) {
    const n = Math.min(perDay, total - loaded);
    const start = base + day * DAY;
    stopIfInterrupted();
    await generateSpans(store, n, loaded, start, DAY);
    stopIfInterrupted();
    clock = start + DAY + 120_000;
    await runPairing(store, new Date(clock), 60_000);
    stopIfInterrupted();
    loaded += n;
    day++;
    if (loaded === Math.min(perDay, total) || loaded === total) {
      const label = `${(loaded / 1e6).toFixed(0)}M`;
      medians[label] = await measure(label);
    }
  }
  const labels = Object.keys(medians);
  if (labels.length === 2)
    console.log(`evaluation at ${labels[1]} / at ${labels[0]}: ${(medians[labels[1]] / medians[labels[0]]).toFixed(2)}x (flat is 1.0x; the machine is shared)`);
});
