import { describe, expect, it } from 'vitest';
import type { Finding, Graph, GraphEdge, GraphNode } from '../api/types.ts';
import { selectionOf } from './graph-option.ts';
import { autoGroupBy, GROUP_ABOVE, groupGraph, MAX_APART, MAX_OWNER_GROUPS, MAX_QUIET_LINKS, UNKNOWN_APART, UNKNOWN_KEY } from './graph-groups.ts';
import { healthIndex } from './graph-view.ts';
import { groupLayout } from './group-layout.ts';
import { groupedOption } from './group-option.ts';
import { palette, severityColor } from './palette.ts';
import { demoEstate, generatedEstate, graphEdge, graphNode, unknownHub } from './testing/graph-fixtures.ts';

const node = (id: string, owner: string | null, over: Partial<GraphNode> = {}): GraphNode => graphNode(id, { owner, ...over });
const edge = (id: string, source: string, target: string, over: Partial<GraphEdge> = {}): GraphEdge =>
  graphEdge(id, source, target, { traces: 24, errorRate: 0, ...over });
const finding = (id: string, severity: Finding['severity'], systems: string[], flows: string[] = []): Finding => ({
  id,
  kind: flows.length ? 'latency-slo-breach' : 'record-count-drift',
  key: id,
  severity,
  title: `${id} title`,
  subject: { systems, flows, domains: [] },
  evidence: {},
  hint: '',
  status: 'open',
  firstSeen: '',
  lastSeen: '',
  resolvedAt: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  note: '',
});
// Two teams and an unknown host: sales (crm, shop), finance (erp, billing, ledger).
const graph: Graph = {
  since: '2026-01-01T00:00:00.000Z',
  until: '2026-01-02T00:00:00.000Z',
  nodes: [
    node('crm', 'sales'),
    node('shop', 'sales'),
    node('erp', 'finance', { kind: 'erp' }),
    node('billing', 'finance', { kind: 'billing' }),
    node('ledger', 'finance', { kind: 'erp' }),
    node('unknown:x.io', null, { documented: false, type: 'unknown-system' }),
  ],
  edges: [
    edge('crm-erp', 'crm', 'erp'),
    edge('shop-erp', 'shop', 'erp'),
    edge('billing-crm', 'billing', 'crm'),
    edge('erp-billing', 'erp', 'billing'),
    edge('crm-shop', 'crm', 'shop'),
    edge('shop-x', 'shop', 'unknown:x.io', { flowId: null, mark: 'undocumented' }),
  ],
  integrations: [],
  pairing: { pairedUntil: '', observingSince: null, pendingTraces: 0, pendingSpans: 0 },
  sprawl: { systems: 6, edges: 6, connectionsPerSystem: {}, hubs: [], flowsPerDomain: {}, undocumentedEdges: 1, averageConnections: 2 },
};
const health = healthIndex(graph, [finding('slow', 'high', ['erp', 'billing'], ['erp-billing']), finding('drift', 'medium', ['ledger'])]);

