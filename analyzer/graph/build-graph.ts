import { combineEdges, edgesDomain, isIntegrationNode, isUnknown, pairingStatus, type EdgeMark, type PairingStatus, type Snapshot } from '../model/snapshot.ts';
import { declaredDependencies, dependencyTouches, dependencyUse } from '../flows/flow-dependencies.ts';
import { unknownSystemUses } from '../model/unknown-systems.ts';
import { groupBy } from '../../core/collections/index.ts';
import type { Lifecycle } from '../../core/catalog/index.ts';

export interface GraphNode {
  id: string;
  label: string;
  type: 'system' | 'unknown-system' | 'integration';
  kind: string;
  owner: string | null;
  /** The catalog's; null for an unknown system or an integration runtime (the catalog documents no lifecycle for them). */
  lifecycle: Lifecycle | null;
  documented: boolean;
  connections: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  integrations: string[];
  domain: string;
  flowId: string | null;
  mark: EdgeMark;
  observed: boolean;
  traces: number;
  records: number;
  errorRate: number;
  /** ms; null: no duration known (not observed, or OpenLineage runs without a START). */
  p95Ms: number | null;
  /**
   * The start of the first run counted in the window (ISO; null: not observed). Rates are over the window from the
   * earlier of this and `pairing.observingSince`: runs sent after they ran are counted in the minutes they ran.
   */
  firstSeen: string | null;
  lastSeen: string | null;
}

/**
 * A system a documented flow's runtime depends on without moving data through it (docs/catalog.md, "Lookups and state
 * stores"): a `lookup` (reference data read, for the flow's `target`) or its `state` store, as touched in the window.
 */
export interface GraphDependency {
  /** `lookup:<flow>:<system>` or `state:<flow>:<system>`. */
  id: string;
  role: 'lookup' | 'state';
  system: string;
  flowId: string;
  /** The flow's target: what the lookup serves (null for a state store). */
  target: string | null;
  integrations: string[];
  /** Spans of the runtime that touched it in the window (reads only, for a lookup). */
  spans: number;
  lastSeen: string;
}

export interface Sprawl {
  /** Catalog and unknown systems (integration nodes are not systems). */
  systems: number;
  edges: number;
  /** Distinct neighbours per node. */
  connectionsPerSystem: Record<string, number>;
  /** Nodes with the most connections (at least 3), highest first. */
  hubs: Array<{ id: string; connections: number }>;
  flowsPerDomain: Record<string, number>;
  undocumentedEdges: number;
  /** Distinct neighbours per system (integration nodes left out of the average, as they are of `systems`). */
  averageConnections: number;
}

export interface Graph {
  since: string;
  until: string;
  /** Arrived but still being paired, and how far pairing got. */
  pairing: PairingStatus;
  nodes: GraphNode[];
  edges: GraphEdge[];
  integrations: Array<{ id: string; service: string; edges: number }>;
  /** Lookups and state stores touched in the window: dependencies, not flows (no edge, no sprawl). */
  dependencies: GraphDependency[];
  sprawl: Sprawl;
}

