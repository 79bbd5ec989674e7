import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import type { Analyzer } from '../index.ts';
import { observedEdges, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';
import { cyclicCalls } from './transport-spans.ts';

const catalogYaml = `systems:
  - { id: crm, match: { hosts: [crm.internal] } }
  - { id: erp, match: { hosts: [erp.internal] } }
flows:
  - { id: self-sync, source: crm, target: erp, runtime: { service: self-sync } }
  - { id: cycle-sync, source: crm, target: erp, runtime: { service: cycle-sync } }
  - { id: plain-sync, source: crm, target: erp, runtime: { service: plain-sync } }
  - { id: ring-sync, source: crm, target: erp, runtime: { service: ring-sync } }
  - { id: ring4-sync, source: crm, target: erp, runtime: { service: ring4-sync } }
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
// observed. The same held for a ring of three or four calls (A under B, B under C, C under A) after the first two were
// fixed.
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
      [
        'ring-sync',
        [
          span(trace(4), id(10), '', t0),
          span(trace(4), id(11), id(13), t0 + 1, 'GET', 'crm.internal'),
          span(trace(4), id(12), id(11), t0 + 30, 'POST', 'erp.internal'),
          span(trace(4), id(13), id(12), t0 + 60, 'GET', 'crm.internal'),
        ],
      ],
      [
        'ring4-sync',
        [
          span(trace(5), id(20), '', t0),
          span(trace(5), id(21), id(24), t0 + 1, 'GET', 'crm.internal'),
          span(trace(5), id(22), id(21), t0 + 30, 'POST', 'erp.internal'),
          span(trace(5), id(23), id(22), t0 + 60, 'GET', 'crm.internal'),
          span(trace(5), id(24), id(23), t0 + 90, 'POST', 'erp.internal'),
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
    expect(await observedEdges(analyzer)).toEqual([
      'crm -> erp cycle-sync',
      'crm -> erp plain-sync',
      'crm -> erp ring-sync',
      'crm -> erp ring4-sync',
      'crm -> erp self-sync',
    ]);
    expect(await openFindingTitles(analyzer, ['flow-never-observed', 'undocumented-flow', 'unknown-system'])).toEqual([]);
  });
});

describe('cyclicCalls', () => {
  const rows = (trace: string, pairs: [span: string, parent: string][]) => pairs.map(([span_id, parent]) => ({ trace_id: trace, span_id, parent }));

  it('finds the calls on a parent cycle of any length, not the calls under it or beside it', () => {
    const found = cyclicCalls([
      // a → b → c → a, and d under a (on no cycle).
      ...rows('t1', [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['d', 'a'],
      ]),
      // A chain without a cycle: e → f → g (g's parent is not listed).
      ...rows('t2', [
        ['e', 'f'],
        ['f', 'g'],
      ]),
      // The same span ids in another trace are other spans: h → i → h.
      ...rows('t3', [
        ['h', 'i'],
        ['i', 'h'],
        ['a', 'x'],
      ]),
    ]);
    expect(found.sort()).toEqual(['t1/a', 't1/b', 't1/c', 't3/h', 't3/i']);
  });

  it('finds a span under itself and two spans under each other, the shortest cycles', () => {
    expect(
      cyclicCalls(
        rows('t', [
          ['s', 's'],
          ['m', 'n'],
          ['n', 'm'],
          ['u', 's'],
        ]),
      ).sort(),
    ).toEqual(['t/m', 't/n', 't/s']);
  });

  it('walks a cycle of 10,000 calls once', () => {
    const n = 10_000;
    const ring = rows(
      'long',
      Array.from({ length: n }, (_, i) => [`${i}`, `${(i + 1) % n}`] as [string, string]),
    );
    expect(cyclicCalls(ring)).toHaveLength(n);
  });
});
