import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toChTime, type Store } from '../../clickhouse/index.ts';
import { catalogFrom, baseCatalogYaml } from '../../analyzer/test/estate-fixture.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { alertingForTest } from '../testing/fixtures.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { mergeGaps, trackGaps } from './observations.ts';
import { observe } from './observe.ts';
import { recoverGaps } from './recover-gaps.ts';

const S = 1000;
const MIN = 60 * S;
const iso = (ms: number) => new Date(ms).toISOString();
/** Instants from `from` to `to` (ms), `stepMs` apart. */
const every = (from: number, to: number, stepMs: number) => Array.from({ length: Math.floor((to - from) / stepMs) + 1 }, (_, i) => from + i * stepMs);

/** One store for the file; each test empties what it fills. */
let dir: string;
let store: Store;
const now = Math.floor(Date.now() / MIN) * MIN;
const catalog = catalogFrom(baseCatalogYaml);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-recover-gaps-'));
  store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 365 });
});
beforeEach(async () => {
  // weft_sender_lag_1m and weft_intake_1m too: views of weft_trace_spans (the senders' clocks, the intake's silences).
  for (const table of ['weft_trace_spans', 'weft_sender_lag_1m', 'weft_intake_1m', 'weft_endpoints'])
    await store.client.command({ query: `TRUNCATE TABLE ${table}` });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Spans stored as arriving at these instants (ms, Weft's clock), each stamped `spanMs` by its sender (default: its arrival). */
const arrive = (times: number[], spanMs?: number) =>
  store.client.insert({
    table: 'weft_trace_spans',
    values: times.map((t, i) => ({
      arrived: toChTime(new Date(t)),
      trace_id: `t${t}`,
      span_id: `s${i}`,
      service: 'sync',
      ts: toChTime(new Date(spanMs ?? t)),
      end_ts: toChTime(new Date(spanMs ?? t)),
    })),
    format: 'JSONEachRow',
  });

describe('intake gaps read back from what arrived (a Weft that restarts or takes over the lease)', () => {
  it('finds every silence longer than the gap threshold between arrivals, with the arrivals as its ends, and the look-back before the first', async () => {
    // Traffic every 5 s from 20 to 10 minutes ago, Weft down until 4 minutes ago, traffic again until 30 s ago.
    await arrive([...every(now - 20 * MIN, now - 10 * MIN, 5 * S), ...every(now - 4 * MIN, now - 30 * S, 5 * S)]);
    const recovered = await recoverGaps(store, new Date(now), 15 * S, 60 * MIN);
    expect(recovered.gaps).toEqual([
      { from: iso(now - 60 * MIN), to: iso(now - 20 * MIN) },
      { from: iso(now - 10 * MIN), to: iso(now - 4 * MIN) },
    ]);
    // The last arrival it read, which the evaluation reads on from.
    expect(recovered.lastArrival).toBe(iso(now - 30 * S));
    // The silence until now is not a gap read back: trackGaps opens it from the newest span while it lasts.
  });

  it('takes a silence of exactly the threshold as no gap and one a millisecond longer as one, wherever the buckets fall', async () => {
    const t = now - 10 * MIN + 7 * S; // off the 15 s buckets
    await arrive([t, t + 15 * S, t + 30 * S + 1, t + 31 * S, t + 46 * S + 1]);
    expect((await recoverGaps(store, new Date(now), 15 * S, 11 * MIN)).gaps).toEqual([
      { from: iso(now - 11 * MIN), to: iso(t) },
      { from: iso(t + 15 * S), to: iso(t + 30 * S + 1) },
      { from: iso(t + 31 * S), to: iso(t + 46 * S + 1) },
    ]);
  });

  it('reads nothing as a gap when nothing arrived, and leaves out what arrived before the look-back or after now', async () => {
    expect((await recoverGaps(store, new Date(now), 15 * S, 60 * MIN)).gaps).toEqual([]);
    await arrive([now - 2 * 60 * MIN, ...every(now - 60 * MIN, now - 30 * MIN, 5 * S), now + 5 * MIN]);
    expect((await recoverGaps(store, new Date(now), 15 * S, 60 * MIN)).gaps).toEqual([]);
  });

  // Regression: the gaps lived in the alerting loop's memory only, so a restarted Weft counted the runs it never
  // received while it was down as runs that did not happen (`traces`, `throughput-drop`) and a flow as silent
  // through the downtime (`staleness`).
  it('gives the alerting loop, when it takes the lease, the gap of the time Weft was down', async () => {
    await arrive([...every(now - 20 * MIN, now - 10 * MIN, 5 * S), ...every(now - 4 * MIN, now - 5 * S, 5 * S)]);
    const alerting = alertingForTest({ store, catalog: () => catalog, clock: { now: () => new Date(now) } });
    try {
      await alerting.evaluateNow();
      expect(alerting.lastObservations()?.gaps).toContainEqual({ from: iso(now - 10 * MIN), to: iso(now - 4 * MIN) });
    } finally {
      await alerting.stop();
    }
  });
});

// Regression: the newest span's own time (the sender's clock) stood for when Weft last received one. Spans a gateway
// delivered minutes late fired telemetry-gap while they kept arriving; a sender clock ahead held it off, and closed an
// intake gap in the future.
describe('telemetry-gap and intake gaps measured by arrival, not by the senders clocks', () => {
  const gapRule = rulesFor(catalog).find((r) => r.measure === 'telemetry-gap')!;

  /** A call span stored at `arrivedMs` whose own time (its sender's clock) is `spanMs`. */
  const store1 = async (arrivedMs: number, spanMs: number) => {
    await arrive([arrivedMs], spanMs);
    await store.client.insert({
      table: 'weft_endpoints',
      values: [
        {
          ep_kind: 'http',
          ep_sys: '',
          ep_host: 'crm.internal',
          ep_name: '',
          ep_peer: '',
          first_seen: toChTime(new Date(spanMs)),
          last_seen: toChTime(new Date(spanMs)),
        },
      ],
      format: 'JSONEachRow',
    });
  };
  const telemetryGap = async (lastArrival?: string | null) => {
    const o = await observe({ store, catalog, rules: [gapRule], now: new Date(now), gaps: [], lastArrival });
    return { o, c: conditionsFor([gapRule], catalog, o)[0] };
  };

  it('does not fire while spans arrive that a gateway held for 10 minutes', async () => {
    await store1(now - 5 * S, now - 10 * MIN);
    const { o, c } = await telemetryGap();
    expect(o.lastArrival).toBe(iso(now - 5 * S));
    expect(c).toMatchObject({ value: 5 * S, active: false });
  });

  it('fires after 60 s without a span even when the last one was stamped 10 minutes ahead, and gaps close when spans arrive', async () => {
    await store1(now - 90 * S, now + 10 * MIN);
    const { o, c } = await telemetryGap();
    expect(c).toMatchObject({ value: 90 * S, active: true });
    // The open gap runs from the last arrival, not from a span time still to come.
    expect(trackGaps([], o.lastArrival, new Date(now))).toEqual([{ from: iso(now - 90 * S), to: iso(now), open: true }]);
    // The next evaluation reads only what arrived since the last answer, and keeps that answer when nothing did.
    expect((await telemetryGap(o.lastArrival)).o.lastArrival).toBe(iso(now - 90 * S));
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
