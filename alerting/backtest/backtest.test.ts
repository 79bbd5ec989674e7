import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseCatalogYaml, customerSyncRun, sendCustomerSync, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { startAnalyzer } from '../../analyzer/runner.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog, type Catalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { sendSpans } from '../../test/otel.ts';
import { backtestRule, renderBacktest } from './backtest.ts';

const MINUTE = 60_000;
const STEP = 5 * MINUTE;

/** Pairs what `h` stored and runs the analyzer once at `now` (an hour's window, no late-arrival wait), as a Weft would. */
async function analyzeAt(h: Harness, catalog: Catalog, now: Date): Promise<void> {
  const analyzer = startAnalyzer({
    store: h.store,
    catalog,
    logger: silentLogger(),
    config: { intervalMs: 3_600_000, windowMs: 3_600_000, lateMs: 0 },
    clock: { now: () => now },
    schedule: false,
  });
  try {
    expect((await analyzer.runNow()).errors).toEqual([]);
  } finally {
    await analyzer.stop();
  }
}

/** A span of customer-sync at `at` (ms, 1 s long) sampled at 10% (`ot=th:e666666666666` in its tracestate). */
const sampledSpan = (h: Harness, at: number) =>
  sendSpans({ url: h.collector.url, serviceName: 'customer-sync' }, [{ name: 'GET', kind: api.SpanKind.CLIENT, start: at, durationMs: 1000 }], {
    traceState: 'ot=th:e666666666666',
  });

/** Sends a run of customer-sync at each of `starts` (ms) with a span of the service sampled at 10% beside it, flushed. */
async function sendSampledRuns(h: Harness, starts: number[]): Promise<void> {
  for (const t of starts) {
    await sendCustomerSync(h.collector.url, t);
    await sampledSpan(h, t);
  }
  await h.collector.flush();
}

/** The catalog `yaml` with `alerts` (an `alerts:` YAML block), written as `name` in `h`'s directory and loaded. */
function catalogWith(h: Harness, alerts: string, name = 'estate.yaml', yaml = baseCatalogYaml): Catalog {
  writeFileSync(join(h.dir, name), `${yaml}${alerts}`);
  return loadCatalog([join(h.dir, name)]);
}

/** A replay that evaluated the flow at least `evaluations` times and never fired. */
function expectQuiet(r: Awaited<ReturnType<typeof backtestRule>>, evaluations: number): void {
  expect(r.evaluationsPerFlow).toBeGreaterThanOrEqual(evaluations);
  expect(r.events).toEqual([]);
  expect(r.firingAtEnd).toEqual([]);
}

/**
 * Regression: `weft alerts test flow-latency-p95 --since 7d` said "would not have fired." while that alert had fired
 * 2 minutes before: the replay evaluated only at the end of whole 5-minute steps, so the step still in progress (the
 * one the live alert fired in) was never evaluated. And its "32256 evaluations every 300s" was 2016 steps × 16 flows,
 * said as if it were one count of evaluations.
 */
