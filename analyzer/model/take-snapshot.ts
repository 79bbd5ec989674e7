import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { queryEdgeLastSeen, queryEdges, queryTouches } from '../flows/observed.ts';
import { attributeEdges, type Snapshot } from './snapshot.ts';

/** Reads the rollups for [since, until] and resolves them against the catalog as it is now. */
export async function takeSnapshot(store: Store, catalog: Catalog, since: Date, until: Date): Promise<Snapshot> {
  const [edges, touches, lastSeen] = await Promise.all([
    queryEdges(store, catalog, since, until),
    queryTouches(store, catalog, since, until),
    queryEdgeLastSeen(store, catalog),
  ]);
  return { catalog, since: since.toISOString(), until: until.toISOString(), edges: attributeEdges(catalog, edges), touches, lastSeen };
}
