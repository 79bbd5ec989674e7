import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPairing } from '../../analyzer/index.ts';
import { catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans } from '../../test/otel.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { observe } from './observe.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WEEK = 7 * 24 * HOUR;

const catalog = catalogFrom(`
owners: [{ id: icoe }]
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
  - { id: wms, owner: icoe, match: { hosts: [wms.internal] } }
flows:
  - { id: sampled-sync, source: crm, target: erp, owner: icoe, runtime: { service: sampled-sync } }
  - { id: plain-sync, source: crm, target: erp, owner: icoe, runtime: { service: plain-sync } }
  - { id: quiet-sync, source: crm, target: erp, owner: icoe, runtime: { service: quiet-sync } }
  - { id: gap-sync, source: crm, target: erp, owner: icoe, runtime: { service: gap-sync } }
  - { id: two-svc, source: crm, target: wms, owner: icoe, runtime: { flow: two-svc } }
  - { id: start-sync, source: erp, target: wms, owner: icoe, runtime: { service: start-sync } }
  - { id: stop-sync, source: wms, target: erp, owner: icoe, runtime: { service: stop-sync } }
alerts:
  - { id: too-few, measure: traces, op: "<", threshold: 5, window: 1h, severity: high, select: { flows: [quiet-sync] } }
  - { id: too-many, measure: traces, op: ">", threshold: 50, window: 1h, severity: high, select: { flows: [two-svc, start-sync, stop-sync] } }
`);

/**
 * One run of `service` at `at` (ms): a root span reading the CRM and writing the ERP, under a remote parent whose
 * tracestate is `traceState` (every span of the run inherits it, as from a sampler upstream).
 */
const run = (url: string, service: string, at: number, traceState: string, target = 'erp.internal', flow?: string, source = 'crm.internal') => {
  const named = flow ? { 'integration.flow': flow } : {};
  return sendSpans(
    { url, serviceName: service },
    [
      {
        name: 'run',
        start: at,
        durationMs: 50,
        attributes: named,
        children: [
          ['GET', source],
          ['POST', target],
        ].map(([method, host]) => ({
          name: method,
          kind: api.SpanKind.CLIENT,
          durationMs: 20,
          attributes: { ...named, 'http.request.method': method, 'url.full': `https://${host}/api/customers` },
        })),
      },
    ],
    { traceState },
  );
};

