import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import type { Analyzer } from '../index.ts';
import { observedEdges, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const catalogYaml = `systems:
  - { id: crm, match: { hosts: [crm.internal] } }
  - { id: erp, match: { hosts: [erp.internal] } }
flows:
  - { id: self-sync, source: crm, target: erp, runtime: { service: self-sync } }
  - { id: cycle-sync, source: crm, target: erp, runtime: { service: cycle-sync } }
  - { id: plain-sync, source: crm, target: erp, runtime: { service: plain-sync } }
`;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
/** An OTLP/JSON span of 20 ms from `startMs`: kind 1 INTERNAL, 3 CLIENT; an HTTP call when `method` is given. */
const span = (traceId: string, spanId: string, parentSpanId: string, startMs: number, method?: string, host?: string) => ({
  traceId,
  spanId,
  parentSpanId,
  name: method ?? 'run',
  kind: method ? 3 : 1,
  startTimeUnixNano: `${startMs}000000`,
  endTimeUnixNano: `${startMs + 20}000000`,
  attributes: method ? [str('http.request.method', method), str('url.full', `http://${host}/api/orders`)] : [],
});

// Regression: a span named as its own parent, or two calls each named as the other's parent (ids an SDK or a hand-made
// exporter got wrong), were taken back as transports of each other (migration 112's rule: a CLIENT span under a CLIENT
// span that touched a named system carries that call): the run read and wrote nothing, and its documented flow was never
// observed.
describe('calls whose parent ids point at themselves or at each other', () => {
  let h: Harness;
  let analyzer: Analyzer;
  beforeAll(async () => {
    h = await startHarness();
    analyzer = testAnalyzer(h.store, catalogYaml);
    const t0 = Date.now() - 5 * 60_000;
    const trace = (n: number) => `${n}`.padStart(32, 'c');
    const id = (n: number) => `${n}`.padStart(16, '0');
    const traces: [string, object[]][] = [
      [
        'self-sync',
        [
          span(trace(1), id(1), '', t0),
          span(trace(1), id(2), id(2), t0 + 1, 'GET', 'crm.internal'),
          span(trace(1), id(3), id(3), t0 + 30, 'POST', 'erp.internal'),
        ],
      ],
      [
        'cycle-sync',
        [
          span(trace(2), id(4), '', t0),
          span(trace(2), id(5), id(6), t0 + 1, 'GET', 'crm.internal'),
          span(trace(2), id(6), id(5), t0 + 30, 'POST', 'erp.internal'),
        ],
      ],
      [
        'plain-sync',
        [
          span(trace(3), id(7), '', t0),
          span(trace(3), id(8), id(7), t0 + 1, 'GET', 'crm.internal'),
          span(trace(3), id(9), id(7), t0 + 30, 'POST', 'erp.internal'),
        ],
      ],
    ];
    for (const [service, spans] of traces) {
      const body = { resourceSpans: [{ resource: { attributes: [str('service.name', service)] }, scopeSpans: [{ spans }] }] };
      const res = await fetch(`${h.collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(await res.json()).toEqual({});
    }
    await h.collector.flush();
    expect((await analyzer.runNow()).errors).toEqual([]);
  });
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('pairs the read and the write of each run: every flow observed, none reported missing', async () => {
    expect(await observedEdges(analyzer)).toEqual(['crm -> erp cycle-sync', 'crm -> erp plain-sync', 'crm -> erp self-sync']);
    expect(await openFindingTitles(analyzer, ['flow-never-observed', 'undocumented-flow', 'unknown-system'])).toEqual([]);
  });
});