describe('backtestRule', () => {
  let h: Harness;
  let catalog: Catalog;
  /** A 5-minute mark some minutes ago: the slow runs come 1 minute after it, the test ends 2.5 minutes after it. */
  const mark = Math.floor(Date.now() / STEP) * STEP - 3 * STEP;
  const until = new Date(mark + 150_000);

  beforeAll(async () => {
    h = await startHarness();
    catalog = catalogWith(h, '');
    await sendEstateTraffic(h.collector.url, mark + MINUTE);
    await sendCustomerSync(h.collector.url, mark + MINUTE + 5_000);
    await h.collector.flush();
    await analyzeAt(h, catalog, new Date());
  });
  afterAll(async () => {
    await h?.close();
  });

  it('evaluates at the end of the period too: a flow slow since the last 5-minute mark fires now, as the live alert does', async () => {
    const r = await backtestRule(h.store, catalog, 'flow-latency-p95', new Date(until.getTime() - 30 * MINUTE), until);
    expect(r.firingAtEnd).toEqual(['customer-sync']);
    expect(r.events).toEqual([expect.objectContaining({ at: until.toISOString(), flow: 'customer-sync', transition: 'firing' })]);
  });

  it('says what it counts: evaluations of each flow, of how many flows, and in all', async () => {
    const r = await backtestRule(h.store, catalog, 'flow-latency-p95', new Date(until.getTime() - 30 * MINUTE), until);
    // since is mark − 27.5 min: evaluations at its next whole minute (mark − 27 min) and every step after it up to
    // mark − 2 min (six), then one at until.
    expect([r.flows, r.evaluationsPerFlow, r.evaluations]).toEqual([1, 7, 7]);
    expect(renderBacktest(r).split('\n')[0]).toBe(
      `rule flow-latency-p95: 7 evaluations of 1 flow (7 in all), every 300s from ${new Date(mark - 27 * MINUTE).toISOString()} and at ${until.toISOString()} (the end)`,
    );
  });

  // Regression: `weft alerts test --since 1m` started on the 5-minute grid before the time asked for (the step
  // holding since), so it replayed up to 5 minutes more than asked and said so in its "from".
  it.each([
    ['1m', 1 * MINUTE, 2],
    ['7m', 7 * MINUTE, 3],
    ['20s', 20_000, 1],
  ])('replays no earlier than asked (--since %s): the first evaluation is at since, on the minute after it at most', async (_, sinceMs, perFlow) => {
    const since = new Date(until.getTime() - sinceMs);
    const r = await backtestRule(h.store, catalog, 'flow-latency-p95', since, until);
    expect(Date.parse(r.since)).toBeGreaterThanOrEqual(since.getTime());
    expect(Date.parse(r.since) - since.getTime()).toBeLessThan(MINUTE);
    expect([r.flows, r.evaluationsPerFlow, r.evaluations]).toEqual([1, perFlow, perFlow]);
    expect(renderBacktest(r).split('\n')[0]).toBe(
      `rule flow-latency-p95: ${perFlow} evaluation${perFlow === 1 ? '' : 's'} of 1 flow (${perFlow} in all), every 300s from ${r.since} and at ${until.toISOString()} (the end)`,
    );
    // The flow slow since mark + 1 min still fires at the end.
    expect(r.firingAtEnd).toEqual(['customer-sync']);
  });
});

/**
 * Regression: the replay of the flow-stale alert judged a flow against its service's sampling of the day before
 * `since` up to now, and not as the live alert does (b591f17): a flow whose runs came after its service's last sampled
 * span is judged on its schedule again. A service sampled an hour ago and unsampled since, its flow stopped 40
 * minutes ago: the live alert fired 10 minutes after its last run, the replay said "would not have fired".
 */
describe('backtestRule of flow-stale, a service that stopped sampling', () => {
  let h: Harness;
  let catalog: Catalog;
  const now = Date.now();
  const lastRun = Math.floor(now / MINUTE) * MINUTE - 40 * MINUTE;

  beforeAll(async () => {
    h = await startHarness();
    catalog = catalogWith(h, '');
    // Its last sampled span (10%), an hour ago.
    await sampledSpan(h, lastRun - 20 * MINUTE);
    // Its runs, unsampled, up to 40 minutes ago.
    for (const k of [10, 5, 0]) await sendCustomerSync(h.collector.url, lastRun - k * MINUTE);
    await h.collector.flush();
    await analyzeAt(h, catalog, new Date(now));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fires as the live alert does: on the schedule, its last run having come after the last sampled span', async () => {
    const r = await backtestRule(h.store, catalog, 'flow-stale', new Date(lastRun - 15 * MINUTE), new Date(now));
    expect(r.firingAtEnd).toContain('customer-sync');
    const fired = r.events.find((e) => e.flow === 'customer-sync' && e.transition === 'firing');
    expect(Date.parse(fired!.at) - lastRun).toBeLessThan(30 * MINUTE);
  });
});

