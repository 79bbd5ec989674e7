import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startAnalyzer, type Analyzer } from '../index.ts';
import { detectAll } from './index.ts';
import { detectionSnapshot } from '../model/take-snapshot.ts';
import { runAudit } from '../audit/run-audit.ts';
import { runPairing } from '../flows/pairing-job.ts';
import { catalogFrom, sendCustomerSync } from '../test/estate-fixture.ts';
import { keptWatching } from '../test/kept-watching.ts';
import { toChTime } from '../../clickhouse/index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

const catalogYaml = `
owners: [{ id: icoe, email: icoe@example.com }]
systems:
  - { id: crm, kind: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, kind: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp], owner: icoe }
flows:
  - { id: five-min-sync, source: crm, target: erp, domain: customer, owner: icoe, schedule: { every: 5m }, runtime: { service: five-min-sync } }
  - { id: daily-sync, source: crm, target: erp, domain: customer, owner: icoe, staleAfter: 25h, schedule: { every: 24h }, runtime: { service: daily-sync } }
`;

/** A Weft over a fresh store whose analyzer's clock the test moves (`at`), evaluating on demand; its window 20 minutes. */
function weftOnClock(yaml = catalogYaml) {
  const state = { h: undefined as unknown as Harness, analyzer: undefined as unknown as Analyzer, real: 0, now: 0 };
  let flow = '';
  /** The open stale-flow and flow-never-observed findings on the flow the test runs (`start`'s). */
  const open = async () =>
    (await state.analyzer.findings.list({ status: ['open'], kind: ['stale-flow', 'flow-never-observed'] }))
      .filter((f) => f.key === flow)
      .map((f) => `${f.kind} ${f.key}`)
      .sort();
  /** Starts the Weft with one run of `service` (its flow's runtime) sent now. */
  const start = async (service: string) => {
    flow = service;
    state.h = await startHarness();
    state.real = state.now = Date.now();
    await sendCustomerSync(state.h.collector.url, state.real, service);
    await state.h.collector.flush();
    state.analyzer = startAnalyzer({
      store: state.h.store,
      catalog: catalogFrom(yaml),
      logger: silentLogger(),
      config: { intervalMs: HOUR, windowMs: 20 * MIN, lateMs: MIN, completeGraceMs: 0 },
      clock: { now: () => new Date(state.now) },
      schedule: false,
    });
  };
  /** Evaluates with the analyzer's clock at `real + offsetMs`; fails on an evaluation error. */
  const at = async (offsetMs: number) => {
    state.now = state.real + offsetMs;
    expect((await state.analyzer.runNow()).errors).toEqual([]);
  };
  /** Weft kept running from `real + fromMs` to `real + toMs` (its pairing runs in between). */
  const watched = (fromMs: number, toMs: number) => keptWatching(state.h.store, state.real + fromMs, state.real + toMs);
  const stop = async () => {
    await state.analyzer?.stop();
    await state.h?.close();
  };
  return { state, open, start, at, watched, stop };
}

// Regression: Weft stopped for an hour and restarted on the same data counted the hour as watched: a flow run every 5
// minutes was flow-never-observed and stale-flow at the first evaluation ("has not run for 1h 5m"), though its runs
// in that hour reached no Weft (18 flow-never-observed and 6 stale-flow findings opened the instant the API came up).
describe('a flow every 5 minutes across an hour Weft was down', () => {
  const w = weftOnClock();
  beforeAll(() => w.start('five-min-sync'));
  afterAll(() => w.stop());

  it('is neither stale nor never observed when Weft is back, until Weft has watched for its allowed silence', async () => {
    await w.at(MIN);
    await w.watched(MIN, 6 * MIN);
    await w.at(6 * MIN);
    expect(await w.open()).toEqual([]);
    // Down from 6 to 66 minutes: no pairing run, no span.
    await w.at(66 * MIN);
    expect(await w.open()).toEqual([]);
    await w.watched(66 * MIN, 72 * MIN);
    await w.at(72 * MIN);
    expect(await w.open()).toEqual([]);
    // Watched for longer than the 10 minutes it may be silent (2 × every), paired up to a minute before: still no run.
    await w.watched(72 * MIN, 78 * MIN);
    await w.at(78 * MIN);
    expect(await w.open()).toEqual(['flow-never-observed five-min-sync', 'stale-flow five-min-sync']);
  });

  it('keeps the open findings as they are (no verdict) across the next downtime, neither resolved nor said again', async () => {
    const list = async () =>
      (await w.state.analyzer.findings.list({ status: ['open'], kind: ['stale-flow', 'flow-never-observed'] })).filter((f) => f.key === 'five-min-sync');
    const before = await list();
    expect(before).toHaveLength(2);
    // Down again from 78 to 140 minutes.
    await w.at(140 * MIN);
    const after = await list();
    expect(after.map((f) => [f.id, f.lastSeen])).toEqual(before.map((f) => [f.id, f.lastSeen]));
    for (const f of after) expect(f.noVerdict?.reason).toMatch(/^Weft was not observing from .* to .*; judged again once it has watched for 10m since$/);
    expect(await w.state.analyzer.findings.list({ status: ['resolved'] })).toEqual([]);
  });
});

