import type { Graph, GraphEdge, GraphNode } from '../api/types.ts';
import type { Health, HealthIndex } from './graph-view.ts';

/** Past this many systems on screen the overview draws groups of systems (automatic grouping). */
export const GROUP_ABOVE = 150;
/** At most this many systems with open findings of their own are drawn apart from their group (worst first); the rest colour it. */
export const MAX_APART = 60;
/**
 * Of the unknown systems, at most this many are drawn on their own (worst finding first, then best connected):
 * the rest are one "N unknown systems" node, rimmed with their worst finding, drawn system by system when
 * clicked. Sixty unknown hosts drawn on their own around the one system that calls them were a hairball
 * of diamonds and labels; every unknown system has a finding (unknown-system), so being drawn apart told
 * nothing more than the group's rim does.
 */
export const UNKNOWN_APART = 5;
/** The group key of systems not in the catalog. */
export const UNKNOWN_KEY = '(unknown systems)';

/** At most this many lines between two groups without an open finding are drawn (the busiest); lines with findings always are. */
export const MAX_QUIET_LINKS = 150;
/** Past this many owners, automatic grouping groups systems by kind instead. */
export const MAX_OWNER_GROUPS = 80;

/**
 * What systems are grouped by: their owner (team), their kind (crm, erp…), or `unknown`: only the
 * unknown systems past UNKNOWN_APART are grouped, every catalog system is drawn on its own (a small
 * estate with many unknown hosts).
 */
export type GroupBy = 'owner' | 'kind' | 'unknown';

/** Systems drawn as one node: a team's, or a kind's. */
export interface SystemGroup {
  /** `group:<key>`, never a system's id. */
  id: string;
  /** The owner or kind (`(no owner)`, `(unknown systems)`, `(integrations)` for those without one). */
  key: string;
  /** The systems inside the node (members drawn on their own are not). */
  members: GraphNode[];
  /** Flows between two of its members. */
  internal: GraphEdge[];
  /** The worst open finding of its members and of the flows between them. */
  health?: Health;
}

/** The flows between two drawn nodes (a group and a group, or a group and a system), as one line. */
export interface GroupLink {
  /** `link:<source>|<target>`. */
  id: string;
  /** Drawn ids: a group's `group:<key>` or a system's id. */
  source: string;
  target: string;
  /** The flows it stands for, either direction. */
  flows: GraphEdge[];
  /** How many of them run source → target, and target → source. */
  forward: number;
  backward: number;
  /** The worst open finding of its flows. */
  health?: Health;
}

/** A graph as drawn with groups: group nodes, systems drawn on their own, and the lines between them. */
export interface GroupedGraph {
  by: GroupBy;
  groups: SystemGroup[];
  /** Systems drawn on their own: members of expanded groups, the focused system and its neighbours, systems with open findings. */
  systems: GraphNode[];
  /** Flows between two systems drawn on their own, unchanged. */
  edges: GraphEdge[];
  /** Everything else, summed per pair of drawn nodes: every line with an open finding or touching a system drawn on its own, and the busiest MAX_QUIET_LINKS of the others. */
  links: GroupLink[];
  /** Lines between two groups, without findings, left out (the least busy past MAX_QUIET_LINKS). */
  quietHidden: number;
  /** Each system's group key (also for systems drawn on their own: where they are placed). */
  keyOf: Map<string, string>;
}

export interface GroupSettings {
  by: GroupBy;
  /** Group keys whose systems are drawn on their own. */
  expand?: ReadonlySet<string>;
  /** A system drawn on its own, with its direct neighbours. */
  focus?: string;
  health?: HealthIndex;
}

const rank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 } as const;

/** The worse of two healths, counting the findings of both (titles: the first five). */
export function mergeHealth(a: Health | undefined, b: Health | undefined): Health | undefined {
  if (!a || !b) return a ?? b;
  const worst = rank[b.severity] > rank[a.severity] ? b : a;
  return { severity: worst.severity, kind: worst.kind, count: a.count + b.count, titles: [...a.titles, ...b.titles].slice(0, 5) };
}

/** The group a system belongs to: unknown systems and integrations apart from the catalog's. */
export function groupKey(n: GraphNode, by: GroupBy): string {
  if (!n.documented && n.type !== 'integration') return UNKNOWN_KEY;
  if (by === 'unknown') return '(catalog)';
  if (n.type === 'integration') return '(integrations)';
  return by === 'owner' ? (n.owner ?? '(no owner)') : n.kind || '(no kind)';
}

export const groupId = (key: string) => `group:${key}`;

/**
 * The grouping the overview picks for a graph when the user picked none: none up to GROUP_ABOVE
 * systems (`unknown` when more than UNKNOWN_APART of them are unknown systems), else by owner (by
 * kind when there are more than MAX_OWNER_GROUPS owners).
 */
export function autoGroupBy(graph: Graph): GroupBy | undefined {
  if (graph.nodes.length <= GROUP_ABOVE)
    return graph.nodes.filter((n) => groupKey(n, 'unknown') === UNKNOWN_KEY).length > UNKNOWN_APART ? 'unknown' : undefined;
  return new Set(graph.nodes.map((n) => groupKey(n, 'owner'))).size <= MAX_OWNER_GROUPS ? 'owner' : 'kind';
}

