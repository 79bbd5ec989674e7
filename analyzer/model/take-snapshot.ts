import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { endpointMapping, PENDING } from '../flows/match-sql.ts';
import { queryEdgeLastSeen, queryEdges, queryTouches } from '../flows/observed.ts';
import { pairingState } from '../flows/pairing-job.ts';
import { attributeEdges, type Snapshot } from './snapshot.ts';

/** Reads the rollups for [since, until] and resolves them against the catalog as it is now. */
export async function takeSnapshot(store: Store, catalog: Catalog, since: Date, until: Date): Promise<Snapshot> {
  const mapping = await endpointMapping(store, catalog);
  const resolved = (...nodes: string[]) => nodes.every((n) => !n.startsWith(PENDING));
  const edges = (await queryEdges(store, mapping, since, until)).filter((e) => resolved(e.source, e.target));
  const touches = (await queryTouches(store, mapping, since, until)).filter((t) => resolved(t.system));
  const lastSeen = (await queryEdgeLastSeen(store, mapping)).filter((e) => resolved(e.source, e.target));
  const state = await pairingState(store);
  const paired = state.pairedUntil;
  return {
    catalog,
    since: since.toISOString(),
    until: until.toISOString(),
    observingSince: state.observingSince?.toISOString() ?? null,
    pairedUntil: paired && paired < until ? paired.toISOString() : until.toISOString(),
    pending: state.pending,
    edges: attributeEdges(catalog, edges),
    touches,
    lastSeen,
    systemLastSeen: Object.fromEntries(mapping.systemLastSeen),
  };
}