// Regression: a daily flow whose run fell while Weft was down was stale-flow (and flow-never-observed) the moment Weft
// was back: "has not run for 1d 2h (allowed 1d 1h)".
describe('a daily flow whose run fell while Weft was down', () => {
  const w = weftOnClock();
  beforeAll(() => w.start('daily-sync'));
  afterAll(() => w.stop());

  it('is not stale until Weft has watched for its allowed silence since it came back', async () => {
    await w.at(MIN);
    await w.watched(MIN, 20 * HOUR);
    await w.at(20 * HOUR);
    expect(await w.open()).toEqual([]);
    // Down from 20 to 26 hours: its run due at 24 hours reached no Weft.
    await w.at(26 * HOUR);
    expect(await w.open()).toEqual([]);
    await w.watched(26 * HOUR, 50 * HOUR);
    await w.at(50 * HOUR);
    expect(await w.open()).toEqual([]);
    // A day and an hour of watching (paired up to a minute before) and still no run: stale, and absent from the window.
    await w.watched(50 * HOUR, 51 * HOUR + 2 * MIN);
    await w.at(51 * HOUR + 2 * MIN);
    expect(await w.open()).toEqual(['flow-never-observed daily-sync', 'stale-flow daily-sync']);
  });
});

// Regression: with pairing two hours behind (failing, or unable to keep up), a flow every 5 minutes whose runs were
// stored and not paired was flow-never-observed ("was not observed since …") though nothing in the window was paired.
describe('flow-never-observed while pairing is behind', () => {
  let h: Harness;
  let real = 0;
  beforeAll(async () => {
    h = await startHarness();
    real = Date.now();
    // Observing (and pairing) for three hours before its first run.
    await keptWatching(h.store, real - 3 * HOUR, real);
    await sendCustomerSync(h.collector.url, real, 'five-min-sync');
    await h.collector.flush();
  });
  afterAll(() => h?.close());

  it('is not flow-never-observed while its runs wait to be paired', async () => {
    const analyzer = startAnalyzer({
      store: h.store,
      catalog: catalogFrom(catalogYaml),
      logger: silentLogger(),
      config: { intervalMs: HOUR, windowMs: 20 * MIN, lateMs: MIN, completeGraceMs: 0 },
      clock: { now: () => new Date(real + MIN) },
      schedule: false,
    });
    await analyzer.runNow();
    await analyzer.stop();
    // Its later runs are stored; pairing stopped after the run at `real + 1 minute`.
    await sendCustomerSync(h.collector.url, Date.now(), 'five-min-sync');
    await h.collector.flush();
    const now = new Date(real + 2 * HOUR);
    const { candidates } = detectAll({ snapshot: await detectionSnapshot(h.store, catalogFrom(catalogYaml), 20 * MIN, now), now });
    // Its last paired run is within its allowed silence of where pairing got to: not missing.
    expect(candidates.filter((c) => c.kind === 'flow-never-observed').map((c) => c.key)).toEqual([]);
  });
});

// Regression: `weft audit --data` on the store of a Weft stopped two hours before reported the flow that ran every 5
// minutes until the stop as stale-flow and flow-never-observed: the audit's own pairing run (at now) counted the two
// hours no Weft ran as watched.
describe('weft audit --data on the store of a stopped Weft', () => {
  let h: Harness;
  let real = 0;
  beforeAll(async () => {
    h = await startHarness();
    real = Date.now();
    await keptWatching(h.store, real - HOUR, real);
    await sendCustomerSync(h.collector.url, real, 'five-min-sync');
    await h.collector.flush();
    await runPairing(h.store, new Date(real + MIN), MIN, { completeGraceMs: 0 });
  });
  afterAll(() => h?.close());

  it('has no verdict on the silence since the stop', async () => {
    const report = await runAudit(h.store, catalogFrom(catalogYaml), {
      sinceMs: 20 * MIN,
      now: new Date(real + 2 * HOUR),
      failOn: null,
      pair: { lateMs: MIN },
    });
    expect(report.findings.filter((f) => f.kind === 'stale-flow' || f.kind === 'flow-never-observed').map((f) => f.id)).toEqual([]);
  });
});

