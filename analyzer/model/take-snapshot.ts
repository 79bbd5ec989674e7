import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { UNNAMED } from '../flows/endpoint-match.ts';
import { endpointKey, endpointMapping, PENDING, type EndpointMapping } from '../flows/match-sql.ts';
import { queryEdgeLastSeen, queryEdges, querySelfEdges, queryTouches, type SelfEdgeRow } from '../flows/observed.ts';
import { watermark } from '../flows/pairing-job.ts';
import { attributeEdges, type RuleOverlap, type Snapshot } from './snapshot.ts';

/**
 * Self-edges worth telling the ICoE about: two different endpoints (another kind, or another host or
 * port) that one system claims, at least one of them through a `hosts` rule — the rule is broader than
 * the system (an API host rule that also captures a broker or database on the same machine). An
 * integration reading and writing the same endpoint, or one system's endpoints each matched by their
 * own rule, is not reported.
 */
export function ruleOverlaps(rows: SelfEdgeRow[], matchedBy: EndpointMapping['matchedBy']): RuleOverlap[] {
  return rows.flatMap((r) => {
    const sourceRule = matchedBy.get(endpointKey(r.source)) ?? null;
    const targetRule = matchedBy.get(endpointKey(r.target)) ?? null;
    const different = r.source.kind !== r.target.kind || r.source.host !== r.target.host;
    return different && (sourceRule === 'hosts' || targetRule === 'hosts') ? [{ ...r, sourceRule, targetRule }] : [];
  });
}

/** Reads the rollups for [since, until] and resolves them against the catalog as it is now. */
export async function takeSnapshot(store: Store, catalog: Catalog, since: Date, until: Date): Promise<Snapshot> {
  const mapping = await endpointMapping(store, catalog);
  const resolved = (...nodes: string[]) => nodes.every((n) => !n.startsWith(PENDING) && !n.startsWith(UNNAMED));
  const edges = (await queryEdges(store, mapping, since, until)).filter((e) => resolved(e.source, e.target));
  const allTouches = await queryTouches(store, mapping, since, until);
  const touches = allTouches.filter((t) => resolved(t.system));
  const unnamed = allTouches.filter((t) => t.system.startsWith(UNNAMED));
  const overlaps = ruleOverlaps(await querySelfEdges(store, mapping, since, until), mapping.matchedBy);
  const lastSeen = (await queryEdgeLastSeen(store, mapping)).filter((e) => resolved(e.source, e.target));
  const paired = await watermark(store);
  return {
    catalog,
    since: since.toISOString(),
    until: until.toISOString(),
    observingSince: mapping.observingSince,
    pairedUntil: paired && paired < until ? paired.toISOString() : until.toISOString(),
    edges: attributeEdges(catalog, edges),
    touches,
    lastSeen,
    systemLastSeen: Object.fromEntries([...mapping.systemLastSeen].filter(([id]) => !id.startsWith(UNNAMED))),
    ruleOverlaps: overlaps,
    unnamed,
  };
}
