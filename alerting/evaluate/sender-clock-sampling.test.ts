import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPairing } from '../../analyzer/index.ts';
import { catalogFrom, receivingSince, senderLagsBefore } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans } from '../../test/otel.ts';
import { customRule, rulesFor } from '../rules/derive-rules.ts';
import { conditionsFor } from './conditions.ts';
import { observe } from './observe.ts';
import type { Observations } from './observations.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** OpenTelemetry probability sampling at 10% (tracestate `ot=th:…`). */
const TEN_PERCENT = 'ot=th:e666666666666';

/** Each flow's sender, its clock (the offset from real time, ms) and the least lag of its spans in the two minutes before. */
const senders = {
  'sampled-right': { offset: 0 },
  'sampled-behind-3m': { offset: -3 * MIN, lagBefore: 3 * MIN + 2_000 },
  'sampled-behind-10m': { offset: -10 * MIN, lagBefore: 10 * MIN + 2_000 },
  'sampled-ahead-2m': { offset: 2 * MIN },
} as const;
type Sender = keyof typeof senders;

const catalog = catalogFrom(`
owners: [{ id: icoe }]
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
flows:
${Object.keys(senders)
  .map((s) => `  - { id: ${s}, source: crm, target: erp, owner: icoe, runtime: { service: ${s} } }`)
  .join('\n')}
`);

// Regression: the sampling a count is judged against (weft_sampled_1m) is keyed by the span's own minute, while the
// pairing places a run by Weft's clock. A sender 10 minutes behind, sampling at 10%, whose 2 sampled runs of the last
// 5 minutes were counted in the window, had no sampled span in that window's minutes: its runs were taken as unsampled,
// 2 runs, and `traces < 5` fired on a flow that ran about 20 times.
describe('the sampling of a sender whose clock is off (real SDK → collector → chDB → pairing → alert conditions)', () => {
  let h: Harness;
  let o: Observations;
  const rules = [
    ...rulesFor(catalog),
    ...Object.keys(senders).map((s) =>
      customRule(catalog, { id: `few-${s}`, measure: 'traces', op: '<', threshold: 5, window: '5m', select: { flows: [s] }, severity: 'high' }),
    ),
  ];

  beforeAll(async () => {
    h = await startHarness();
    const now = Date.now();
    // Weft has been receiving for two hours (its pairing runs say so), so counts over the windows give a verdict.
    await receivingSince(h.store, now - 2 * HOUR);
    await senderLagsBefore(
      h.store,
      now,
      Object.fromEntries(Object.entries(senders).flatMap(([service, s]) => ('lagBefore' in s ? [[service, s.lagBefore]] : []))),
    );
    for (const [service, s] of Object.entries(senders) as Array<[Sender, (typeof senders)[Sender]]>) {
      // Two sampled runs in the last 2 minutes (of about 20 it ran), each sent as it ended.
      for (const ago of [90_000, 20_000]) {
        const at = now - ago + s.offset;
        await sendSpans(
          { url: h.collector.url, serviceName: service },
          [
            {
              name: 'run',
              start: at,
              durationMs: 50,
              children: [
                ['GET', 'crm.internal'],
                ['POST', 'erp.internal'],
              ].map(([method, host], i) => ({
                name: method,
                kind: api.SpanKind.CLIENT,
                start: at + 5 + 20 * i,
                durationMs: 10,
                attributes: { 'http.request.method': method, 'url.full': `https://${host}/api/customers` },
              })),
            },
          ],
          { traceState: TEN_PERCENT },
        );
      }
    }
    await h.collector.flush();
    const pairedAt = new Date();
    await runPairing(h.store, pairedAt, 0, { completeGraceMs: 0 });
    o = await observe({ store: h.store, catalog, rules, now: pairedAt, gaps: [] });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const few = (flow: string) => conditionsFor(rules, catalog, o).find((c) => c.rule.id === `few-${flow}` && c.labels.flow === flow);

  it('judges the runs of a sampled sender 3 or 10 minutes behind, or 2 ahead, on its sampling: no false traces < 5', () => {
    for (const flow of Object.keys(senders)) {
      expect(o.settled.get(5 * MIN)?.get(flow)?.traces, flow).toBe(2);
      expect(o.settledSampling?.get(5 * MIN)?.get(flow), flow).toBeCloseTo(0.1, 6);
      expect(few(flow)?.active, flow).toBe(false);
    }
  });
});
