import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toChTime, type Store } from '../../clickhouse/index.ts';
import { baseCatalogYaml, catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { customRule, rulesFor, TELEMETRY_GAP_MS } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { observe } from './observe.ts';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let dir: string;
let store: Store;
// Each case has a day of arrivals of its own, and is evaluated 2 hours after the one before: a usual silence read is
// kept for 10 minutes of a store's clock. Its rows are recent: weft_sender_lag_1m keeps a day, weft_intake_1m 9 (older rows go in merges).
let now = Math.floor(Date.now() / MIN) * MIN;
const catalog = catalogFrom(baseCatalogYaml);
const rules = [
  ...rulesFor(catalog),
  customRule(catalog, { id: 'own-gap', measure: 'telemetry-gap', op: '>', threshold: 120_000, window: '5m', severity: 'high' }),
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-usual-silence-'));
  store = await openMigratedStore(join(dir, 'data'), { rawDays: 60, rollupDays: 400, recordDays: 365 });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A day ending at the case's `now` whose spans arrived (Weft's clock) at `arrivals` ms before it, stored as the collector
 * stores them (weft_trace_spans; its views fill weft_sender_lag_1m and weft_intake_1m); then the telemetry-gap conditions `silentMs` after
 * the last arrival: the derived rule's and the catalog's own (2 minutes).
 */
async function gapAfter(arrivals: number[], silentMs: number) {
  now += 2 * HOUR;
  for (const table of ['weft_trace_spans', 'weft_sender_lag_1m', 'weft_intake_1m']) await store.client.command({ query: `TRUNCATE TABLE ${table}` });
  const last = now - Math.min(...arrivals);
  // In inserts of 3 days at most: weft_trace_spans is partitioned by the hour of arrival (100 partitions an insert).
  for (let from = 0; from < 9 * DAY; from += 3 * DAY) {
    const values = arrivals.flatMap((ago, i) =>
      ago >= from && ago < from + 3 * DAY
        ? [
            {
              arrived: toChTime(new Date(now - ago)),
              trace_id: `t${now}-${i}`,
              span_id: `s${i}`,
              service: 'orders-consumer',
              ts: toChTime(new Date(now - ago - S)),
              end_ts: toChTime(new Date(now - ago - S)),
            },
          ]
        : [],
    );
    if (values.length > 0) await store.client.insert({ table: 'weft_trace_spans', values, format: 'JSONEachRow' });
  }
  const at = new Date(last + silentMs);
  const o = await observe({ store, catalog, rules, now: at, gaps: [], watchingSince: new Date(at.getTime() - 2 * DAY) });
  const conditions = conditionsFor(rules, catalog, o);
  const of = (id: string) => conditions.find((c) => c.rule.id === id)!;
  return { derived: of('telemetry-gap'), own: of('own-gap'), usual: o.usualSilenceMs, before: o.silenceBefore };
}

/** Every `step` ms over the day before the case's now, from `from` ms before it. */
const every = (step: number, from = DAY - MIN) => Array.from({ length: Math.floor(from / step) + 1 }, (_, i) => from - i * step).filter((ago) => ago >= MIN);

// Regression: the derived telemetry-gap (critical) fired after 60 s without a span on an estate whose flows include any
// without a schedule, whatever its traffic: event consumers quiet for a few minutes at a time, nothing down, paged "the
// integrations' exporters, the network or Weft's collector is down" five times in 45 minutes. It now waits at least as
// long as the intake's usual silences (the 95th percentile of the last day's gaps between arrival minutes).
describe('telemetry-gap on an intake quiet for minutes at a time', () => {
  it('does not fire on a silence as long as the usual ones, and fires on one longer, saying what is usual', async () => {
    // Spans every 7 minutes all day; 6 minutes of silence now.
    const quiet = await gapAfter(every(7 * MIN), 6 * MIN);
    expect(quiet.usual).toBe(7 * MIN);
    expect([quiet.derived.active, quiet.derived.threshold]).toEqual([false, 7 * MIN]);
    expect(quiet.derived.summary).toBe('Weft is receiving telemetry: the last span arrived 6m ago (its usual silences last up to 7m)');
    // A rule of the catalog's keeps its own threshold.
    expect([quiet.own.active, quiet.own.threshold]).toEqual([true, 2 * MIN]);
  });

  it('fires once the silence is longer than the usual ones', async () => {
    const down = await gapAfter(every(7 * MIN), 9 * MIN);
    expect(down.derived.active).toBe(true);
    expect(down.derived.summary).toBe(
      "Weft has received no telemetry for 9m, longer than its intake's usual silences (95% of the last day's were at most 7m): the integrations' exporters, the network or Weft's collector is down",
    );
  });

  it('keeps 60 s for an intake busy every minute, also after an outage of hours earlier that day', async () => {
    const busy = every(30 * S).filter((ago) => ago < 10 * HOUR || ago > 13 * HOUR);
    const gap = await gapAfter(busy, 2 * MIN);
    expect(gap.usual).toBe(MIN);
    expect([gap.derived.active, gap.derived.threshold]).toEqual([true, TELEMETRY_GAP_MS]);
  });

  it('keeps 60 s while the day holds too few silences to say what is usual (a Weft that has received little)', async () => {
    const gap = await gapAfter(every(30 * MIN, 5 * HOUR), 2 * MIN);
    expect(gap.usual).toBeNull();
    expect([gap.derived.active, gap.derived.threshold]).toEqual([true, TELEMETRY_GAP_MS]);
  });
});

/** Arrivals every 5 minutes over each of `blocks` ([from, to] ms before the case's now, from the later to the earlier). */
const busy = (...blocks: [number, number][]) => blocks.flatMap(([from, to]) => every(5 * MIN, to).filter((ago) => ago >= from));

// Regression: an estate busy by day and silent at night (event-driven flows, people's working hours) was told every night,
// as critical, that "the integrations' exporters, the network or Weft's collector is down": the night's silence was the
// longest of the last day's, not a usual one. The derived rule now keeps quiet over a silence the intake kept around this
// time a week before (a day before while Weft has not been watching a week), and fires when that time had traffic.
describe('telemetry-gap on an intake busy by day and silent at night', () => {
  const days = (n: number, from: number, to: number): [number, number][] => Array.from({ length: n }, (_, d) => [d * DAY + from, d * DAY + to]);

  it('keeps quiet three hours into the night, as the nights before', async () => {
    // 13 busy hours a day for 8 days, the last ending a minute ago.
    const night = await gapAfter(busy(...days(8, MIN, 13 * HOUR)), 3 * HOUR);
    expect(night.usual).toBe(5 * MIN);
    expect(night.before!.week).toBeGreaterThan(3 * HOUR);
    expect(night.derived.active).toBe(false);
    expect(night.derived.summary).toMatch(
      /^Weft has received no telemetry for 3h, as around this time a week before \(silent for 3h\d+m then\): the estate is quiet at this time$/,
    );
    // A rule of the catalog's keeps its own threshold.
    expect(night.own.active).toBe(true);
  });

  it('fires on a silence in the hours that had traffic a week before, the evening before it', async () => {
    // Today's traffic stopped six hours before it did on the days before: ten minutes later, a week before was busy.
    const history = busy(...days(8, MIN, 13 * HOUR)).filter((ago) => ago > 6 * HOUR);
    const down = await gapAfter(history, 10 * MIN);
    expect(down.before!.week).toBeLessThan(5 * MIN);
    expect(down.derived.active).toBe(true);
    expect(down.derived.summary).toMatch(/the integrations' exporters, the network or Weft's collector is down$/);
  });

  it('keeps quiet on a Saturday as the Saturday before, and fires on a Monday morning with no traffic', async () => {
    // Saturday: the Friday before was busy at this time, the Saturday a week before was silent.
    const saturday = await gapAfter(
      busy([DAY - 10 * HOUR, DAY + 3 * HOUR], ...days(6, 0, 0).map(([a]): [number, number] => [a + 2 * DAY + 4 * HOUR, a + 2 * DAY + 8 * HOUR])),
      14 * HOUR,
    );
    expect(saturday.derived.active).toBe(false);
    // Monday: Sunday was silent at this time, the Monday before busy.
    const monday = await gapAfter(busy([14 * HOUR, 20 * HOUR], [DAY + 4 * HOUR, DAY + 8 * HOUR], [7 * DAY - 3 * HOUR, 7 * DAY + 10 * HOUR]), 14 * HOUR);
    expect(monday.before!.day).toBeGreaterThan(HOUR);
    expect(monday.derived.active).toBe(true);
  });

  // Regression: any silence over the threshold around this time a week before kept the rule quiet, however much longer
  // today's was: an estate busy every minute around the clock whose intake had paused for 9 minutes a week before (Weft
  // restarted, a deploy) had an outage today untold for 55 minutes ("no telemetry for 50m, as around this time a week
  // before (silent for 9m then)").
  it('fires on a silence longer than a pause around this time a week before, and keeps quiet on one no longer', async () => {
    const paused = every(MIN, 8 * DAY).filter((ago) => ago <= 7 * DAY - 25 * MIN || ago >= 7 * DAY - 15 * MIN);
    for (const silent of [20 * MIN, 40 * MIN]) {
      const outage = await gapAfter(paused, silent);
      expect([outage.usual, outage.before!.week]).toEqual([MIN, 9 * MIN]);
      expect(outage.derived.active).toBe(true);
      expect(outage.derived.summary).toMatch(/the integrations' exporters, the network or Weft's collector is down$/);
    }
    const pause = await gapAfter(paused, 5 * MIN);
    expect(pause.derived.active).toBe(false);
    expect(pause.derived.summary).toContain('as around this time a week before (silent for 9m then)');
  });

  it('reads the day before while Weft has not been watching a week, and fires without either', async () => {
    const night = await gapAfter(busy(...days(2, MIN, 13 * HOUR)), 3 * HOUR);
    expect([night.before!.week, night.derived.active]).toEqual([null, false]);
    expect(night.derived.summary).toContain('as around this time a day before');
    const first = await gapAfter(busy(...days(1, MIN, 13 * HOUR)), 3 * HOUR);
    expect(first.before).toEqual({ day: null, week: null });
    expect(first.derived.active).toBe(true);
  });
});