/**
 * Draws less: systems grouped by owner or kind (or only the unknown ones), flows between groups summed
 * into one line per pair (either direction). Members of an expanded group, the focused system and its
 * direct neighbours (up to MAX_APART) and the systems with open findings of their own (healthIndex's
 * nodes: every system a finding names without naming a flow; up to MAX_APART, worst first) are drawn
 * on their own, whichever grouping was chosen; of the unknown systems only UNKNOWN_APART are. A group
 * takes the colour of its members' and inner flows' worst open finding, a line that of its flows', so
 * nothing unhealthy is hidden. Of the lines between two groups without findings only the busiest
 * MAX_QUIET_LINKS are kept. O(systems + flows + lines · log lines).
 */
export function groupGraph(graph: Graph, settings: GroupSettings): GroupedGraph {
  const { by, expand = new Set<string>(), focus, health } = settings;
  const keyOf = new Map(graph.nodes.map((n) => [n.id, groupKey(n, by)]));
  // Unknown systems past the first UNKNOWN_APART stay in their group (worst first, then best connected).
  let unknownLeft = UNKNOWN_APART;
  const fewUnknown = (n: GraphNode) => keyOf.get(n.id) !== UNKNOWN_KEY || expand.has(UNKNOWN_KEY) || unknownLeft-- > 0;
  const unhealthy = graph.nodes
    .filter((n) => health?.nodes.has(n.id) && !expand.has(keyOf.get(n.id)!))
    .sort(
      (a, b) => rank[health!.nodes.get(b.id)!.severity] - rank[health!.nodes.get(a.id)!.severity] || b.connections - a.connections || (a.id < b.id ? -1 : 1),
    )
    .filter(fewUnknown)
    .slice(0, MAX_APART);
  const drawnApart = new Set(unhealthy.map((n) => n.id));
  // Focused: the system and its direct neighbours (up to MAX_APART, unhealthy then best connected first) on their own, the farther hops grouped.
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const near = focus
    ? [...new Set(graph.edges.flatMap((e) => (e.source === focus ? [e.target] : e.target === focus ? [e.source] : [])))]
        .map((id) => byId.get(id))
        .filter((n): n is GraphNode => n !== undefined && !expand.has(keyOf.get(n.id)!))
        .sort((a, b) => Number(health?.nodes.has(b.id) ?? 0) - Number(health?.nodes.has(a.id) ?? 0) || b.connections - a.connections || (a.id < b.id ? -1 : 1))
        .filter((n) => drawnApart.has(n.id) || fewUnknown(n))
        .slice(0, MAX_APART)
    : [];
  const apart = new Set([...unhealthy.map((n) => n.id), ...(focus ? [focus] : []), ...near.map((n) => n.id)]);
  const groups = new Map<string, SystemGroup>();
  const systems: GraphNode[] = [];
  for (const n of graph.nodes) {
    const key = keyOf.get(n.id)!;
    if (expand.has(key) || apart.has(n.id) || (by === 'unknown' && key !== UNKNOWN_KEY)) {
      systems.push(n);
      continue;
    }
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { id: groupId(key), key, members: [], internal: [] }));
    g.members.push(n);
    g.health = mergeHealth(g.health, health?.nodes.get(n.id));
  }
  // What each grouped system is drawn as; a system drawn on its own is drawn as itself.
  const member = new Map<string, string>();
  for (const g of groups.values()) for (const m of g.members) member.set(m.id, g.id);
  const edges: GraphEdge[] = [];
  const links = new Map<string, GroupLink>();
  for (const e of graph.edges) {
    const s = member.get(e.source) ?? e.source;
    const t = member.get(e.target) ?? e.target;
    const h = health?.edges.get(e.id);
    if (s === e.source && t === e.target) {
      edges.push(e);
    } else if (s === t) {
      const g = groups.get(s.slice('group:'.length))!;
      g.internal.push(e);
      g.health = mergeHealth(g.health, h);
    } else {
      const reverse = links.get(`link:${t}|${s}`);
      const link = reverse ?? links.get(`link:${s}|${t}`) ?? { id: `link:${s}|${t}`, source: s, target: t, flows: [], forward: 0, backward: 0 };
      links.set(link.id, link);
      link.flows.push(e);
      if (reverse) link.backward += 1;
      else link.forward += 1;
      link.health = mergeHealth(link.health, h);
    }
  }
  // Drawing less: between 40 teams a few hundred lines of one or two healthy flows are a grey tangle that took
  // most of the drawing time; the busiest stay, and a group's click draws all of its own.
  const all = [...links.values()];
  const quiet = all.filter((l) => !l.health && l.source.startsWith('group:') && l.target.startsWith('group:'));
  const left = new Set(quiet.sort((a, b) => b.flows.length - a.flows.length || (a.id < b.id ? -1 : 1)).slice(MAX_QUIET_LINKS));
  const drawn = all.filter((l) => !left.has(l));
  return { by, groups: [...groups.values()], systems, edges, links: drawn, quietHidden: all.length - drawn.length, keyOf };
}