// Regression: an undocumented flow seen before Weft stopped for an hour was resolved ("condition cleared") by the first
// window after the restart, which held nothing because no Weft had been there to see it, and reopened by the next run
// it saw: a false "resolved" in its history and in compliance reports. The same for every finding whose condition is
// something seen in the window (undocumented-flow, unknown-system, sor-violation, …), and while pairing failed (no pairing run either).
describe('a finding seen in the window, across an hour Weft was down', () => {
  const w = weftOnClock();
  beforeAll(() => w.start('shadow-sync'));
  afterAll(() => w.stop());
  const undocumented = async (status: 'open' | 'resolved') =>
    (await w.state.analyzer.findings.list({ status: [status], kind: ['undocumented-flow'] })).map((f) => [f.key, f.noVerdict?.reason ?? null]);

  it('is kept open, with no verdict, while the window overlaps the downtime', async () => {
    await w.at(MIN);
    expect(await undocumented('open')).toEqual([['crm->erp@shadow-sync', null]]);
    await w.watched(MIN, 6 * MIN);
    // Down from 6 to 66 minutes: the 20-minute window at 66 holds no run of it.
    await w.at(66 * MIN);
    expect(await undocumented('resolved')).toEqual([]);
    const [[key, reason]] = await undocumented('open');
    expect(key).toBe('crm->erp@shadow-sync');
    expect(reason).toMatch(/^Weft was not observing from .* to .*, within the window; judged again once the window lies after it$/);
    // `weft audit` of the same window lists it as the runner keeps it, and says why.
    const audit = await runAudit(w.state.h.store, catalogFrom(catalogYaml), {
      sinceMs: 20 * MIN,
      now: new Date(w.state.now),
      failOn: null,
      findings: w.state.analyzer.findings,
    });
    expect(audit.findings.filter((f) => f.kind === 'undocumented-flow').map((f) => f.noVerdict?.reason)).toEqual([reason]);
  });

  it('resolves once a window Weft watched whole holds no run of it', async () => {
    await w.watched(66 * MIN, 90 * MIN);
    await w.at(90 * MIN);
    expect(await undocumented('open')).toEqual([]);
    const [f] = await w.state.analyzer.findings.list({ kind: ['undocumented-flow'] });
    expect((await w.state.analyzer.findings.history(f.id)).map((e) => e.action)).toEqual(['opened', 'resolved']);
  });
});

describe('a finding seen in the window, across a downtime after which the catalog changed', () => {
  const w = weftOnClock();
  beforeAll(() => w.start('shadow-sync'));
  afterAll(() => w.stop());

  it('is judged by the catalog now in effect, seen again or not', async () => {
    await w.at(MIN);
    await w.watched(MIN, 6 * MIN);
    // Down from 6 to 66 minutes; back with a catalog that differs (a version stored at the restart).
    await w.state.h.store.client.insert({
      table: 'weft_catalog_versions',
      format: 'JSONEachRow',
      values: [
        { at: toChTime(new Date(w.state.real + 66 * MIN)), sha256: 'b'.repeat(64), actor: 'weft', reason: 'start', sources: [], catalog: '{}', changes: '[]' },
      ],
    });
    await w.at(66 * MIN);
    expect(await w.state.analyzer.findings.list({ status: ['open'], kind: ['undocumented-flow'] })).toEqual([]);
  });
});

// A flow that may be silent for a minute (run every 30 s), as the demo's are.
const minuteYaml = `${catalogYaml}  - { id: minute-sync, source: crm, target: erp, domain: customer, owner: icoe, schedule: { every: 30s }, runtime: { service: minute-sync } }
`;

// Regression: a stop shorter than the 5 minutes the first rule took as a downtime (4m40s of the demo run with
// --no-faults) opened stale-flow on every flow allowed a minute of silence at the first evaluation back ("has not run
// for 5m3s (allowed 1m)"), resolved 30 s later: their runs of those minutes may never have reached Weft.
describe('a flow allowed a minute of silence, across a 4-minute stop', () => {
  const w = weftOnClock(minuteYaml);
  beforeAll(() => w.start('minute-sync'));
  afterAll(() => w.stop());

  it('is not stale when Weft is back, and is once Weft has watched its minute with no run', async () => {
    await w.at(30_000);
    // Stopped from 30 s to 4m30s.
    await w.at(4 * MIN + 30_000);
    expect(await w.open()).toEqual([]);
    await w.watched(4 * MIN + 30_000, 7 * MIN);
    await w.at(7 * MIN);
    expect(await w.open()).toEqual(['stale-flow minute-sync']);
  });
});

// Regression: `weft audit --data` and `weft report --data` pair a stopped store (a pairing run of their own, recording no
// windows), and downtime was read from every pairing run: audits made during a stop split it into gaps each shorter
// than the rule's, and the next audit, and the restarted Weft, called every fast flow stale ("has not run for 5m28s
// (allowed 1m)").
describe('offline audits of a stopped store, one after another', () => {
  let h: Harness;
  let real = 0;
  beforeAll(async () => {
    h = await startHarness();
    real = Date.now();
    await sendCustomerSync(h.collector.url, real, 'minute-sync');
    await h.collector.flush();
    await runPairing(h.store, new Date(real + 10_000), MIN, { completeGraceMs: 0 });
    await keptWatching(h.store, real + 10_000, real + 40_000);
  });
  afterAll(() => h?.close());

  it('do not hide the stop from the next audit', async () => {
    const catalog = catalogFrom(minuteYaml);
    const audit = (at: number) => runAudit(h.store, catalog, { sinceMs: 20 * MIN, now: new Date(real + at), failOn: null, pair: { lateMs: MIN } });
    for (const at of [70_000, 110_000, 150_000, 190_000, 230_000]) await audit(at);
    const report = await audit(270_000);
    expect(report.findings.filter((f) => f.kind === 'stale-flow').map((f) => f.id)).toEqual([]);
  });
});
