import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { runPairing } from '../../analyzer/index.ts';
import { catalogFrom, baseCatalogYaml } from '../../analyzer/test/estate-fixture.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import type { AlertingRuntime } from '../start-alerting.ts';
import { alertingForTest, observations } from '../testing/fixtures.ts';

const MIN = 60_000;
let dir: string;
let store: Store;
let alerting: AlertingRuntime;
const t0 = Math.floor(Date.now() / MIN) * MIN;
let t = t0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-behind-'));
  store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 365 });
  const catalog = catalogFrom(baseCatalogYaml);
  alerting = alertingForTest({ store, catalog: () => catalog, holder: 'test', clock: { now: () => new Date(t) } });
});
afterAll(async () => {
  await alerting?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The weft-behind alert as stored after an evaluation at `at` (epoch ms), with the transitions that evaluation made to it. */
async function evaluateAt(at: number) {
  t = at;
  const report = await alerting.evaluateNow();
  expect(report.errors).toEqual([]);
  const alert = (await alerting.alertStore.listAlerts(['pending', 'firing', 'resolved'], 100)).find((a) => a.rule === 'weft-behind');
  return { alert, transitions: report.changes.filter((c) => c.rule === 'weft-behind').map((c) => c.transition) };
}

describe('weft-behind: Weft says when its own pairing job stopped completing runs', () => {
  it('is not behind at its start (no pairing run yet), fires once its last run is over 10 minutes old, and resolves with the next run', async () => {
    // Nothing paired yet (a Weft just installed): not behind, measured from its start, not "behind since 1970".
    expect((await evaluateAt(t0)).alert).toBeUndefined();
    await runPairing(store, new Date(t0), 60_000);
    expect((await evaluateAt(t0 + 9 * MIN)).alert).toBeUndefined();
    // The analyzer stopped (or fails every run): flows and findings are as of its last run, and the alert says so.
    const behind = await evaluateAt(t0 + 11 * MIN);
    expect(behind.transitions).toEqual(['firing']);
    expect([behind.alert?.state, behind.alert?.value, behind.alert?.severity]).toEqual(['firing', 11 * MIN, 'high']);
    expect(behind.alert?.annotations.summary).toMatch(/^Weft is behind: its pairing job has not completed a run for 11m, so flows/);
    await runPairing(store, new Date(t0 + 11 * MIN), 60_000);
    const caughtUp = await evaluateAt(t0 + 11 * MIN + 10_000);
    expect(caughtUp.transitions).toEqual(['resolved']);
    expect(caughtUp.alert?.state).toBe('resolved');
    // What a resolved alert keeps (and its resolved notification says) reads as the recovery it is.
    expect(caughtUp.alert?.annotations.summary).toBe('Weft is up to date: its pairing job last completed a run 10s ago');
  });

  // The break test's restart: a Weft stopped for over 10 minutes fired weft-behind at its first evaluation, before its
  // analyzer's first run.
  it('gives a restarted Weft the threshold from its start before it is behind, whatever the store says of the last run', async () => {
    // Started 49 minutes after the store's last pairing run.
    t = t0 + 60 * MIN;
    const restarted = alertingForTest({ store, catalog: () => catalogFrom(baseCatalogYaml), holder: 'test', clock: { now: () => new Date(t) } });
    try {
      const first = await restarted.evaluateNow();
      expect(first.changes.filter((c) => c.rule === 'weft-behind')).toEqual([]);
      t = t0 + 71 * MIN;
      const later = await restarted.evaluateNow();
      expect(later.changes.filter((c) => c.rule === 'weft-behind').map((c) => c.transition)).toEqual(['firing']);
    } finally {
      await restarted.stop();
    }
  });

  // The second break test: telemetry-gap (critical) fired at the first evaluation after any restart longer than 60 s.
  it('gives a restarted Weft a minute from its start before telemetry-gap, and says it counts from the start', () => {
    const catalog = catalogFrom(baseCatalogYaml);
    const now = new Date(t0);
    const gap = (watchingSince: string | null) =>
      conditionsFor(rulesFor(catalog), catalog, observations(now, { lastIntake: new Date(t0 - 10 * MIN).toISOString(), watchingSince })).find(
        (c) => c.rule.id === 'telemetry-gap',
      )!;
    expect([gap(null).active, gap(null).value]).toEqual([true, 10 * MIN]);
    expect([gap(new Date(t0 - 5_000).toISOString()).active, gap(new Date(t0 - 5_000).toISOString()).value]).toEqual([false, 5_000]);
    const stillNone = gap(new Date(t0 - 90_000).toISOString());
    expect([stillNone.active, stillNone.summary]).toEqual([
      true,
      "Weft has received no telemetry in the 1m30s since it started: the integrations' exporters, the network or Weft's collector is down",
    ]);
    // Never received anything (nothing sends yet): no gap, whenever it started.
    const fresh = conditionsFor(rulesFor(catalog), catalog, observations(now, { lastIntake: null, watchingSince: new Date(t0 - 90_000).toISOString() }));
    expect(fresh.find((c) => c.rule.id === 'telemetry-gap')!.active).toBe(false);
  });

  it('waits three evaluation intervals when alerting evaluates less often than every 200 s (an analyzer every 15 minutes)', () => {
    const threshold = (evaluationIntervalMs?: number) =>
      rulesFor(catalogFrom(baseCatalogYaml), { evaluationIntervalMs }).find((r) => r.id === 'weft-behind')?.threshold;
    expect([threshold(), threshold(30_000), threshold(900_000)]).toEqual([10 * MIN, 10 * MIN, 45 * MIN]);
  });
});