// Regression: a count of runs that reached Weft sampled was judged as all the runs: "fewer than 3 runs in 10 minutes"
// fired on a flow sampled at 10% that ran every 5 minutes (one sampled run in ten minutes stands for up to 88). As live
// (conditions.ts), the replay judges each window's count against that window's sampling.
describe('backtestRule of a count rule, a service that samples', () => {
  let h: Harness;
  let catalog: Catalog;
  const now = Date.now();

  beforeAll(async () => {
    h = await startHarness();
    catalog = catalogWith(
      h,
      `alerts:
  - { id: few-runs, measure: traces, op: "<", threshold: 3, window: 10m, select: { flows: [customer-sync] }, severity: high }
`,
    );
    // A run every 5 minutes over the last hour, and beside each a span of the service sampled at 10%.
    await sendSampledRuns(
      h,
      Array.from({ length: 12 }, (_, i) => now - 60 * MINUTE + i * 5 * MINUTE),
    );
    await analyzeAt(h, catalog, new Date(now));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('does not fire on the sampled runs of a flow that ran as often as ever', async () => {
    expectQuiet(await backtestRule(h.store, catalog, 'few-runs', new Date(now - 40 * MINUTE), new Date(now)), 4);
  });
});

// Regression: the replay read each step's sampling from the sampled spans stored in it alone. A flow sampled at 10%
// with no sampled run in a step (a run every 5 minutes sends none in 10 minutes more than a third of the time) was
// judged unsampled there, and "fewer than 3 runs" fired while it ran.
describe('backtestRule of a count rule, a sampled flow with steps without a sampled run', () => {
  let h: Harness;
  const now = Date.now();
  const alerts = `alerts:
  - { id: few-runs, measure: traces, op: "<", threshold: 3, window: 10m, select: { flows: [customer-sync] }, severity: high }
`;
  const catalogs: Record<'byService' | 'byIntegration', Catalog> = {} as never;

  beforeAll(async () => {
    h = await startHarness();
    const byIntegration = baseCatalogYaml.replace('runtime: { service: customer-sync }', 'runtime: { flow: customer-sync }');
    expect(byIntegration).not.toBe(baseCatalogYaml);
    catalogs.byService = catalogWith(h, alerts, 'by-service.yaml');
    catalogs.byIntegration = catalogWith(h, alerts, 'by-integration.yaml', byIntegration);
    // The sampled runs of a run every 5 minutes over the last 80 minutes, but none from 37 to 13 minutes ago (each
    // with a span of the service sampled at 10% beside it).
    await sendSampledRuns(
      h,
      Array.from({ length: 16 }, (_, i) => now - 80 * MINUTE + i * 5 * MINUTE).filter((t) => t < now - 37 * MINUTE || t >= now - 13 * MINUTE),
    );
    await analyzeAt(h, catalogs.byService, new Date(now));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('judges a step without a sampled run by the sampling last seen: no alert while the flow runs', async () => {
    expectQuiet(await backtestRule(h.store, catalogs.byService, 'few-runs', new Date(now - 50 * MINUTE), new Date(now)), 5);
  });
  // Regression: the replay read a flow's sampling from its runtime service only: a flow named by its integration alone
  // (`runtime.flow`) was judged unsampled at every step, and "fewer than 3 runs" fired on its two sampled runs of ten
  // minutes, where the live evaluation reads the services its runs came from.
  it('judges a flow named by its integration by the sampling of the services its runs came from', async () => {
    expectQuiet(await backtestRule(h.store, catalogs.byIntegration, 'few-runs', new Date(now - 50 * MINUTE), new Date(now)), 5);
  });
});

// Regression: "more than" of the step its sender started sampling in was judged on the step's lowest probability for all
// its runs: 10 runs sent unsampled and 1 sampled at 10% in 10 minutes stood for at least 36, and "more than 30" fired on
// a flow that ran 20 times. As live, that step is judged on the runs that arrived.
describe('backtestRule of "more than", a sender that starts sampling', () => {
  let h: Harness;
  let catalog: Catalog;
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;

  beforeAll(async () => {
    h = await startHarness();
    catalog = catalogWith(
      h,
      `alerts:
  - { id: many-runs, measure: traces, op: ">", threshold: 30, window: 10m, select: { flows: [customer-sync] }, severity: high }
`,
    );
    // A run every 30 s, unsampled from 40 to 25 minutes ago; sampled at 10% from then on (a run arrived 22, 15 and 8
    // minutes ago, each with a span of the service sampled at 10% beside it).
    for (let t = now - 40 * MINUTE + 5_000; t < now - 25 * MINUTE; t += 30_000) await sendCustomerSync(h.collector.url, t);
    await sendSampledRuns(h, [now - 22 * MINUTE, now - 15 * MINUTE, now - 8 * MINUTE]);
    await analyzeAt(h, catalog, new Date(now));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('does not fire on the step the sampling started in', async () => {
    expectQuiet(await backtestRule(h.store, catalog, 'many-runs', new Date(now - 40 * MINUTE), new Date(now)), 4);
  });
});

/**
 * Regression: the replay judged an error rate on any number of runs while the live alert needs `minTraces` of them
 * (errorRateMinTraces): `weft alerts test` said a rule would have fired on one failed run that the live rule gave no
 * verdict on.
 */
describe('backtestRule of an error rate, on as few runs as the live rule judges', () => {
  let h: Harness;
  let catalog: Catalog;
  const mark = Math.floor(Date.now() / STEP) * STEP - 3 * STEP;
  const until = new Date(mark + 150_000);

  beforeAll(async () => {
    h = await startHarness();
    catalog = catalogWith(
      h,
      `alerts:
  - { id: sync-errors, measure: error-rate, threshold: 0.1, minTraces: 2, select: { flows: [customer-sync] }, severity: high }
  - { id: sync-any-error, measure: error-rate, threshold: 0.1, minTraces: 1, select: { flows: [customer-sync] }, severity: high }
`,
    );
    await sendSpans({ url: h.collector.url, serviceName: 'customer-sync' }, [customerSyncRun(mark + MINUTE, true)]);
    await h.collector.flush();
    await analyzeAt(h, catalog, new Date());
  });
  afterAll(async () => {
    await h?.close();
  });

  it('gives no verdict on one failed run to a rule that needs two, and fires one that needs one', async () => {
    const since = new Date(until.getTime() - 10 * MINUTE);
    expectQuiet(await backtestRule(h.store, catalog, 'sync-errors', since, until), 2);
    expect((await backtestRule(h.store, catalog, 'sync-any-error', since, until)).firingAtEnd).toEqual(['customer-sync']);
  });

  // Regression: the replay did not count its windows without a verdict: "would not have fired." alone, and a user could
  // not tell a rule that judged the runs fine from one that never had enough of them to judge.
  it('says in how many windows it had no verdict, and on how few runs', async () => {
    const since = new Date(until.getTime() - 10 * MINUTE);
    const quiet = await backtestRule(h.store, catalog, 'sync-errors', since, until);
    expect(quiet.noVerdict).toEqual([{ flow: 'customer-sync', fewRuns: quiet.evaluationsPerFlow, minTraces: 2, noDuration: 0 }]);
    expect(renderBacktest(quiet).split('\n').slice(1)).toEqual([
      'would not have fired.',
      `no verdict in ${quiet.evaluationsPerFlow} windows of customer-sync: fewer than 2 runs in the window`,
    ]);
    // A rule judging every window with a run has no verdict in the windows without one.
    const fired = await backtestRule(h.store, catalog, 'sync-any-error', since, until);
    const judged = fired.evaluationsPerFlow - (fired.noVerdict[0]?.fewRuns ?? 0);
    expect(judged).toBeGreaterThan(0);
    expect(renderBacktest(fired)).toContain('fired; still firing at the end: customer-sync.');
  });
});
