import { describe, expect, it } from 'vitest';
import { customRule } from '../rules/derive-rules.ts';
import { observations, testCatalog } from '../testing/fixtures.ts';
import { conditionsFor } from './conditions.ts';

const catalog = testCatalog();
const rule = customRule(catalog, {
  id: 'few-runs',
  measure: 'traces',
  op: '<',
  threshold: 1,
  window: '5m',
  select: { flows: ['erp-cpq-sync'] },
  severity: 'high',
});
const now = new Date('2026-01-01T12:00:00.000Z');
const iso = (msBeforeNow: number) => new Date(now.getTime() - msBeforeNow).toISOString();
const judged = (o: Parameters<typeof observations>[1]) => conditionsFor([rule], catalog, observations(now, o))[0];

// Regression: a count over a window Weft did not observe whole counted the runs it did not receive as runs that did
// not happen: `traces < 1` fired the moment a fresh Weft started, and for every window holding an outage of its intake.
describe('a count rule over a window Weft did not observe whole', () => {
  it('counts the runs when Weft observed the whole settled window', () => {
    expect(judged({ stats: {}, pairedUntil: iso(10_000) })).toMatchObject({ value: 0, active: true });
    expect(judged({ stats: { 'erp-cpq-sync': { traces: 3 } }, pairedUntil: iso(10_000) })).toMatchObject({ value: 3, active: false });
  });

  it('gives no verdict when Weft started observing inside the window, or has never received a span', () => {
    expect(judged({ stats: {}, pairedUntil: iso(10_000), observingSince: iso(60_000) })).toMatchObject({ active: false });
    expect(Number.isNaN(judged({ stats: {}, pairedUntil: iso(10_000), observingSince: iso(60_000) }).value)).toBe(true);
    expect(Number.isNaN(judged({ stats: {}, observingSince: null }).value)).toBe(true);
    // Observing since just before the window: counted.
    expect(judged({ stats: {}, pairedUntil: iso(10_000), observingSince: iso(10_000 + 300_001) })).toMatchObject({ value: 0, active: true });
  });

  it('gives no verdict while an intake gap overlaps the window, and counts again once the window is past it', () => {
    const o = observations(now, { stats: {}, pairedUntil: iso(10_000) });
    o.gaps = [{ from: iso(200_000), to: iso(120_000) }];
    expect(Number.isNaN(conditionsFor([rule], catalog, o)[0].value)).toBe(true);
    o.gaps = [{ from: iso(900_000), to: iso(320_000) }];
    expect(conditionsFor([rule], catalog, o)[0]).toMatchObject({ value: 0, active: true });
  });
});
