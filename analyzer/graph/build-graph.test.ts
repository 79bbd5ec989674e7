import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { daySnapshot, observedEdge } from '../test/snapshot-fixture.ts';
import { buildGraph } from './build-graph.ts';

const { catalog } = parseCatalog([{ file: 'c.yaml', text: 'systems: [{ id: crm }, { id: erp }, { id: billing }]\n' }]);
const edge = (source: string, target: string, integration: string) => observedEdge(source, target, integration, { service: integration });

/** crm → erp, crm → an unknown SaaS, and a job whose source no span named (an `integration:` node) writing billing. */
const snapshot = daySnapshot(catalog, {
  edges: [edge('crm', 'erp', 'sync'), edge('crm', 'unknown:saas.example.com', 'export'), edge('integration:loader', 'billing', 'loader')],
});

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

describe('buildGraph edge domain', () => {
  // Regression: an edge drawn for several integrations or services took the domain of the one listed first.
  it('gives an edge of several integrations the least of their non-empty domains, whatever their order', () => {
    const edges = [
      { ...edge('crm', 'erp', 'sync'), domain: 'order', effectiveDomain: 'order' },
      { ...edge('crm', 'erp', 'copy'), domain: '', effectiveDomain: '' },
      { ...edge('crm', 'erp', 'push'), domain: 'customer', effectiveDomain: 'customer' },
    ];
    for (const order of [edges, [...edges].reverse()]) {
      const [drawn] = buildGraph(daySnapshot(catalog, { edges: order })).edges;
      expect(drawn).toMatchObject({ source: 'crm', target: 'erp', domain: 'customer', traces: 12 });
    }
  });
});