describe('grouped graph', () => {
  it('sums the flows between two groups into one line (either direction) and keeps flows inside a group in it', () => {
    const g = groupGraph(graph, { by: 'owner' });
    expect(g.groups.map((x) => [x.key, x.members.map((m) => m.id)])).toEqual([
      ['sales', ['crm', 'shop']],
      ['finance', ['erp', 'billing', 'ledger']],
      ['(unknown systems)', ['unknown:x.io']],
    ]);
    const sf = g.links.find((l) => l.source === 'group:sales' && l.target === 'group:finance')!;
    expect(sf.flows.map((e) => e.id)).toEqual(['crm-erp', 'shop-erp', 'billing-crm']);
    expect([sf.forward, sf.backward]).toEqual([2, 1]);
    expect(g.links).toHaveLength(2);
    expect(g.groups[0].internal.map((e) => e.id)).toEqual(['crm-shop']);
    expect(g.systems).toEqual([]);
  });

  it('never hides what is unhealthy: a system with findings is drawn on its own, an inner flow colours its group, a line takes its worst flow', () => {
    const g = groupGraph(graph, { by: 'owner', health });
    expect(g.systems.map((n) => n.id)).toEqual(['ledger']);
    const finance = g.groups.find((x) => x.key === 'finance')!;
    expect(finance.members.map((m) => m.id)).toEqual(['erp', 'billing']);
    expect(finance.health).toMatchObject({ severity: 'high', kind: 'latency-slo-breach' });
    // ledger has no flow: drawn on its own without a line; a flow to it would be a line from the sales group to ledger.
    const withFlow = groupGraph({ ...graph, edges: [...graph.edges, edge('crm-ledger', 'crm', 'ledger')] }, { by: 'owner', health });
    expect(withFlow.links.find((l) => l.target === 'ledger')).toMatchObject({ source: 'group:sales', forward: 1 });

    const option = groupedOption(graph, g, { health }) as {
      series: { data: { id: string; itemStyle?: { color?: string; borderColor?: string } }[]; links: { id: string; lineStyle: { color: string } }[] }[];
    };
    const items = Object.fromEntries(option.series[0].data.map((d) => [d.id, d]));
    expect(items['group:finance'].itemStyle).toMatchObject({ color: palette.group, borderColor: severityColor.high });
    expect(items['group:(unknown systems)'].itemStyle?.color).toBe(palette.unknown);
    expect(items.ledger.itemStyle?.borderColor).toBe(severityColor.medium);
  });

  it('draws the systems of an expanded group on their own, and a focused system with its direct neighbours', () => {
    const g = groupGraph(graph, { by: 'owner', expand: new Set(['finance']) });
    expect(g.systems.map((n) => n.id)).toEqual(['erp', 'billing', 'ledger']);
    expect(g.groups.map((x) => x.key)).toEqual(['sales', '(unknown systems)']);
    // Between two systems drawn on their own a flow stays a flow; from a group it is a line.
    expect(g.edges.map((e) => e.id)).toEqual(['erp-billing']);
    expect(g.links.find((l) => l.source === 'group:sales' && l.target === 'erp')?.flows.map((e) => e.id)).toEqual(['crm-erp', 'shop-erp']);
    expect(g.links.find((l) => l.source === 'billing')?.target).toBe('group:sales');

    const focused = groupGraph(graph, { by: 'owner', focus: 'crm' });
    expect(focused.systems.map((n) => n.id)).toEqual(['crm', 'shop', 'erp', 'billing']);
    expect(focused.groups.map((x) => [x.key, x.members.map((m) => m.id)])).toEqual([
      ['finance', ['ledger']],
      ['(unknown systems)', ['unknown:x.io']],
    ]);
    // The focused system sits at the centre of the drawing.
    expect(groupLayout(focused, 'crm').get('crm')).toEqual({ x: 0, y: 0 });
  });

  it('groups by kind, and draws at most MAX_APART unhealthy systems apart, the worst first', () => {
    expect(groupGraph(graph, { by: 'kind' }).groups.map((x) => x.key)).toEqual(['crm', 'erp', 'billing', '(unknown systems)']);
    const many: Graph = { ...graph, nodes: Array.from({ length: MAX_APART + 5 }, (_, i) => node(`s${i}`, 'ops')), edges: [] };
    const sick = healthIndex(
      many,
      many.nodes.map((n, i) => finding(n.id, i === MAX_APART + 4 ? 'critical' : 'low', [n.id])),
    );
    const g = groupGraph(many, { by: 'owner', health: sick });
    expect(g.systems).toHaveLength(MAX_APART);
    expect(g.systems.map((n) => n.id)).toContain(`s${MAX_APART + 4}`);
    expect(g.groups[0].members).toHaveLength(5);
    expect(g.groups[0].health?.severity).toBe('low');
  });

  // Regression: asked for by owner (or kind), the demo's ERP was drawn inside its team's group: the critical
  // regulated-data exposure naming it (ERP → CRM, an undocumented flow) coloured only the line.
  it('draws every system a finding names without a flow on its own, whichever grouping: the demo ERP under owner and kind', () => {
    const demo = demoEstate();
    const health = healthIndex(demo.graph, demo.findings);
    expect(health.nodes.get('erp')).toMatchObject({ severity: 'critical', kind: 'regulated-data-exposure' });
    for (const by of ['owner', 'kind'] as const) {
      const g = groupGraph(demo.graph, { by, health });
      expect(g.systems.map((n) => n.id).sort(), by).toEqual(['billing', 'crm', 'erp', 'unknown:contacts.growthhub.example']);
      expect(
        g.groups.flatMap((x) => x.members.map((m) => m.id)),
        by,
      ).not.toContain('erp');
      // The flow between the ERP and the CRM is drawn as itself, coloured by its worst finding.
      expect(g.edges.map((e) => e.id)).toContain('erp->crm');
    }
    // A finding about a flow colours its line only: the WMS (latency of ERP → WMS) stays in its group.
    expect(
      groupGraph(demo.graph, { by: 'owner', health })
        .groups.find((x) => x.key === 'supply-chain')
        ?.members.map((m) => m.id),
    ).toEqual(['wms', 'tpl']);
  });

  // Regression: sixty unknown systems, each with its finding, were drawn on their own around the one system calling them.
  it('draws at most UNKNOWN_APART unknown systems on their own, worst first, the rest as one node rimmed with their worst finding', () => {
    const hub = unknownHub(60);
    const health = healthIndex(hub.graph, hub.findings);
    for (const by of ['owner', 'kind', 'unknown'] as const) {
      const g = groupGraph(hub.graph, { by, health });
      const unknown = g.systems.filter((n) => !n.documented);
      expect(unknown, by).toHaveLength(UNKNOWN_APART);
      // The one with a high finding first.
      expect(unknown.map((n) => n.id)).toContain('unknown:host-7.example');
      const group = g.groups.find((x) => x.key === UNKNOWN_KEY)!;
      expect(group.members).toHaveLength(60 - UNKNOWN_APART);
      expect(group.health?.severity).toBe('medium');
      // One line from the CRM (or its group) to the group, carrying its 55 flows.
      expect(g.links.filter((l) => l.target === group.id).map((l) => [l.source, l.flows.length])).toEqual([
        [{ unknown: 'crm', owner: 'group:icoe', kind: 'group:crm' }[by], 55],
      ]);
    }
    // Only unknown systems: every catalog system is drawn on its own.
    const only = groupGraph(hub.graph, { by: 'unknown', health });
    expect(only.groups.map((x) => x.key)).toEqual([UNKNOWN_KEY]);
    expect(only.systems.filter((n) => n.documented).map((n) => n.id)).toEqual(['crm', 'erp', 'billing']);
    // Clicked: all of them drawn.
    expect(groupGraph(hub.graph, { by: 'unknown', health, expand: new Set([UNKNOWN_KEY]) }).systems).toHaveLength(63);
    // The group is labelled with what it holds.
    const option = groupedOption(hub.graph, only, { health, size: { width: 325, height: 560 } }) as {
      series: { data: { id: string; label: { formatter?: string } }[] }[];
    };
    expect(option.series[0].data.find((d) => d.id === `group:${UNKNOWN_KEY}`)?.label.formatter).toBe('55 unknown systems');
  });

  it('groups automatically past GROUP_ABOVE systems, by kind when there are too many owners', () => {
    const sized = (n: number, owners: number): Graph => ({ ...graph, nodes: Array.from({ length: n }, (_, i) => node(`s${i}`, `team-${i % owners}`)) });
    expect(autoGroupBy(sized(GROUP_ABOVE, 3))).toBeUndefined();
    expect(autoGroupBy(sized(GROUP_ABOVE + 1, 3))).toBe('owner');
    expect(autoGroupBy(sized(GROUP_ABOVE + 1, MAX_OWNER_GROUPS + 1))).toBe('kind');
    // A small estate with more than a handful of unknown systems: only those are grouped.
    expect(autoGroupBy(unknownHub(UNKNOWN_APART + 1).graph)).toBe('unknown');
    expect(autoGroupBy(unknownHub(UNKNOWN_APART).graph)).toBeUndefined();
    expect(autoGroupBy(demoEstate().graph)).toBeUndefined();
    expect(autoGroupBy(generatedEstate(250, 400, 25).graph)).toBe('owner');
  });

  it('tells a click on a group (all its systems) and on a line (its flows) apart from a system or a flow', () => {
    const g = groupGraph(graph, { by: 'owner', expand: new Set(['finance']) });
    expect(selectionOf(graph, 'node', 'group:finance', g)).toMatchObject({ type: 'group', key: 'finance', by: 'owner' });
    expect((selectionOf(graph, 'node', 'group:finance', g) as { members: GraphNode[] }).members.map((m) => m.id)).toEqual(['erp', 'billing', 'ledger']);
    expect(selectionOf(graph, 'edge', g.links[0].id, g)).toMatchObject({ type: 'link', link: g.links[0] });
    expect(selectionOf(graph, 'node', 'erp', g)).toMatchObject({ type: 'node', node: { id: 'erp' } });
  });
});

