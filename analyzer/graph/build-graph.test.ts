import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import type { AttributedEdge, Snapshot } from '../model/snapshot.ts';
import { buildGraph } from './build-graph.ts';

const { catalog } = parseCatalog([{ file: 'c.yaml', text: 'systems: [{ id: crm }, { id: erp }, { id: billing }]\n' }]);
const at = '2026-01-01T12:00:00.000Z';
const edge = (source: string, target: string, integration: string): AttributedEdge => ({
  source,
  target,
  integration,
  service: integration,
  domain: '',
  traces: 4,
  failedTraces: 0,
  errorSpans: 0,
  records: 10,
  p50Ms: null,
  p95Ms: null,
  p99Ms: null,
  firstSeen: at,
  lastSeen: at,
  sampleTrace: '',
  sampleErrorTrace: '',
  slowestTrace: '',
  slowestMs: 0,
  flowId: null,
  mark: 'undocumented',
  effectiveDomain: '',
});

/** crm → erp, crm → an unknown SaaS, and a job whose source no span named (an `integration:` node) writing billing. */
const snapshot: Snapshot = {
  catalog,
  since: '2026-01-01T00:00:00.000Z',
  until: '2026-01-02T00:00:00.000Z',
  observingSince: '2026-01-01T00:00:00.000Z',
  pairedUntil: '2026-01-02T00:00:00.000Z',
  pending: { traces: 0, spans: 0 },
  edges: [edge('crm', 'erp', 'sync'), edge('crm', 'unknown:saas.example.com', 'export'), edge('integration:loader', 'billing', 'loader')],
  touches: [],
  lastSeen: [],
  systemLastSeen: {},
};

describe('buildGraph sprawl', () => {
  // Regression: the line under the overview's graph said "N connections per system" averaged over every
  // node, integration nodes among them, where its "N systems" (and the counts card's) leave them out.
  it('counts systems and averages connections over the same nodes: catalog and unknown systems, not integrations', () => {
    const graph = buildGraph(snapshot);
    expect(graph.nodes.map((n) => `${n.id} ${n.type}`).sort()).toEqual([
      'billing system',
      'crm system',
      'erp system',
      'integration:loader integration',
      'unknown:saas.example.com unknown-system',
    ]);
    expect(graph.sprawl.systems).toBe(4);
    // crm 2, erp 1, billing 1 (the loader), the SaaS 1: 5 over 4 systems.
    expect(graph.sprawl.averageConnections).toBe(1.25);
  });
});
