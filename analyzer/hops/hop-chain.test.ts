import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { buildHopChains, type HopEdge, type HopInput, type LineageHopCount, type TouchCount } from './hop-chain.ts';

const { catalog } = parseCatalog([
  {
    file: 'c.yaml',
    text: `systems: [{ id: erp }, { id: lake }, { id: warehouse }, { id: mart }, { id: shop }, { id: bus, kind: topic }, { id: crm }]
domains:
  - { id: order, systemOfRecord: erp, replicas: [mart], drift: { toleranceAbsolute: 2, tolerancePercent: 1 } }
  - { id: customer, systemOfRecord: shop, replicas: [crm] }
`,
  },
]);

const edge = (source: string, target: string, integration: string, domain = 'order'): HopEdge => ({
  source,
  target,
  integration,
  flowId: null,
  effectiveDomain: domain,
  traces: 4,
  records: 0,
  sampleTrace: `trace-${integration}`,
});
const job = (source: string, target: string, name: string, read: number, written: number): LineageHopCount => ({
  source,
  target,
  job: name,
  runs: 2,
  countedRuns: 2,
  read,
  written,
  lossiestRuns: [{ runId: `${name}-run-1`, read: read / 2, written: written / 2, ended: '2026-01-01T00:00:00.000Z' }],
});
const input = (over: Partial<HopInput>): HopInput => ({
  catalog,
  since: '2026-01-01T00:00:00.000Z',
  until: '2026-01-01T01:00:00.000Z',
  edges: [],
  touches: [],
  settledTouches: [],
  settleMs: 0,
  lineage: [],
  systemCounts: [],
  ...over,
});

