import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPairing } from '../../analyzer/index.ts';
import { catalogFrom, customerSyncRun, receivingSince } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans } from '../../test/otel.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { observe } from './observe.ts';
import type { Observations } from './observations.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const WEEK = 7 * 24 * HOUR;

const catalog = catalogFrom(`
owners: [{ id: icoe }]
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
flows:
  - { id: steady, source: crm, target: erp, owner: icoe, runtime: { service: steady } }
  - { id: stopped, source: crm, target: erp, owner: icoe, runtime: { service: stopped } }
alerts:
  - { id: drop-10m, measure: throughput-drop, threshold: 0.5, window: 10m, select: { flows: [steady, stopped] }, severity: high }
`);

// Regression: the seasonal baseline was read for the window of the first throughput-drop rule only (the derived
// `flow-throughput-drop`, 1 hour) and every throughput-drop rule compared its own window with it: a custom rule over 10
// minutes saw a flow running as usual (20 runs in 10 minutes, as in each of the 4 weeks before) "83% below the usual"
// and fired; each rule's window now has its own baseline.
describe('throughput-drop rules of different windows (real SDK → collector → chDB → pairing → alert conditions)', () => {
  let h: Harness;
  let o: Observations;
  const rules = rulesFor(catalog);
  const now = Date.now();

  beforeAll(async () => {
    h = await startHarness();
    // Weft has been receiving for two hours (its pairing runs say so), so counts over the windows give a verdict.
    await receivingSince(h.store, now - 2 * HOUR);
    // Both flows ran every 30 s over the 70 minutes up to now in each of the 4 weeks before, and in this one; `stopped`
    // stopped 10 minutes ago.
    for (const flow of ['steady', 'stopped']) {
      const starts = [0, 1, 2, 3, 4].flatMap((w) =>
        Array.from({ length: 140 }, (_, k) => now - w * WEEK - k * 30_000 - 10_000).filter((t) => !(flow === 'stopped' && w === 0 && t > now - 10 * MIN)),
      );
      await sendSpans(
        { url: h.collector.url, serviceName: flow },
        starts.map((t) => customerSyncRun(t)),
      );
    }
    await h.collector.flush();
    const pairedAt = new Date();
    await runPairing(h.store, pairedAt, 0, { completeGraceMs: 0 });
    o = await observe({ store: h.store, catalog, rules, now: pairedAt, gaps: [] });
  });
  afterAll(async () => {
    await h?.close();
  });

  const condition = (id: string, flow: string) => conditionsFor(rules, catalog, o).find((c) => c.rule.id === id && c.labels.flow === flow)!;

  it('compares a flow running as usual with its own window in the weeks before: no drop over 10 minutes or over the hour', () => {
    expect(condition('drop-10m', 'steady')).toMatchObject({ active: false });
    expect(condition('drop-10m', 'steady').value).toBeLessThan(0.2);
    expect(condition('flow-throughput-drop', 'steady')).toMatchObject({ active: false });
    expect(condition('flow-throughput-drop', 'steady').value).toBeLessThan(0.2);
    expect(o.baseline.get(10 * MIN)?.get('steady')).toHaveLength(4);
  });

  it('finds the flow that stopped 10 minutes ago over 10 minutes, and not over the hour', () => {
    expect(condition('drop-10m', 'stopped')).toMatchObject({ active: true });
    expect(condition('drop-10m', 'stopped').value).toBeGreaterThan(0.8);
    expect(condition('flow-throughput-drop', 'stopped')).toMatchObject({ active: false });
  });
});
