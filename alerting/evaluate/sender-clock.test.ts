import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPairing } from '../../analyzer/index.ts';
import { catalogFrom, customerSyncRun, receivingSince, senderLagsBefore } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans } from '../../test/otel.ts';
import { customRule, rulesFor } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { observe } from './observe.ts';
import type { Observations } from './observations.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** One flow per sender, each run by its own service; every one ran every minute for the last 10 minutes. */
const senders = ['behind-3m', 'behind-10m', 'pieces-behind', 'ahead-2m', 'stepped-ahead', 'stepped-back', 'late-batch', 'history'] as const;
const catalog = catalogFrom(`
owners: [{ id: icoe }]
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
classes:
  - { id: gold, latencyP95Ms: 1000, latencyP99Ms: 2000, errorRate: 0.2, staleAfter: 3m, minTraces: 2 }
flows:
${senders.map((s) => `  - { id: ${s}, source: crm, target: erp, owner: icoe, class: gold, schedule: { every: 1m }, runtime: { service: ${s} } }`).join('\n')}
`);

// Regression: a paired run was counted in the minute its sender's clock gave its start. A sender whose clock ran
// 10 minutes behind Weft's put every run 10 minutes in the past: its flow, running every minute, had no run in the last
// 5 minutes (`traces < 1` fired), and its failures never reached the windows ending now (error rate "no data": no alert
// while it failed); 3 minutes behind, the 5-minute window held 2 of its 6 runs. A clock ahead (or stepped ahead) is placed
// at once; a clock behind once its last three arrival minutes agree on it, so history delivered late keeps its minutes.
describe('windowed counts and ratios of a sender whose clock is off (real SDK → collector → chDB → pairing → alert conditions)', () => {
  let h: Harness;
  let o: Observations;
  const rules = [
    ...rulesFor(catalog),
    ...senders.map((s) =>
      customRule(catalog, { id: `few-${s}`, measure: 'traces', op: '<', threshold: 1, window: '5m', select: { flows: [s] }, severity: 'high' }),
    ),
  ];
  let now: number;
  /** Each sender's clock at real time `t` (epoch ms); `late-batch` and `history` are right, and send late. */
  const clock: Record<(typeof senders)[number], (t: number) => number> = {
    'behind-3m': (t) => t - 3 * MIN,
    'behind-10m': (t) => t - 10 * MIN,
    'pieces-behind': (t) => t - 10 * MIN,
    'ahead-2m': (t) => t + 2 * MIN,
    // Stepped 5 minutes ahead a minute ago, and 10 minutes back 3 minutes ago: the runs since (the earlier ones were sent
    // and paired when they ran).
    'stepped-ahead': (t) => t + 5 * MIN,
    'stepped-back': (t) => t - 10 * MIN,
    'late-batch': (t) => t,
    history: (t) => t,
  };
  /** The least lag of each sender's spans in each of the two arrival minutes before this one. */
  const before: Partial<Record<(typeof senders)[number], number>> = {
    'behind-3m': 3 * MIN + 2_000,
    'behind-10m': 10 * MIN + 2_000,
    'pieces-behind': 10 * MIN + 2_000,
    'stepped-ahead': 2_000,
    'stepped-back': 10 * MIN + 2_000,
  };

  beforeAll(async () => {
    h = await startHarness();
    now = Date.now();
    // Weft has been receiving for two hours (its pairing runs say so), so counts over the windows give a verdict.
    await receivingSince(h.store, now - 2 * HOUR);
    // What each sender sent in the two minutes before: the least lag of its spans, each minute (the rollup the collector's
    // view keeps as spans arrive).
    await senderLagsBefore(h.store, now, before);
    for (const s of senders) {
      // Every minute, the last 10 runs (the last ended 2 s ago); `behind-10m`'s last 3 failed. A sender sends each run as it ends,
      // but `late-batch` (a gateway's queue flushed after 10 minutes) and `history` (2 hours ago, sent to a new
      // installation) send theirs now; the stepped clocks' runs since their step.
      const ks = s === 'stepped-ahead' ? [0] : s === 'stepped-back' ? [0, 1, 2] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      const real = (k: number) => (s === 'history' ? now - 2 * HOUR : now) - k * MIN - 2_000;
      const runs = ks.map((k) => customerSyncRun(clock[s](real(k)), s === 'behind-10m' && k < 3));
      // `pieces-behind` loses trace context: each call is a trace of its own, paired into runs by time (run-boundaries.ts).
      await sendSpans({ url: h.collector.url, serviceName: s }, s === 'pieces-behind' ? runs.flatMap((r) => r.children!) : runs);
    }
    await h.collector.flush();
    const pairedAt = new Date();
    await runPairing(h.store, pairedAt, 0, { completeGraceMs: 0 });
    o = await observe({ store: h.store, catalog, rules, now: pairedAt, gaps: [] });
  });
  afterAll(async () => {
    await h?.close();
  });

  const settled = (flow: string) => o.settled.get(5 * MIN)?.get(flow)?.traces ?? 0;
  const recent = (flow: string) => o.windows.get(5 * MIN)?.get(flow);
  const active = (id: string, flow: string) => conditionsFor(rules, catalog, o).find((c) => c.rule.id === id && c.labels.flow === flow)?.active;

  it('counts the runs of a clock behind in the minutes they ran by Weft’s clock: no false traces < 1', () => {
    // 5 or 6 runs (the window holds whole minutes) of a flow running every minute, as for a clock that is right.
    for (const flow of ['behind-3m', 'behind-10m', 'pieces-behind']) {
      expect(settled(flow), flow).toBeGreaterThanOrEqual(5);
      expect(active(`few-${flow}`, flow), flow).toBe(false);
    }
  });

  it('judges the failures of a clock 10 minutes behind in the window ending now: the error-rate alert fires', () => {
    expect(recent('behind-10m')).toMatchObject({ failedTraces: 3 });
    expect(recent('behind-10m')!.traces).toBeGreaterThanOrEqual(5);
    expect(active('flow-error-rate', 'behind-10m')).toBe(true);
    expect(recent('behind-3m')!.traces).toBeGreaterThanOrEqual(5);
    expect(active('flow-error-rate', 'behind-3m')).toBe(false);
  });

  it('places the runs of a clock ahead, or stepped ahead, by Weft’s clock at once', () => {
    expect(settled('ahead-2m')).toBeGreaterThanOrEqual(5);
    expect(settled('ahead-2m')).toBeLessThanOrEqual(6);
    expect(active('few-ahead-2m', 'ahead-2m')).toBe(false);
    expect(settled('stepped-ahead')).toBe(1);
  });

  it('places the runs of a clock stepped back once its last three arrival minutes agree on its lag', () => {
    expect(settled('stepped-back')).toBe(3);
    expect(active('few-stepped-back', 'stepped-back')).toBe(false);
  });

  it('keeps runs delivered late, in one go, in the minutes they ran: a flushed backlog, history', () => {
    // The runs of the last 5 minutes of the 10 flushed now (5 or 6: whole minutes), none of the older ones.
    expect(settled('late-batch')).toBeGreaterThanOrEqual(5);
    expect(settled('late-batch')).toBeLessThanOrEqual(6);
    expect(settled('history')).toBe(0);
    expect(o.settled.get(5 * MIN)?.get('history')).toBeUndefined();
  });
});