// Regression: counts are of the runs that reached Weft; a sender sampling at 10% sends a tenth of them, and one that
// started sampling looked like a 90% throughput drop. The evaluation reads each counted window's sampling, and the
// baseline weeks' (conditions.ts judges them: throughputDropScore, sampledCountRange).
describe('observe: the sampling of the windows counts are judged on (real SDK → collector → chDB)', () => {
  let h: Harness;
  let pairedAt: Date;
  beforeAll(async () => {
    h = await startHarness();
    const now = Date.now();
    // sampled-sync at 10% now and a week ago; plain-sync unsampled (its tracestate has no ot entry) at both times.
    await run(h.collector.url, 'sampled-sync', now - 4 * MINUTE, 'ot=th:e666666666666');
    await run(h.collector.url, 'sampled-sync', now - WEEK - 30 * MINUTE, 'ot=th:e666666666666');
    await run(h.collector.url, 'plain-sync', now - 4 * MINUTE, 'vendor=a');
    await run(h.collector.url, 'plain-sync', now - WEEK - 30 * MINUTE, 'vendor=a');
    // quiet-sync at 10% too, its last sampled run 3 hours ago: none in the hour counted.
    await run(h.collector.url, 'quiet-sync', now - 3 * HOUR, 'ot=th:e666666666666');
    // gap-sync at 10% now, with no run in the hour a week ago (the week holds other flows' runs).
    await run(h.collector.url, 'gap-sync', now - 4 * MINUTE, 'ot=th:e666666666666');
    // two-svc, named by its integration: run by svc-a unsampled (30 runs in the hour) and by svc-b at 10% (1 arrived).
    for (let i = 0; i < 30; i++) await run(h.collector.url, 'svc-a', now - 58 * MINUTE + i * 100_000, 'vendor=a', 'wms.internal', 'two-svc');
    await run(h.collector.url, 'svc-b', now - 15 * MINUTE, 'ot=th:e666666666666', 'wms.internal', 'two-svc');
    // start-sync, 40 runs an hour: unsampled until half an hour ago (20 arrived), at 10% since (2 arrived); stop-sync the
    // other way round (and sampled before the hour too).
    for (let i = 0; i < 20; i++)
      await run(h.collector.url, 'start-sync', now - 58 * MINUTE + i * 80_000, 'vendor=a', 'wms.internal', undefined, 'erp.internal');
    for (const t of [20, 8]) await run(h.collector.url, 'start-sync', now - t * MINUTE, 'ot=th:e666666666666', 'wms.internal', undefined, 'erp.internal');
    for (const t of [180, 55, 40]) await run(h.collector.url, 'stop-sync', now - t * MINUTE, 'ot=th:e666666666666', 'erp.internal', undefined, 'wms.internal');
    for (let i = 0; i < 20; i++) await run(h.collector.url, 'stop-sync', now - 28 * MINUTE + i * 70_000, 'vendor=a', 'erp.internal', undefined, 'wms.internal');
    await h.collector.flush();
    pairedAt = new Date();
    await runPairing(h.store, pairedAt, 0, { completeGraceMs: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("gives the counted window's and each baseline week's sampling of a sampled flow, and none of an unsampled one", async () => {
    const o = await observe({ store: h.store, catalog, rules: rulesFor(catalog), now: pairedAt, gaps: [] });
    // The derived throughput-drop rule counts over the hour up to the pairing watermark.
    expect(o.settled.get(HOUR)?.get('sampled-sync')?.traces).toBe(1);
    expect(o.settledSampling?.get(HOUR)?.get('sampled-sync')).toBeCloseTo(0.1, 6);
    expect(o.settledSampling?.get(HOUR)?.has('plain-sync')).toBe(false);
    // The week before holds a run of each (the weeks without data are left out): sampled at 10%, and unsampled.
    expect(o.baseline.get(HOUR)?.get('sampled-sync')).toEqual([1]);
    expect(
      o.baselineSampling
        ?.get(HOUR)
        ?.get('sampled-sync')
        ?.map((p) => Number(p.toFixed(6))),
    ).toEqual([0.1]);
    expect(o.baselineSampling?.get(HOUR)?.get('plain-sync')).toEqual([1]);
  });

  // Regression: a window's sampling was read from the sampled spans stored in it alone. A flow sampled at 10% that sent
  // no sampled run in the hour counted (at 20 runs an hour, one hour in eight) was judged unsampled there: "fewer than
  // 5 runs" fired on it while it ran, and a sampled flow that stopped was no throughput drop (the weeks compared were
  // sampled, the silent hour read as not).
  it("judges a window without a sampled run of a sampled flow by its service's sampling before it", async () => {
    const rules = rulesFor(catalog);
    const o = await observe({ store: h.store, catalog, rules, now: pairedAt, gaps: [] });
    expect(o.settled.get(HOUR)?.get('quiet-sync')?.traces ?? 0).toBe(0);
    expect(o.settledSampling?.get(HOUR)?.get('quiet-sync')).toBeCloseTo(0.1, 6);
    // No sampled run at 10% stands for up to 65 runs: not fewer than 5.
    // (The store was observing the whole hour: this one was started for the test.)
    const judged = conditionsFor(rules, catalog, { ...o, observingSince: new Date(0).toISOString() });
    const tooFew = judged.find((c) => c.rule.id === 'too-few' && c.flow === 'quiet-sync')!;
    expect(tooFew).toMatchObject({ value: 65, active: false });
    // An unsampled flow is judged as before.
    expect(o.settledSampling?.get(HOUR)?.has('plain-sync')).toBe(false);
  });

  // Regression: a baseline week's sampling was read from the sampled spans stored in it alone: a week without a run of a
  // sampled flow read as unsampled, and the flow's weeks were never "sampled alike": no throughput-drop verdict on that
  // hour of the week, ever (a sampled flow that stopped in it was no drop). No run is no run at any rate.
  it('gives a baseline week without a run of a sampled flow no sampling, which any sampling is alike with', async () => {
    const o = await observe({ store: h.store, catalog, rules: rulesFor(catalog), now: pairedAt, gaps: [] });
    expect(o.settledSampling?.get(HOUR)?.get('gap-sync')).toBeCloseTo(0.1, 6);
    expect(o.baseline.get(HOUR)?.get('gap-sync')).toEqual([0]);
    expect(o.baselineSampling?.get(HOUR)?.get('gap-sync')).toEqual([NaN]);
  });

  // Regression: a flow run by several services was judged on the lowest probability of them on both sides: 30 runs sent
  // unsampled and 1 sampled at 10% in an hour stood for at least 173, and "more than 50" fired while it ran 40 times.
  it('says "more than" of a flow run by several services only on the highest probability of those its runs came from', async () => {
    const rules = rulesFor(catalog);
    const o = await observe({ store: h.store, catalog, rules, now: pairedAt, gaps: [] });
    expect(o.settled.get(HOUR)?.get('two-svc')?.traces).toBe(31);
    expect(o.settledSampling?.get(HOUR)?.get('two-svc')).toBeCloseTo(0.1, 6);
    const judged = conditionsFor(rules, catalog, { ...o, observingSince: new Date(0).toISOString() });
    expect(judged.find((c) => c.rule.id === 'too-many' && c.flow === 'two-svc')).toMatchObject({ value: 31, active: false });
  });

  // Regression: a window's lowest probability was taken for the fewest runs its count can stand for even when its
  // sender started (or stopped) sampling in it: 20 runs sent unsampled and 2 at 10% in an hour stood for at least 109,
  // and "more than 50" fired on a flow that ran 40 times.
  it('says "more than" of a flow whose sender started or stopped sampling in the window only of the runs that arrived', async () => {
    const rules = rulesFor(catalog);
    const o = await observe({ store: h.store, catalog, rules, now: pairedAt, gaps: [] });
    const judged = conditionsFor(rules, catalog, { ...o, observingSince: new Date(0).toISOString() });
    for (const flow of ['start-sync', 'stop-sync']) {
      expect(o.settledSampling?.get(HOUR)?.get(flow)).toBeCloseTo(0.1, 6);
      expect(judged.find((c) => c.rule.id === 'too-many' && c.flow === flow)).toMatchObject({ value: 22, active: false });
    }
  });
});
