import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans } from '../../test/otel.ts';
import { runAudit } from '../audit/run-audit.ts';
import type { Analyzer } from '../index.ts';
import { customerSyncRun } from '../test/estate-fixture.ts';
import { openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const MIN = 60_000;

// A flow without a schedule: its error rate is judged on 5 runs (ERROR_RATE_MIN_TRACES), its latency on the class's 5.
const catalogYaml = `
owners: [{ id: icoe }]
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
classes:
  - { id: gold, errorRate: 0.1, latencyP95Ms: 100, minTraces: 5 }
flows:
  - { id: customer-sync, source: crm, target: erp, owner: icoe, class: gold, runtime: { service: customer-sync } }
`;

/** Runs of customer-sync one minute apart from `start` (epoch ms): `failed` of them failed first, each `durationMs` long. */
async function send(h: Harness, start: number, runs: number, { failed = 0, durationMs = 30 } = {}): Promise<void> {
  const roots = Array.from({ length: runs }, (_, k) => ({ ...customerSyncRun(start + k * MIN, k < failed), durationMs }));
  await sendSpans({ url: h.collector.url, serviceName: 'customer-sync' }, roots);
  await h.collector.flush();
}

const KINDS = ['error-rate', 'latency-slo-breach'] as const;
const ERRORS = 'Flow customer-sync fails 20.0% of runs (class gold allows 10.0%)';
const SLOW = 'Flow customer-sync is slower than class gold allows (p95 300 ms, p99 300 ms)';

// Regression: the error-rate finding had no minimum sample: one failed run of one opened "Flow customer-sync fails
// 100.0% of runs", where alerting (errorRateMinTraces) gives no verdict. And a flow with too few runs in the window (or
// none) resolved its open error-rate and latency findings ("condition cleared"), which the next window with enough runs
// opened again: a flapping finding, and a false "resolved" in its history and in compliance reports.
describe('error-rate and latency findings on too few runs', () => {
  let h: Harness;
  // The same store read over 3 hours (the first runs) and over the last hour (the later ones) and 10 minutes (none).
  let wide: Analyzer;
  let hour: Analyzer;
  let tenMinutes: Analyzer;
  const t0 = Date.now() - 150 * MIN;
  const recent = Date.now() - 20 * MIN;

  beforeAll(async () => {
    h = await startHarness();
    wide = testAnalyzer(h.store, catalogYaml, { windowMs: 180 * MIN });
    hour = testAnalyzer(h.store, catalogYaml, { windowMs: 60 * MIN });
    tenMinutes = testAnalyzer(h.store, catalogYaml, { windowMs: 10 * MIN });
  });
  afterAll(async () => {
    for (const a of [wide, hour, tenMinutes]) await a?.stop();
    await h?.close();
  });

  const events = async (kind: (typeof KINDS)[number]) => {
    const [f] = await wide.findings.list({ kind: [kind] });
    return (await wide.findings.history(f.id)).map((e) => e.action);
  };

  it('opens none on 1 failed run of 1, and both on 1 failed of 5 (20% over 10%, p95 over 100 ms)', async () => {
    await send(h, t0, 1, { failed: 1, durationMs: 300 });
    expect((await wide.runNow()).errors).toEqual([]);
    expect(await openFindingTitles(wide, [...KINDS])).toEqual([]);
    await send(h, t0 + MIN, 4, { durationMs: 300 });
    await wide.runNow();
    expect((await openFindingTitles(wide, [...KINDS])).sort()).toEqual([ERRORS, SLOW]);
    const [finding] = await wide.findings.list({ kind: ['error-rate'] });
    expect(finding.evidence).toMatchObject({ traces: 5, failedTraces: 1, minTraces: 5 });
  });

  it('keeps both open, untouched, while the window holds 2 runs of the flow, or none', async () => {
    const before = await wide.findings.list({ kind: [...KINDS] });
    await send(h, recent, 2);
    const run = await hour.runNow();
    expect(run.findings).toMatchObject({ opened: 0, resolved: 0, held: 2 });
    expect((await tenMinutes.runNow()).findings).toMatchObject({ opened: 0, resolved: 0, held: 2 });
    expect(await wide.findings.list({ kind: [...KINDS] })).toEqual(before);
    for (const kind of KINDS) expect(await events(kind)).toEqual(['opened']);
    // The findings API (the store of the process that evaluated) says why they are kept.
    expect((await hour.findings.list({ kind: [...KINDS] })).map((f) => [f.kind, f.status, f.noVerdict?.reason]).sort()).toEqual([
      ['error-rate', 'open', '2 runs in the window, fewer than the 5 its error rate is judged on'],
      ['latency-slo-breach', 'open', '2 runs in the window, fewer than the 5 its latency is judged on'],
    ]);
    // The audit of the last hour lists them as the runner keeps them, and says why.
    const audit = await runAudit(h.store, hour.catalog(), { sinceMs: 60 * MIN, now: new Date(), failOn: null, findings: hour.findings });
    expect(audit.findings.map((f) => [f.title, f.noVerdict?.reason]).sort()).toEqual([
      [ERRORS, '2 runs in the window, fewer than the 5 its error rate is judged on'],
      [SLOW, '2 runs in the window, fewer than the 5 its latency is judged on'],
    ]);
  });

  it('resolves both once 5 runs in the window succeed, fast', async () => {
    await send(h, recent + 2 * MIN, 3);
    expect((await hour.runNow()).findings).toMatchObject({ resolved: 2, held: 0 });
    expect(await openFindingTitles(wide, [...KINDS])).toEqual([]);
    for (const kind of KINDS) expect(await events(kind)).toEqual(['opened', 'resolved']);
    expect((await hour.findings.list({ kind: [...KINDS] })).map((f) => f.noVerdict)).toEqual([undefined, undefined]);
  });
});