describe('grouped layout', () => {
  it('places every drawn node, keeps groups apart and an expanded group around its place, the same way every time', () => {
    const g = groupGraph(graph, { by: 'owner', expand: new Set(['finance']) });
    const at = groupLayout(g);
    expect([...at.keys()].sort()).toEqual(['billing', 'erp', 'group:(unknown systems)', 'group:sales', 'ledger']);
    const d = (a: string, b: string) => Math.hypot(at.get(a)!.x - at.get(b)!.x, at.get(a)!.y - at.get(b)!.y);
    expect(d('group:sales', 'group:(unknown systems)')).toBeGreaterThan(40);
    // The finance systems sit nearer each other than any of them to another group.
    expect(Math.max(d('erp', 'billing'), d('erp', 'ledger'), d('billing', 'ledger'))).toBeLessThan(
      Math.min(d('erp', 'group:sales'), d('erp', 'group:(unknown systems)')),
    );
    expect(groupLayout(g)).toEqual(at);
  });

  it('lays out a large estate, 500 systems in 40 teams and 2,000 flows, as 40 groups that do not overlap', () => {
    const nodes = Array.from({ length: 500 }, (_, i) => node(`s${i}`, `team-${i % 40}`));
    let seed = 42;
    const rnd = () => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 500);
    const edges = Array.from({ length: 2000 }, (_, i) => edge(`f${i}`, `s${rnd()}`, `s${rnd()}`));
    const g = groupGraph({ ...graph, nodes, edges }, { by: 'owner' });
    expect(g.groups).toHaveLength(40);
    // Of the lines between groups without findings, the busiest MAX_QUIET_LINKS are drawn; one with a finding always is.
    expect(g.links).toHaveLength(MAX_QUIET_LINKS);
    expect(g.quietHidden).toBeGreaterThan(0);
    const sick = healthIndex({ ...graph, nodes, edges }, [finding('slow', 'high', [edges[1990].source, edges[1990].target], ['f1990'])]);
    const withFinding = groupGraph({ ...graph, nodes, edges }, { by: 'owner', health: sick });
    expect(withFinding.links).toHaveLength(MAX_QUIET_LINKS + 1);
    expect(withFinding.links.filter((l) => l.health).flatMap((l) => l.flows.map((e) => e.id))).toContain('f1990');
    const at = groupLayout(g);
    for (const a of g.groups)
      for (const b of g.groups) if (a !== b) expect(Math.hypot(at.get(a.id)!.x - at.get(b.id)!.x, at.get(a.id)!.y - at.get(b.id)!.y)).toBeGreaterThan(20);
  });
});