describe('buildHopChains', () => {
  const chain = input({
    edges: [edge('erp', 'lake', 'etl/extract'), edge('lake', 'warehouse', 'etl/load'), edge('warehouse', 'mart', 'etl/publish')],
    lineage: [
      job('erp', 'lake', 'etl/extract', 1000, 1000),
      job('lake', 'warehouse', 'etl/load', 1000, 940),
      job('warehouse', 'mart', 'etl/publish', 940, 940),
    ],
    systemCounts: [{ system: 'erp', domain: 'order', probeId: 'erp-orders', records: 5000, at: '2026-01-01T00:59:00.000Z' }],
  });

  it('follows records from the system of record through three hops and finds the loss at the second', () => {
    const [c] = buildHopChains(chain);
    expect(c).toMatchObject({ domain: 'order', systemOfRecord: 'erp', end: 'mart', replica: true });
    expect(c.hops.map((h) => [h.source, h.target, h.read, h.written, h.difference, h.lost])).toEqual([
      ['erp', 'lake', 1000, 1000, 0, false],
      ['lake', 'warehouse', 1000, 940, 60, true],
      ['warehouse', 'mart', 940, 940, 0, false],
    ]);
    expect(c.firstDivergence).toEqual({ hop: 1, at: 'hop', source: 'lake', target: 'warehouse', integration: 'etl/load', lost: 60 });
    expect(c.hops[1].evidence.runs).toEqual([{ runId: 'etl/load-run-1', read: 500, written: 470, ended: '2026-01-01T00:00:00.000Z' }]);
    expect(c.counts.map((n) => [n.system, n.records])).toEqual([
      ['erp', 5000],
      ['lake', null],
      ['warehouse', null],
      ['mart', null],
    ]);
  });

  it("keeps a difference within the domain's tolerance (1% of the records read, at least 2)", () => {
    const [c] = buildHopChains({ ...chain, lineage: [job('erp', 'lake', 'etl/extract', 1000, 991)] });
    expect(c.hops[0]).toMatchObject({ difference: 9, tolerance: 10, judged: true, lost: false });
    expect(c.firstDivergence).toBeNull();
  });

  it('judges nothing where only one side was counted', () => {
    const [c] = buildHopChains({ ...chain, lineage: [{ ...job('lake', 'warehouse', 'etl/load', 0, 0), countedRuns: 0 }] });
    expect(c.hops[1]).toMatchObject({ via: 'openlineage', recordsFrom: 'runs', read: null, written: null, judged: false, lost: false });
    expect(c.firstDivergence).toBeNull();
  });

  it('shows a traced hop without judging it, and judges the handoff through a topic from settled writes', () => {
    const touches: TouchCount[] = [
      { system: 'shop', integration: 'publisher', direction: 'read', records: 30, sampleTrace: 't1' },
      { system: 'bus', integration: 'publisher', direction: 'write', records: 20, sampleTrace: 't2' },
      { system: 'bus', integration: 'consumer', direction: 'read', records: 12, sampleTrace: 't3' },
      { system: 'crm', integration: 'consumer', direction: 'write', records: 12, sampleTrace: 't3' },
    ];
    const traced = input({
      edges: [edge('shop', 'bus', 'publisher', 'customer'), edge('bus', 'crm', 'consumer', 'customer')],
      touches,
      // Written early enough to have been read by the window's end: 18 (the last 2 may still be in flight).
      settledTouches: [{ system: 'bus', integration: 'publisher', direction: 'write', records: 18, sampleTrace: 't2' }],
    });
    const [c] = buildHopChains(traced);
    expect(c.hops[0]).toMatchObject({ via: 'trace', recordsFrom: 'spans', read: 30, written: 20, difference: 10, judged: false, lost: false, handoff: null });
    expect(c.hops[1].handoff).toMatchObject({ system: 'bus', written: 18, read: 12, difference: 6, judged: true, lost: true, writers: ['publisher'] });
    expect(c.firstDivergence).toMatchObject({ hop: 1, at: 'handoff', lost: 6 });
    // Everything written was read: no loss, even with records written in the last minutes still in flight.
    const [ok] = buildHopChains({ ...traced, touches: touches.map((t) => (t.integration === 'consumer' ? { ...t, records: 18 } : t)) });
    expect(ok.firstDivergence).toBeNull();
  });

  // Regression: a consumer whose traces are sampled at 10% reports a tenth of the records it read; against an unsampled
  // publisher's writes that was "90% of the records lost" at the handoff: a high finding while nothing was lost.
  it('shows a handoff a sampled integration writes or reads, without judging it', () => {
    const touches: TouchCount[] = [
      { system: 'bus', integration: 'publisher', direction: 'write', records: 100, sampleTrace: 't1' },
      { system: 'bus', integration: 'consumer', direction: 'read', records: 10, sampleTrace: 't2' },
      { system: 'crm', integration: 'consumer', direction: 'write', records: 10, sampleTrace: 't2' },
    ];
    const traced = input({
      edges: [edge('shop', 'bus', 'publisher', 'customer'), edge('bus', 'crm', 'consumer', 'customer')],
      touches,
      settledTouches: [touches[0]],
    });
    expect(buildHopChains(traced)[0].hops[1].handoff).toMatchObject({ written: 100, read: 10, judged: true, lost: true });
    for (const sampled of ['consumer', 'publisher']) {
      const [c] = buildHopChains({ ...traced, sampledIntegrations: new Set([sampled]) });
      expect(c.hops[1].handoff).toMatchObject({ written: 100, read: 10, difference: 90, judged: false, lost: false, sampled: [sampled] });
      expect(c.firstDivergence).toBeNull();
    }
  });

  it('ends chains at replicas and where the records go no further, without looping', () => {
    const chains = buildHopChains(
      input({ edges: [edge('erp', 'lake', 'a'), edge('lake', 'erp', 'b'), edge('lake', 'mart', 'c'), edge('mart', 'warehouse', 'd')] }),
    );
    expect(chains.map((c) => [c.end, c.replica, c.hops.map((h) => h.integration).join('>')])).toEqual([
      ['mart', true, 'a>c'],
      ['warehouse', false, 'a>c>d'],
    ]);
  });
});
