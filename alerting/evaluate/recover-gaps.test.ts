import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toChTime, type Store } from '../../clickhouse/index.ts';
import { catalogFrom, baseCatalogYaml } from '../../analyzer/test/estate-fixture.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { startAlerting } from '../start-alerting.ts';
import { mergeGaps } from './observations.ts';
import { recoverGaps } from './recover-gaps.ts';

const S = 1000;
const MIN = 60 * S;
const iso = (ms: number) => new Date(ms).toISOString();

describe('intake gaps read back from what arrived (a Weft that restarts or takes over the lease)', () => {
  let dir: string;
  let store: Store;
  const now = Math.floor(Date.now() / MIN) * MIN;
  /** Spans stored as arriving at these instants (ms), as the collector's view stamps them. */
  const arrive = (times: number[]) =>
    store.client.insert({
      table: 'weft_trace_spans',
      values: times.map((t, i) => ({
        arrived: toChTime(new Date(t)),
        trace_id: `t${t}`,
        span_id: `s${i}`,
        service: 'sync',
        ts: toChTime(new Date(t)),
        end_ts: toChTime(new Date(t)),
      })),
      format: 'JSONEachRow',
    });
  const every = (from: number, to: number, stepMs: number) => Array.from({ length: Math.floor((to - from) / stepMs) + 1 }, (_, i) => from + i * stepMs);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-recover-gaps-'));
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 365 });
  });
  beforeEach(async () => {
    await store.client.command({ query: 'TRUNCATE TABLE weft_trace_spans' });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every silence longer than the gap threshold between arrivals, with the arrivals as its ends, and the look-back before the first', async () => {
    // Traffic every 5 s from 20 to 10 minutes ago, Weft down until 4 minutes ago, traffic again until 30 s ago.
    await arrive([...every(now - 20 * MIN, now - 10 * MIN, 5 * S), ...every(now - 4 * MIN, now - 30 * S, 5 * S)]);
    expect(await recoverGaps(store, new Date(now), 15 * S, 60 * MIN)).toEqual([
      { from: iso(now - 60 * MIN), to: iso(now - 20 * MIN) },
      { from: iso(now - 10 * MIN), to: iso(now - 4 * MIN) },
    ]);
    // The silence until now is not a gap read back: trackGaps opens it from the newest span while it lasts.
  });

  it('takes a silence of exactly the threshold as no gap and one a millisecond longer as one, wherever the buckets fall', async () => {
    const t = now - 10 * MIN + 7 * S; // off the 15 s buckets
    await arrive([t, t + 15 * S, t + 30 * S + 1, t + 31 * S, t + 46 * S + 1]);
    expect(await recoverGaps(store, new Date(now), 15 * S, 11 * MIN)).toEqual([
      { from: iso(now - 11 * MIN), to: iso(t) },
      { from: iso(t + 15 * S), to: iso(t + 30 * S + 1) },
      { from: iso(t + 31 * S), to: iso(t + 46 * S + 1) },
    ]);
  });

  it('reads nothing as a gap when nothing arrived, and leaves out what arrived before the look-back or after now', async () => {
    expect(await recoverGaps(store, new Date(now), 15 * S, 60 * MIN)).toEqual([]);
    await arrive([now - 2 * 60 * MIN, ...every(now - 60 * MIN, now - 30 * MIN, 5 * S), now + 5 * MIN]);
    expect(await recoverGaps(store, new Date(now), 15 * S, 60 * MIN)).toEqual([]);
  });

  // Regression: the gaps lived in the alerting loop's memory only, so a restarted Weft counted the runs it never
  // received while it was down as runs that did not happen (`traces`, `throughput-drop`) and a flow as silent
  // through the downtime (`staleness`).
  it('gives the alerting loop, when it takes the lease, the gap of the time Weft was down', async () => {
    await arrive([...every(now - 20 * MIN, now - 10 * MIN, 5 * S), ...every(now - 4 * MIN, now - 5 * S, 5 * S)]);
    const catalog = catalogFrom(baseCatalogYaml);
    const alerting = startAlerting({
      store,
      catalog: () => catalog,
      logger: silentLogger(),
      env: () => undefined,
      intervalMs: 10_000,
      externalUrl: 'http://weft.test',
      schedule: false,
      clock: { now: () => new Date(now) },
    });
    try {
      await alerting.evaluateNow();
      expect(alerting.lastObservations()?.gaps).toContainEqual({ from: iso(now - 10 * MIN), to: iso(now - 4 * MIN) });
    } finally {
      await alerting.stop();
    }
  });
});

describe('mergeGaps', () => {
  it('joins overlapping and touching gaps, keeps the others apart in order, and keeps an open gap open and last', () => {
    const a = [
      { from: iso(0), to: iso(10) },
      { from: iso(50), to: iso(60) },
    ];
    const b = [
      { from: iso(10), to: iso(20) },
      { from: iso(30), to: iso(40) },
      { from: iso(55), to: iso(70), open: true },
    ];
    expect(mergeGaps(a, b)).toEqual([
      { from: iso(0), to: iso(20) },
      { from: iso(30), to: iso(40) },
      { from: iso(50), to: iso(70), open: true },
    ]);
    expect(mergeGaps([], [])).toEqual([]);
    expect(a).toEqual([
      { from: iso(0), to: iso(10) },
      { from: iso(50), to: iso(60) },
    ]);
  });
});
