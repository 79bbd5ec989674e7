import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toChTime, type Store } from '../../clickhouse/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { windowsSource, type Window } from './window-source.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The windows' rows read the plain way, one query branch per window: the per-minute table for the
 * partial hours at the window's ends, the hourly table for its whole hours (what `windowsSource` must
 * give in one read per table).
 */
function oneBranchPerWindow(windows: Window[]): { sql: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const sql = windows.map((w, i) => {
    const since = Math.floor(w.since.getTime() / MIN) * MIN;
    const h1 = Math.ceil(since / HOUR) * HOUR;
    const h2 = Math.floor(w.until.getTime() / HOUR) * HOUR;
    const p = (name: string, ms: number) => ((params[`o${i}_${name}`] = toChTime(new Date(ms))), `toDateTime64({o${i}_${name}:String}, 3, 'UTC')`);
    const cols = `toUInt16(${i}) AS w, integration, spans`;
    if (h1 >= h2) return `SELECT ${cols} FROM weft_endpoint_rollup_1m WHERE minute >= ${p('since', since)} AND minute < ${p('until', w.until.getTime())}`;
    return `SELECT ${cols} FROM weft_endpoint_rollup_1m WHERE (minute >= ${p('since', since)} AND minute < ${p('h1', h1)}) OR (minute >= ${p('h2', h2)} AND minute < ${p('until', w.until.getTime())})
      UNION ALL SELECT ${cols} FROM weft_endpoint_rollup_1h WHERE hour >= ${p('hh1', h1)} AND hour < ${p('hh2', h2)}`;
  });
  return { sql: sql.join('\nUNION ALL '), params };
}

describe('windowsSource: several windows in one read per table', () => {
  let dir: string;
  let store: Store;
  // 11:00 on a day, so that windows can start and end on hour and minute boundaries.
  const base = Date.UTC(2026, 10, 20, 11, 0, 0);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-windows-'));
    store = await openMigratedStore(join(dir, 'store'), { rawDays: 30, rollupDays: 400, recordDays: 30 });
    // One row a minute and one an hour (`integration` names them), for 8 hours around `base` and the
    // same hours a week earlier.
    const minutes = [];
    for (const start of [base - 7 * 24 * HOUR, base]) for (let t = start - 4 * HOUR; t < start + 4 * HOUR; t += MIN) minutes.push(t);
    const row = (t: number) => ({ integration: `m${t}`, direction: 'read', ep_kind: 'http', spans: (t / MIN) % 7 });
    await store.client.insert({ table: 'weft_endpoint_rollup_1m', format: 'JSONEachRow', values: minutes.map((t) => ({ minute: t / 1000, ...row(t) })) });
    const hours = minutes.filter((t) => t % HOUR === 0);
    await store.client.insert({
      table: 'weft_endpoint_rollup_1h',
      format: 'JSONEachRow',
      values: hours.map((t) => ({ hour: t / 1000, ...row(t), integration: `h${t}` })),
    });
  });

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (source: { sql: string; params: Record<string, string | string[]> }) =>
    store.client
      .query({
        query: `SELECT w, count() AS n, sum(spans) AS spans, groupArraySorted(100000)(integration) AS ints FROM (${source.sql}) GROUP BY w ORDER BY w`,
        query_params: source.params,
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ w: number; n: number | string; spans: number | string; ints: string[] }>());

  it('gives each window the rows it gives read on its own, overlapping windows each their own copy', async () => {
    const at = (ms: number) => new Date(base + ms);
    const windows: Window[] = [
      { since: at(-5 * MIN), until: at(0) }, // ends on the hour
      { since: at(-HOUR), until: at(0) }, // one whole hour
      { since: at(-3 * HOUR - 17 * MIN - 30_000), until: at(2 * HOUR + 12 * MIN + 4_000) }, // partial hours at both ends
      { since: at(-3 * HOUR - 17 * MIN - 30_000 - 7 * 24 * HOUR), until: at(2 * HOUR + 12 * MIN + 4_000 - 7 * 24 * HOUR) }, // the same a week back
      { since: at(30 * MIN), until: at(30 * MIN) }, // empty
      { since: at(59 * MIN + 59_999), until: at(61 * MIN) }, // the minute holding `since` counts whole
      { since: at(-2 * HOUR), until: at(2 * HOUR) }, // starts and ends on hours
    ];
    const got = await rows(windowsSource('weft_endpoint_rollup', 'integration, spans', windows));
    const want = await rows(oneBranchPerWindow(windows));
    expect(got).toEqual(want);
    // The figures themselves, for two of them: 5 minutes; 18 + 13 minutes at the ends and 5 whole hours.
    expect(Number(got.find((r) => r.w === 0)?.n)).toBe(5);
    expect(Number(got.find((r) => r.w === 2)?.n)).toBe(18 + 13 + 5);
    expect(got.some((r) => r.w === 4)).toBe(false);
  });

  it('agrees with the per-window read on random sets of windows (any start and end, overlapping or not)', async () => {
    // mulberry32: a seeded sequence, so that a failure is the same on every run.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    // Starts and ends anywhere in the 8 rowed hours (and a little outside them), to the millisecond or on
    // minute and hour boundaries; some a week back.
    const instant = () => {
      const ms = base - 4.5 * HOUR + random() * 9 * HOUR;
      const snapped = [ms, Math.floor(ms / MIN) * MIN, Math.floor(ms / HOUR) * HOUR][Math.floor(random() * 3)];
      return snapped - (random() < 0.2 ? 7 * 24 * HOUR : 0);
    };
    for (let set = 0; set < 40; set++) {
      const windows: Window[] = Array.from({ length: 1 + Math.floor(random() * 8) }, () => {
        const [a, b] = [instant(), instant()].sort((x, y) => x - y);
        return { since: new Date(a), until: new Date(b) };
      });
      expect(await rows(windowsSource('weft_endpoint_rollup', 'integration, spans', windows)), JSON.stringify(windows)).toEqual(
        await rows(oneBranchPerWindow(windows)),
      );
    }
  });

  it('reads nothing for no windows', async () => {
    expect(await rows(windowsSource('weft_endpoint_rollup', 'integration, spans', []))).toEqual([]);
  });
});

