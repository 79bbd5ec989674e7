import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans } from '../../test/otel.ts';
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

// Regression: the error-rate finding had no minimum sample: one failed run of one opened "Flow customer-sync fails
// 100.0% of runs", where alerting (errorRateMinTraces) gives no verdict.
describe('error-rate on too few runs', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 150 * MIN;

  beforeAll(async () => {
    h = await startHarness();
    analyzer = testAnalyzer(h.store, catalogYaml, { windowMs: 3 * 60 * MIN });
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('opens no finding on 1 failed run of 1, and one on 1 failed of 5 (20% over 10%)', async () => {
    await send(h, t0, 1, { failed: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
    expect(await openFindingTitles(analyzer, ['error-rate'])).toEqual([]);
    await send(h, t0 + MIN, 4);
    await analyzer.runNow();
    expect(await openFindingTitles(analyzer, ['error-rate'])).toEqual(['Flow customer-sync fails 20.0% of runs (class gold allows 10.0%)']);
    const [finding] = await analyzer.findings.list({ kind: ['error-rate'] });
    expect(finding.evidence).toMatchObject({ traces: 5, failedTraces: 1, minTraces: 5 });
  });
});
