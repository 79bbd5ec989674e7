import type { Finding, FlowRow, Graph, GraphEdge, Severity } from '../api/types.ts';

/** Severity order, worst first (the API's own list). */
const rank: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** The worst open finding of a node or an edge: its severity, kind and how many there are. */
export interface Health {
  severity: Severity;
  kind: string;
  count: number;
  titles: string[];
}

/** Health per edge id and per node id, from the open findings. */
export interface HealthIndex {
  edges: Map<string, Health>;
  nodes: Map<string, Health>;
}

function worse(h: Health | undefined, f: Finding): Health {
  if (!h) return { severity: f.severity, kind: f.kind, count: 1, titles: [f.title] };
  const next = rank[f.severity] > rank[h.severity] ? { ...h, severity: f.severity, kind: f.kind } : { ...h };
  next.count += 1;
  if (next.titles.length < 5) next.titles = [...h.titles, f.title];
  return next;
}

/**
 * Attaches each open finding to what it is about: to an edge when it names the edge's flow (or,
 * for an undocumented edge, when it names both of the edge's systems and no flow); and to each
 * system it names when it names no flow (or names flows not drawn). So a slow flow colours its arrow,
 * an unknown system its node, and a finding about systems (a write into another's system of record,
 * regulated data sent to an unknown host) both the undocumented arrow between them and their nodes:
 * a grouped graph draws those systems on their own (groupGraph), never inside a group.
 */
export function healthIndex(graph: Graph, findings: readonly Finding[]): HealthIndex {
  const edges = new Map<string, Health>();
  const nodes = new Map<string, Health>();
  const byFlow = new Map<string, GraphEdge[]>();
  const byPair = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) {
    if (e.flowId) byFlow.set(e.flowId, [...(byFlow.get(e.flowId) ?? []), e]);
    const pair = `${e.source}\u0000${e.target}`;
    byPair.set(pair, [...(byPair.get(pair) ?? []), e]);
  }
  for (const f of findings) {
    if (f.status === 'resolved') continue;
    const hit = new Set<GraphEdge>();
    for (const flow of f.subject.flows) for (const e of byFlow.get(flow) ?? []) hit.add(e);
    if (f.subject.flows.length === 0) {
      for (const s of f.subject.systems) for (const t of f.subject.systems) for (const e of byPair.get(`${s}\u0000${t}`) ?? []) if (!e.flowId) hit.add(e);
    }
    for (const e of hit) edges.set(e.id, worse(edges.get(e.id), f));
    if (hit.size === 0 || f.subject.flows.length === 0) for (const s of f.subject.systems) nodes.set(s, worse(nodes.get(s), f));
  }
  return { edges, nodes };
}

/** What the overview shows of the graph (all from the URL, so a link shows the same view). */
export interface GraphFilter {
  domain?: string;
  owner?: string;
  /** `documented`, `undocumented` or empty for both. */
  documented?: string;
  /** Only flows with an open finding. */
  unhealthy?: boolean;
  /** A system to focus on… */
  focus?: string;
  /** …with its neighbours up to this many hops (default 1). */
  hops?: number;
}

/**
 * The part of the graph a filter keeps: edges by domain, owner (the flow's owner, or either system's),
 * documented / undocumented and health; then, with `focus`, only what lies within `hops` flows of
 * that system (either direction). Nodes are those the kept edges touch, plus a focused or owned
 * system with no flow at all.
 */
export function filterGraph(graph: Graph, filter: GraphFilter, flows: readonly FlowRow[] = [], health?: HealthIndex): Graph {
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  const flowOwner = new Map(flows.map((f) => [f.id, f.owner]));
  let edges = graph.edges.filter((e) => {
    if (filter.domain && e.domain !== filter.domain) return false;
    if (filter.documented === 'documented' && e.mark === 'undocumented') return false;
    if (filter.documented === 'undocumented' && e.mark !== 'undocumented') return false;
    if (filter.unhealthy && !health?.edges.has(e.id)) return false;
    if (filter.owner) {
      const owners = [e.flowId ? flowOwner.get(e.flowId) : undefined, nodeById.get(e.source)?.owner, nodeById.get(e.target)?.owner];
      if (!owners.includes(filter.owner)) return false;
    }
    return true;
  });
  const keep = new Set<string>();
  if (filter.focus && nodeById.has(filter.focus)) {
    const hops = Math.max(1, Math.min(filter.hops ?? 1, MAX_HOPS));
    const near = new Map<string, string[]>();
    for (const e of edges) {
      near.set(e.source, [...(near.get(e.source) ?? []), e.target]);
      near.set(e.target, [...(near.get(e.target) ?? []), e.source]);
    }
    let frontier = [filter.focus];
    keep.add(filter.focus);
    for (let d = 0; d < hops && frontier.length > 0; d++) {
      const next: string[] = [];
      for (const n of frontier) for (const m of near.get(n) ?? []) if (!keep.has(m)) (keep.add(m), next.push(m));
      frontier = next;
    }
    edges = edges.filter((e) => keep.has(e.source) && keep.has(e.target));
  } else {
    for (const e of edges) (keep.add(e.source), keep.add(e.target));
    const anyEdgeFilter = filter.domain || filter.documented || filter.unhealthy || filter.owner;
    for (const n of graph.nodes) if (!anyEdgeFilter || (filter.owner && n.owner === filter.owner)) keep.add(n.id);
  }
  const nodes = graph.nodes.filter((n) => keep.has(n.id));
  return { ...graph, nodes, edges };
}

/** The most hops a focus reaches (the URL takes 1 to this; the overview offers each). */
export const MAX_HOPS = 10;

/** Reads a GraphFilter from URL search parameters (a `documented` or `hops` it does not take is ignored: see overview/filter-problems.ts, which says so). */
export function filterFromParams(params: URLSearchParams): GraphFilter {
  const hops = Number(params.get('hops') ?? '1');
  return {
    domain: params.get('domain') ?? undefined,
    owner: params.get('owner') ?? undefined,
    documented: ['documented', 'undocumented'].includes(params.get('documented') ?? '') ? (params.get('documented') as string) : undefined,
    unhealthy: params.get('unhealthy') === '1',
    focus: params.get('focus') ?? undefined,
    hops: Number.isInteger(hops) && hops >= 1 && hops <= MAX_HOPS ? hops : 1,
  };
}