describe('windowsSource with services whose clocks are off', () => {
  let dir: string;
  let store: Store;
  const base = Date.UTC(2026, 10, 20, 11, 0, 0);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-windows-shift-'));
    store = await openMigratedStore(join(dir, 'store'), { rawDays: 30, rollupDays: 400, recordDays: 30 });
    // One row a minute and one an hour for each of two services, 4 hours around `base`.
    const minutes: number[] = [];
    for (let t = base - 4 * HOUR; t < base + 4 * HOUR; t += MIN) minutes.push(t);
    const row = (service: string, t: number) => ({ service, integration: `${service}-${t}`, direction: 'read', ep_kind: 'http', spans: 1 });
    for (const service of ['right', 'behind']) {
      await store.client.insert({
        table: 'weft_endpoint_rollup_1m',
        format: 'JSONEachRow',
        values: minutes.map((t) => ({ minute: t / 1000, ...row(service, t) })),
      });
      await store.client.insert({
        table: 'weft_endpoint_rollup_1h',
        format: 'JSONEachRow',
        values: minutes.filter((t) => t % HOUR === 0).map((t) => ({ hour: t / 1000, ...row(service, t) })),
      });
    }
  });

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a service 10 minutes behind in the window moved back by 10 minutes, its rows carrying the offset; the others where they are', async () => {
    const since = base - 2 * HOUR - 17 * MIN;
    const until = base + 13 * MIN;
    const source = windowsSource(
      'weft_endpoint_rollup',
      'service, integration',
      [{ since: new Date(since), until: new Date(until) }],
      [{ ms: 10 * MIN, services: ['behind'] }],
    );
    const got = await store.client
      .query({
        query: `SELECT service, shift_ms, count() AS n, min(integration) AS first, max(integration) AS last FROM (${source.sql}) GROUP BY service, shift_ms ORDER BY service`,
        query_params: source.params,
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ service: string; shift_ms: string; n: string; first: string; last: string }>());
    // 17 minutes, 2 whole hours, 13 minutes; moved: 27 minutes, the same 2 hours, 3 minutes.
    expect(got.map((r) => [r.service, Number(r.shift_ms), Number(r.n)])).toEqual([
      ['behind', 10 * MIN, 27 + 2 + 3],
      ['right', 0, 17 + 2 + 13],
    ]);
    const behind = got.find((r) => r.service === 'behind')!;
    expect([behind.first, behind.last]).toEqual([`behind-${since - 10 * MIN}`, `behind-${until - 11 * MIN}`]);
  });
});