/** Systems and integrations as nodes; observed flows (and documented but unseen ones) as edges. */
export function buildGraph(s: Snapshot): Graph {
  const { catalog } = s;
  const groups = groupBy(s.edges, (e) => `${e.source}\u0000${e.target}\u0000${e.flowId ?? ''}`);
  const edges: GraphEdge[] = [...groups.values()].map((list) => {
    const first = list[0];
    const stats = combineEdges(list)!;
    return {
      id: first.flowId ?? `${first.source}->${first.target}`,
      source: first.source,
      target: first.target,
      integrations: [...new Set(list.map((e) => e.integration))],
      domain: edgesDomain(list),
      flowId: first.flowId,
      mark: first.mark,
      observed: true,
      traces: stats.traces,
      records: stats.records,
      errorRate: stats.errorRate,
      p95Ms: stats.p95Ms,
      firstSeen: stats.firstSeen,
      lastSeen: stats.lastSeen,
    };
  });
  for (const f of catalog.flows) {
    if (f.lifecycle === 'retired' || edges.some((e) => e.flowId === f.id)) continue;
    edges.push({
      id: f.id,
      source: f.source,
      target: f.target,
      integrations: [f.runtime.flow ?? f.runtime.service ?? ''].filter(Boolean),
      domain: f.domain ?? '',
      flowId: f.id,
      mark: f.lifecycle === 'active' ? 'documented' : 'deprecated',
      observed: false,
      traces: 0,
      records: 0,
      errorRate: 0,
      p95Ms: null,
      firstSeen: null,
      lastSeen: null,
    });
  }
  const neighbours = new Map<string, Set<string>>();
  const link = (a: string, b: string) => neighbours.set(a, (neighbours.get(a) ?? new Set()).add(b));
  for (const e of edges) {
    link(e.source, e.target);
    link(e.target, e.source);
  }
  // Unknown systems from the one list the inventory (weft audit, reports) and the unknown-system findings use.
  const ids = new Set([
    ...catalog.systems.map((x) => x.id),
    ...edges.flatMap((e) => [e.source, e.target]).filter((id) => !isUnknown(id)),
    ...s.touches.map((t) => t.system).filter((id) => !isUnknown(id)),
    ...unknownSystemUses(s).keys(),
  ]);
  const nodes: GraphNode[] = [...ids].map((id) => {
    const sys = catalog.systems.find((x) => x.id === id);
    const type = isUnknown(id) ? 'unknown-system' : isIntegrationNode(id) ? 'integration' : 'system';
    return {
      id,
      label: sys?.name ?? id.replace(/^(unknown|integration):/, ''),
      type,
      kind: sys?.kind ?? (type === 'integration' ? 'integration' : 'unknown'),
      owner: sys?.owner ?? null,
      lifecycle: sys?.lifecycle ?? null,
      documented: Boolean(sys),
      connections: neighbours.get(id)?.size ?? 0,
    };
  });
  // What "systems" counts wherever Weft states it: catalog and unknown systems, not the integration nodes.
  const systemNodes = nodes.filter((n) => n.type !== 'integration');
  const connectionsPerSystem = Object.fromEntries(nodes.map((n) => [n.id, n.connections]));
  const flowsPerDomain: Record<string, number> = {};
  for (const e of edges) if (e.domain) flowsPerDomain[e.domain] = (flowsPerDomain[e.domain] ?? 0) + 1;
  const integrations = new Map<string, { id: string; service: string; edges: number }>();
  for (const e of s.edges) {
    const i = integrations.get(e.integration) ?? { id: e.integration, service: e.service, edges: 0 };
    i.edges++;
    integrations.set(e.integration, i);
  }
  return {
    since: s.since,
    until: s.until,
    pairing: pairingStatus(s),
    nodes,
    edges,
    integrations: [...integrations.values()],
    dependencies: graphDependencies(s),
    sprawl: {
      systems: systemNodes.length,
      edges: edges.length,
      connectionsPerSystem,
      hubs: nodes
        .filter((n) => n.connections >= 3)
        .sort((a, b) => b.connections - a.connections || a.id.localeCompare(b.id))
        .map((n) => ({ id: n.id, connections: n.connections })),
      flowsPerDomain,
      undocumentedEdges: edges.filter((e) => e.mark === 'undocumented').length,
      averageConnections: systemNodes.length ? Number((systemNodes.reduce((n, x) => n + x.connections, 0) / systemNodes.length).toFixed(2)) : 0,
    },
  };
}

/** The lookups and state stores of the catalog's flows that their runtimes touched in the window, in catalog order. */
export function graphDependencies(s: Pick<Snapshot, 'catalog' | 'touches'>): GraphDependency[] {
  const out: GraphDependency[] = [];
  for (const f of s.catalog.flows) {
    for (const { role, system } of declaredDependencies(f)) {
      const touches = dependencyTouches(f, role, system, s.touches);
      if (touches.length === 0) continue;
      const use = dependencyUse(touches);
      out.push({
        id: `${role}:${f.id}:${system}`,
        role,
        system,
        flowId: f.id,
        target: role === 'lookup' ? f.target : null,
        integrations: [...new Set(touches.map((t) => t.integration))],
        spans: use.spans,
        lastSeen: use.lastSeen!,
      });
    }
  }
  return out;
}
