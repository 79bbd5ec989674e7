import { isUnknown, type Snapshot } from './snapshot.ts';

/**
 * One integration's use of an endpoint no catalog system matches, in one direction: a span touch, or
 * the end of a flow that no span touched (an OpenLineage dataset no match rule resolves).
 */
export interface UnknownSystemUse {
  integration: string;
  /** 'read' | 'write' as the touches say it ('read' for a flow's source end, 'write' for its target). */
  direction: string;
  /** Spans that touched it; for a flow end no span touched, the flow's traces (OpenLineage: runs). */
  spans: number;
  errors: number;
  /** Records (rows) carried; a flow end no span touched counts the rows written at its target end only. */
  records: number;
  lastSeen: string;
  sampleTrace: string;
}

/**
 * The unknown systems of the window (`unknown:…` ids) with every use of each: the one list the
 * unknown-system findings, the inventory (and so `weft audit` and reports) and the graph's nodes
 * are built from, so that they count the same systems. Ids come out sorted.
 */
export function unknownSystemUses(s: Pick<Snapshot, 'touches' | 'edges'>): Map<string, UnknownSystemUse[]> {
  const bySystem = new Map<string, UnknownSystemUse[]>();
  const add = (system: string, use: UnknownSystemUse) => bySystem.set(system, [...(bySystem.get(system) ?? []), use]);
  for (const t of s.touches) if (isUnknown(t.system)) add(t.system, t);
  const touched = new Set(s.touches.map((t) => `${t.system}@${t.integration}`));
  for (const e of s.edges)
    for (const [end, direction] of [
      [e.source, 'read'],
      [e.target, 'write'],
    ] as const)
      if (isUnknown(end) && !touched.has(`${end}@${e.integration}`))
        add(end, {
          integration: e.integration,
          direction,
          spans: e.traces,
          errors: e.failedTraces,
          records: direction === 'write' ? e.records : 0,
          lastSeen: e.lastSeen,
          sampleTrace: e.sampleTrace,
        });
  return new Map([...bySystem].sort(([a], [b]) => a.localeCompare(b)));
}
