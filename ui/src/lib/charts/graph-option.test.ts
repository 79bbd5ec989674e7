import { describe, expect, it } from 'vitest';
import type { Graph, GraphEdge, GraphNode } from '../api/types.ts';
import { graphOption, selectionOf } from './graph-option.ts';
import { groupGraph } from './graph-groups.ts';
import { groupedOption } from './group-option.ts';
import { palette } from './palette.ts';

const node = (id: string, over: Partial<GraphNode> = {}): GraphNode => ({
  id,
  label: id.toUpperCase(),
  type: 'system',
  kind: 'crm',
  owner: 'icoe',
  lifecycle: 'active',
  documented: true,
  connections: 1,
  ...over,
});
const edge = (id: string, over: Partial<GraphEdge> = {}): GraphEdge => ({
  id,
  source: 'crm',
  target: 'erp',
  integrations: ['sync'],
  domain: 'customer',
  flowId: id,
  mark: 'documented',
  observed: true,
  traces: 5,
  records: 50,
  errorRate: 0,
  p95Ms: 100,
  firstSeen: null,
  lastSeen: null,
  ...over,
});
const graph: Graph = {
  since: '',
  pairing: { pairedUntil: '', observingSince: null, pendingTraces: 0, pendingSpans: 0 },
  until: '',
  nodes: [
    node('crm', { connections: 3 }),
    node('erp'),
    node('unknown:api.saas.io', { label: 'api.saas.io', type: 'unknown-system', documented: false, owner: null }),
    node('ftp', { lifecycle: 'deprecated' }),
  ],
  edges: [
    edge('sync'),
    edge('crm->unknown:api.saas.io', { target: 'unknown:api.saas.io', flowId: null, mark: 'undocumented' }),
    edge('old-export', { target: 'ftp', mark: 'deprecated' }),
    edge('ghost', { source: 'erp', target: 'crm', observed: false, traces: 0 }),
  ],
  integrations: [],
  sprawl: { systems: 4, edges: 4, connectionsPerSystem: {}, hubs: [], flowsPerDomain: {}, undocumentedEdges: 1, averageConnections: 2 },
};

type Series = {
  data: { id: string; category: number; symbol: string; symbolSize: number }[];
  links: { id: string; lineStyle: { color: string; type: string } }[];
};
const only = (g: Graph) => (graphOption(g).series as Series[])[0];

describe('dependency graph chart', () => {
  it('marks unknown systems as red diamonds and deprecated systems apart', () => {
    const nodes = Object.fromEntries(only(graph).data.map((n) => [n.id, n]));
    expect(nodes['unknown:api.saas.io']).toMatchObject({ category: 1, symbol: 'diamond' });
    expect(nodes.ftp).toMatchObject({ category: 2 });
    expect(nodes.crm).toMatchObject({ category: 0, symbol: 'circle' });
    expect(nodes.crm.symbolSize).toBeGreaterThan(nodes.erp.symbolSize);
  });

  it('draws undocumented, deprecated and never-observed flows differently from documented ones', () => {
    const style = Object.fromEntries(only(graph).links.map((l) => [l.id, l.lineStyle]));
    expect(style.sync).toMatchObject({ color: palette.documented, type: 'solid' });
    expect(style['crm->unknown:api.saas.io']).toMatchObject({ color: palette.undocumented, type: 'dashed' });
    expect(style['old-export']).toMatchObject({ color: palette.deprecated, type: 'dotted' });
    expect(style.ghost).toMatchObject({ color: palette.unobserved });
  });

  it('finds what a click hit', () => {
    expect(selectionOf(graph, 'node', 'erp')).toMatchObject({ type: 'node', node: { id: 'erp' } });
    expect(selectionOf(graph, 'edge', 'old-export')).toMatchObject({ type: 'edge', edge: { mark: 'deprecated' } });
    expect(selectionOf(graph, 'node', 'nope')).toBeUndefined();
  });

  // Regression: on a phone the tooltip came on hover only in intent and was written on one line, so a
  // tapped flow's figures and a finding's title ran off the screen.
  it('shows its tooltip on a click or tap too, wrapped to the canvas, drawn system by system or grouped', () => {
    type Tip = { triggerOn: string; confine: boolean; extraCssText: string };
    const phone = { width: 358, height: 560 };
    const options = [graphOption(graph, { size: phone }), groupedOption(graph, groupGraph(graph, { by: 'owner' }), { size: phone })];
    for (const o of options) {
      const tip = o.tooltip as Tip;
      expect(tip.triggerOn.split('|')).toContain('click');
      expect(tip.confine).toBe(true);
      expect(tip.extraCssText).toMatch(/white-space: normal;/);
      expect(tip.extraCssText).toMatch(/max-width: 334px;/);
    }
    expect((graphOption(graph).tooltip as Tip).extraCssText).toMatch(/max-width: 420px;/);
  });
});
