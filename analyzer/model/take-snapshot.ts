import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { endpointMapping } from '../flows/match-sql.ts';
import { queryEdgeLastSeen, queryEdges, queryTouches } from '../flows/observed.ts';
import { attributeEdges, type Snapshot } from './snapshot.ts';

/** Reads the rollups for [since, until] and resolves them against the catalog as it is now. */
export async function takeSnapshot(store: Store, catalog: Catalog, since: Date, until: Date): Promise<Snapshot> {
  const mapping = await endpointMapping(store, catalog);
  const edges = await queryEdges(store, mapping, since, until);
  const touches = await queryTouches(store, mapping, since, until);
  const lastSeen = await queryEdgeLastSeen(store, mapping);
  return { catalog, since: since.toISOString(), until: until.toISOString(), edges: attributeEdges(catalog, edges), touches, lastSeen, systemLastSeen: Object.fromEntries(mapping.systemLastSeen) };
}
