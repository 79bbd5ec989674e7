import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPairing } from '../../analyzer/index.ts';
import { baseCatalogYaml, catalogFrom, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { customRule } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { observe } from './observe.ts';

const MINUTE = 60_000;

// Regression: counts were judged on windows ending now, of which only the part paired so far holds runs: a flow that
// ran 4 minutes ago had no run in "the last 5 minutes" once pairing was 6 minutes behind, and `traces < 1` fired for a
// flow that was running (so did the throughput drop, for every flow of a Weft whose pairing was behind).
describe('observe: counts over the window up to where pairing got', () => {
  let h: Harness;
  const catalog = catalogFrom(baseCatalogYaml);
  let pairedAt: Date;

  beforeAll(async () => {
    h = await startHarness();
    // customer-sync runs (twice), 4 minutes ago (span time); pairing takes them, then stops.
    await sendEstateTraffic(h.collector.url, Date.now() - 4 * MINUTE);
    await h.collector.flush();
    pairedAt = new Date();
    await runPairing(h.store, pairedAt, 0, { completeGraceMs: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('counts the runs of the window that ends at the pairing watermark, and judges ratios on the window ending now', async () => {
    const rules = [
      customRule(catalog, { id: 'few-runs', measure: 'traces', op: '<', threshold: 1, window: '5m', select: { flows: ['customer-sync'] }, severity: 'high' }),
      customRule(catalog, {
        id: 'errors',
        measure: 'error-rate',
        op: '>',
        threshold: 0.5,
        window: '5m',
        select: { flows: ['customer-sync'] },
        severity: 'high',
      }),
    ];
    // Six minutes later, pairing not run since: the window ending now holds no paired run.
    const now = new Date(pairedAt.getTime() + 6 * MINUTE);
    const o = await observe({ store: h.store, catalog, rules, now, gaps: [] });
    expect(o.pairedUntil).toBe(pairedAt.toISOString());
    expect(o.settled.get(5 * MINUTE)?.get('customer-sync')?.traces).toBe(2);
    expect(o.windows.get(5 * MINUTE)?.get('customer-sync')).toBeUndefined();
    // Not firing (this store began observing inside the window, so the rule gives no verdict: count-windows.test.ts).
    const few = conditionsFor(rules, catalog, o).find((c) => c.rule.id === 'few-runs')!;
    expect(few).toMatchObject({ active: false });
    expect(o.observingSince).not.toBeNull();
    expect(few.traceIds?.length).toBeGreaterThan(0);
    // The error rate has no runs to judge in the window ending now: no verdict, not a fault.
    expect(conditionsFor(rules, catalog, o).find((c) => c.rule.id === 'errors')).toMatchObject({ active: false });
    // With pairing up to date, both windows are the same.
    const current = await observe({ store: h.store, catalog, rules, now: pairedAt, gaps: [] });
    expect(current.settled.get(5 * MINUTE)?.get('customer-sync')?.traces).toBe(2);
    expect(current.windows.get(5 * MINUTE)?.get('customer-sync')?.traces).toBe(2);
  });
});
