import { describe, expect, it } from 'vitest';
import type { Finding, FlowRow, Graph } from '../api/types.ts';
import { graphOption, LARGE_GRAPH, rateSpan } from './graph-option.ts';
import { groupedOption } from './group-option.ts';
import { groupGraph } from './graph-groups.ts';
import { filterFromParams, filterGraph, healthIndex } from './graph-view.ts';
import { severityColor } from './palette.ts';
import { graphEdge, graphNode } from './testing/graph-fixtures.ts';

const node = graphNode;
const edge = graphEdge;
const graph: Graph = {
  since: '2026-01-01T00:00:00.000Z',
  until: '2026-01-02T00:00:00.000Z',
  nodes: [node('crm'), node('erp'), node('billing', { owner: 'finance' }), node('wms'), node('unknown:x.io', { documented: false, owner: null })],
  edges: [
    edge('crm-erp', 'crm', 'erp'),
    edge('erp-billing', 'erp', 'billing', { domain: 'invoice' }),
    edge('erp-wms', 'erp', 'wms', { domain: 'order' }),
    edge('crm->unknown:x.io', 'crm', 'unknown:x.io', { flowId: null, mark: 'undocumented' }),
  ],
  integrations: [],
  pairing: { pairedUntil: '2026-01-02T00:00:00.000Z', observingSince: '2026-01-01T00:00:00.000Z', pendingTraces: 0, pendingSpans: 0 },
  sprawl: { systems: 5, edges: 4, connectionsPerSystem: {}, hubs: [], flowsPerDomain: {}, undocumentedEdges: 1, averageConnections: 1.6 },
};
const finding = (kind: Finding['kind'], severity: Finding['severity'], systems: string[], flows: string[] = []): Finding => ({
  id: kind,
  kind,
  key: kind,
  severity,
  title: `${kind} title`,
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

describe('graph health', () => {
  const health = healthIndex(graph, [
    finding('latency-slo-breach', 'medium', ['erp', 'wms'], ['erp-wms']),
    finding('stale-flow', 'high', ['erp', 'wms'], ['erp-wms']),
    finding('undocumented-flow', 'medium', ['crm', 'unknown:x.io']),
    finding('unknown-system', 'high', ['unknown:x.io']),
    finding('record-count-drift', 'medium', ['billing']),
  ]);

  it('puts a flow finding on its arrow with the worst severity, a finding naming no flow on the nodes it names (and their undocumented arrow)', () => {
    expect(health.edges.get('erp-wms')).toMatchObject({ severity: 'high', kind: 'stale-flow', count: 2 });
    expect(health.edges.get('crm->unknown:x.io')).toMatchObject({ severity: 'medium', kind: 'undocumented-flow' });
    // Regression: a finding about two systems that named no flow coloured only the undocumented arrow between them,
    // so grouped views hid the systems inside their groups.
    expect(health.nodes.get('crm')).toMatchObject({ severity: 'medium', kind: 'undocumented-flow' });
    expect(health.nodes.get('unknown:x.io')).toMatchObject({ severity: 'high' });
    expect(health.nodes.get('billing')).toMatchObject({ kind: 'record-count-drift' });
    expect(health.edges.has('crm-erp')).toBe(false);
    expect(health.nodes.has('erp')).toBe(false);
  });

  it('colours and labels what is unhealthy, and shows throughput, p95 and errors on hover', () => {
    const option = graphOption(graph, { health }) as {
      series: {
        data: { id: string; itemStyle?: { borderColor: string } }[];
        links: { id: string; lineStyle: { color: string }; label: { show: boolean; formatter: string }; tip: () => string }[];
      }[];
    };
    const links = Object.fromEntries(option.series[0].links.map((l) => [l.id, l]));
    expect(links['erp-wms'].lineStyle.color).toBe(severityColor.high);
    expect(links['erp-wms'].label).toMatchObject({ show: true, formatter: 'stale-flow' });
    expect(links['crm-erp'].tip()).toContain('2 traces/h · p95 120 ms · 2% errors · 50 records');
    expect(links['crm-erp'].label).toMatchObject({ show: true, formatter: '2/h' });
    const nodes = Object.fromEntries(option.series[0].data.map((n) => [n.id, n]));
    expect(nodes['unknown:x.io'].itemStyle?.borderColor).toBe(severityColor.high);
  });
});

describe('graph rates', () => {
  // Regression: on a fresh start erp→wms over the 24 h window read 18.9 traces/h (its traces over 24 h) where
  // the flow page read ~1,800/h: Weft had observed only the last 12 minutes of the window.
  const fresh: Graph = { ...graph, pairing: { ...graph.pairing, observingSince: '2026-01-01T23:48:00.000Z' } };
  const tipOf = (g: Graph, id: string) => {
    const option = graphOption(g, {}) as { series: { links: { id: string; label: { formatter: string }; tip: () => string }[] }[] };
    return option.series[0].links.find((l) => l.id === id)!;
  };

  it('divides by the part of the window observed, and says so when it is shorter than the window', () => {
    expect(rateSpan(fresh)).toEqual({ hours: 0.2, observed: '12 min' });
    expect(tipOf(fresh, 'erp-wms').tip()).toContain('240 traces/h (over the 12 min observed) · p95');
    expect(tipOf(fresh, 'erp-wms').label.formatter).toBe('240/h');
    // Observing since the window's start (or before): the whole window, and nothing said.
    expect(rateSpan(graph)).toEqual({ hours: 24, observed: null });
    expect(tipOf(graph, 'erp-wms').tip()).toContain('2 traces/h · p95');
    expect(rateSpan({ ...graph, pairing: { ...graph.pairing, observingSince: null } })).toEqual({ hours: 24, observed: null });
    expect(rateSpan({ ...graph, pairing: { ...graph.pairing, observingSince: '2026-01-01T18:30:00.000Z' } }).observed).toBe('5.5 h');
  });

  // Regression: runs sent after they ran (a gateway's backlog, history sent to a new installation) are counted in the
  // minutes they ran: 48 runs of the 12 hours before Weft started, received in its first 12 minutes, read 240 traces/h.
  it('divides by the time since the first run counted when it ran before Weft started observing', () => {
    const backlog: Graph = { ...fresh, edges: fresh.edges.map((e) => ({ ...e, firstSeen: '2026-01-01T12:00:00.000Z' })) };
    expect(rateSpan(backlog)).toEqual({ hours: 12, observed: '12 h' });
    expect(rateSpan(backlog, '2026-01-01T23:30:00.000Z')).toEqual({ hours: 0.5, observed: '30 min' });
    expect(rateSpan(backlog, null)).toEqual({ hours: 0.2, observed: '12 min' });
    expect(tipOf(backlog, 'erp-wms').tip()).toContain('4 traces/h (over the 12 h observed) · p95');
    expect(tipOf(backlog, 'erp-wms').label.formatter).toBe('4/h');
    const grouped = groupGraph(backlog, { by: 'owner' });
    const option = groupedOption(backlog, grouped, { size: { width: 800, height: 560 } }) as { series: { links: { tip?: () => string }[] }[] };
    const tips = option.series.flatMap((s) => s.links ?? []).map((l) => l.tip?.() ?? '');
    expect(tips.some((t) => t.includes('traces/h (over the 12 h observed)'))).toBe(true);
    expect(tips.some((t) => t.includes('12 min observed'))).toBe(false);
  });

  it('divides a group link by the part observed too', () => {
    const grouped = groupGraph(fresh, { by: 'owner' });
    const option = groupedOption(fresh, grouped, { size: { width: 800, height: 560 } }) as { series: { links: { tip?: () => string }[] }[] };
    const tips = option.series.flatMap((s) => s.links ?? []).map((l) => l.tip?.() ?? '');
    expect(tips.some((t) => t.includes('traces/h (over the 12 min observed)'))).toBe(true);
  });
});

describe('graph filters', () => {
  const ids = (g: Graph) => ({ nodes: g.nodes.map((n) => n.id).sort(), edges: g.edges.map((e) => e.id).sort() });
  const flows = [{ id: 'erp-billing', owner: 'finance' }] as FlowRow[];

  it('keeps the flows of a domain, an owner, or only undocumented ones', () => {
    expect(ids(filterGraph(graph, { domain: 'order' }))).toEqual({ nodes: ['erp', 'wms'], edges: ['erp-wms'] });
    expect(ids(filterGraph(graph, { owner: 'finance' }, flows)).edges).toEqual(['erp-billing']);
    expect(ids(filterGraph(graph, { documented: 'undocumented' }))).toEqual({ nodes: ['crm', 'unknown:x.io'], edges: ['crm->unknown:x.io'] });
    expect(ids(filterGraph(graph, {}))).toEqual(ids(graph));
  });

  it('focuses on one system and its neighbours within k hops', () => {
    expect(ids(filterGraph(graph, { focus: 'wms', hops: 1 }))).toEqual({ nodes: ['erp', 'wms'], edges: ['erp-wms'] });
    expect(ids(filterGraph(graph, { focus: 'wms', hops: 2 })).nodes).toEqual(['billing', 'crm', 'erp', 'wms']);
    expect(ids(filterGraph(graph, { focus: 'wms', hops: 3 })).nodes).toEqual(['billing', 'crm', 'erp', 'unknown:x.io', 'wms']);
    expect(ids(filterGraph(graph, { focus: 'nope' }))).toEqual(ids(graph));
  });

  it('reads the filter from the URL, ignoring values it does not know', () => {
    expect(filterFromParams(new URLSearchParams('focus=erp&hops=2&documented=undocumented&unhealthy=1'))).toMatchObject({
      focus: 'erp',
      hops: 2,
      documented: 'undocumented',
      unhealthy: true,
    });
    expect(filterFromParams(new URLSearchParams('hops=99&documented=maybe'))).toMatchObject({ hops: 1, documented: undefined });
  });

  it('places a large graph by owner without a simulation, labelling only hubs, unhealthy and focused systems', () => {
    const many: Graph = {
      ...graph,
      nodes: Array.from({ length: LARGE_GRAPH + 10 }, (_, i) => node(`s${i}`, { connections: i === 0 ? 50 : 1, owner: `team-${i % 3}` })),
      edges: [],
    };
    const option = graphOption(many, { focus: 's7' }) as {
      animation: boolean;
      series: { layout: string; data: { id: string; x: number; y: number; label: { show: boolean } }[] }[];
    };
    expect(option.animation).toBe(false);
    expect(option.series[0].layout).toBe('none');
    // Only the hub and the focused system may be labelled (the hub's label only where it covers no other node); the focused one always is.
    const labelled = option.series[0].data.filter((n) => n.label.show).map((n) => n.id);
    expect(labelled).toContain('s7');
    expect(labelled.every((id) => id === 's0' || id === 's7')).toBe(true);
    // A team's systems sit together: each nearer its own team's centre than any other team's.
    const at = new Map(option.series[0].data.map((n) => [n.id, n]));
    const centre = (t: number) => {
      const ms = many.nodes.filter((n) => n.owner === `team-${t}`).map((n) => at.get(n.id)!);
      return { x: ms.reduce((a, m) => a + m.x, 0) / ms.length, y: ms.reduce((a, m) => a + m.y, 0) / ms.length };
    };
    const centres = [0, 1, 2].map(centre);
    for (const n of many.nodes) {
      const p = at.get(n.id)!;
      const d = centres.map((c) => Math.hypot(c.x - p.x, c.y - p.y));
      expect(d.indexOf(Math.min(...d))).toBe(Number(n.owner!.slice(5)));
    }
    // A small graph is placed by forceLayout too: fixed positions, no simulation in the browser.
    const small = graphOption(graph, {}) as { series: { layout: string; data: { x: number }[] }[] };
    expect(small.series[0].layout).toBe('none');
    expect(small.series[0].data.every((n) => Number.isFinite(n.x))).toBe(true);
  });
});
