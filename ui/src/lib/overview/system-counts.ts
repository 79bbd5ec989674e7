import type { Graph } from '../api/types.ts';
import { count } from '../format.ts';

/** How many systems the graph holds, split the way every count of systems in Weft is split. */
export interface SystemCounts {
  /** Every system: documented + unknown. An `integration:` node (the side of a flow whose peer no span named) is not a system. */
  systems: number;
  /** Systems in the catalog (shown whether or not they were seen in the window). */
  documented: number;
  /** Systems seen only in traffic: endpoints that match no catalog system (shadow IT, a new SaaS). */
  unknown: number;
}

/**
 * The graph's systems counted once, for every place of the overview that states a count (the counts
 * card, the line under the graph, the graph's accessible name), so they cannot disagree; `systems`
 * equals the API's `sprawl.systems`, and `documented` / `unknown` the `weft audit` summary's.
 */
export function systemCounts(graph: Pick<Graph, 'nodes'>): SystemCounts {
  const systems = graph.nodes.filter((n) => n.type !== 'integration');
  const documented = systems.filter((n) => n.documented).length;
  return { systems: systems.length, documented, unknown: systems.length - documented };
}

/** "14 systems (13 documented, 1 unknown)", "2 systems (2 documented)", "1 system (1 documented)". */
export function describeSystems(c: SystemCounts): string {
  return `${count(c.systems, 'system')} (${c.documented} documented${c.unknown ? `, ${c.unknown} unknown` : ''})`;
}
