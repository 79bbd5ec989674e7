// npm run bench:pairing-tick [ticks] [spansPerTick] — the pairing job as a running Weft meets it every few seconds:
// a little new telemetry since the last run (the bench estate's spans, generated inside the engine), paired at once.
// At that size a run's time is mostly the engine analysing its statements, not reading rows. Two stores get the same
// spans, tick by tick, in alternating blocks of five ticks: one pairs with the embedded session's settings
// (EMBEDDED_SESSION_SETTINGS, clickhouse/embedded-session.ts), the other, the baseline in the same run, with
// ClickHouse's defaults for them. Prints
// the median and quartiles of a run's time (ms) in each mode, and their ratio.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runPairing } from '../analyzer/index.ts';
import { migrate, openStore, type Store } from '../clickhouse/index.ts';
import { EMBEDDED_SESSION_SETTINGS, setStatement } from '../clickhouse/embedded-session.ts';
import { generateSpans } from './analyze-estate.ts';
import { benchScratch } from './scratch.ts';

const numbers = process.argv.slice(2).filter((a) => /^\d+$/.test(a));
const ticks = Number(numbers[0] ?? 30);
const perTick = Number(numbers[1] ?? 400);
if (!(ticks > 0 && perTick >= 4)) throw new Error('usage: tsx bench/pairing-tick.ts [ticks ≥ 1] [spansPerTick ≥ 4]');

const { dir, stopIfInterrupted, run } = benchScratch('weft-bench-pairing-');

const defaults = Object.fromEntries(Object.keys(EMBEDDED_SESSION_SETTINGS).map((k) => [k, 1]));
const modes = { weft: setStatement(EMBEDDED_SESSION_SETTINGS), clickhouse: setStatement(defaults) } as const;
type Mode = keyof typeof modes;

/** One embedded store per mode (one engine per process: opened in turn), each with the same history. */
async function withStore<T>(name: Mode, f: (store: Store) => Promise<T>): Promise<T> {
  stopIfInterrupted();
  const store = await openStore({ kind: 'embedded', path: join(dir, name) });
  try {
    await store.client.command({ query: modes[name] });
    return await f(store);
  } finally {
    await store.close();
  }
}

function quartiles(xs: number[]): [number, number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return [q(0.25), q(0.5), q(0.75)];
}

await run(async () => {
  const times: Record<Mode, number[]> = { weft: [], clickhouse: [] };
  const start = Date.now() - 10 * 60_000;
  let trace = 0;
  // An hour of history first (20,000 spans), paired, as a running Weft has.
  for (const mode of Object.keys(modes) as Mode[])
    await withStore(mode, async (store) => {
      await migrate(store, { retention: { rawDays: 30, rollupDays: 400, recordDays: 730 } });
      stopIfInterrupted();
      await generateSpans(store, 20_000, 0, start - 3_600_000, 3_600_000);
      stopIfInterrupted();
      await runPairing(store, new Date(), 0);
    });
  trace = 20_000 / 4;
  // Each mode keeps its store open for its ticks (as a running Weft does), in blocks that alternate between them.
  const BLOCK = 5;
  for (let done = 0; done < ticks; done += BLOCK) {
    const n = Math.min(BLOCK, ticks - done);
    for (const mode of Object.keys(modes) as Mode[])
      await withStore(mode, async (store) => {
        for (let i = 0; i < n; i++) {
          stopIfInterrupted();
          const at = start + (done + i) * 2_000;
          await generateSpans(store, perTick, trace + (done + i) * perTick, at, 2_000);
          stopIfInterrupted();
          const t0 = performance.now();
          await runPairing(store, new Date(), 0);
          times[mode].push(performance.now() - t0);
        }
      });
  }

  const fmt = (xs: number[]) => quartiles(xs).map((x) => x.toFixed(0));
  console.log(`pairing runs, ${ticks} ticks of ${perTick} new spans after 20,000 paired (load ${loadavg()[0].toFixed(1)}):`);
  for (const mode of Object.keys(modes) as Mode[]) {
    const [q1, med, q3] = fmt(times[mode]);
    const label = mode === 'weft' ? 'with EMBEDDED_SESSION_SETTINGS' : "with ClickHouse's defaults (baseline)";
    console.log(`  ${label.padEnd(40)} median ${med} ms (quartiles ${q1}–${q3})`);
  }
  const ratio = quartiles(times.weft)[1] / quartiles(times.clickhouse)[1];
  console.log(`  ratio of the medians: ${ratio.toFixed(2)}`);
  // Every store is closed by now (withStore): nothing writes in the directory any more.
});
