import { fromChTime, type Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';

/** How many of the latest catalog versions are read back: a lifecycle unchanged in all of them is at least that old. */
const VERSIONS_READ = 100;

/**
 * When the current lifecycle of each flow and system that is not active took effect: the time of the oldest catalog
 * version of the latest ones in a row that gave it that lifecycle (`weft_catalog_versions`, migration 070: Weft stores
 * a version whenever it loads a catalog that differs). Keys `flow:<id>` and `system:<id>`, values ISO-8601 UTC. An id
 * whose lifecycle in the newest stored version is not the catalog's (a catalog file never loaded by a Weft, `weft audit
 * --catalog`) has none: its lifecycle is taken to have held all along. Only the ids asked for are read, inside the
 * engine (`JSONExtract…`): the stored catalogs are not brought over whole.
 */
export async function queryLifecycleSince(store: Store, catalog: Catalog, ids: { flows: string[]; systems: string[] }): Promise<Map<string, string>> {
  if (ids.flows.length === 0 && ids.systems.length === 0) return new Map();
  // The answer changes only with a new version (or another catalog or ids): the newest version's time is one
  // lookup of the table's sort key, where the answer reads every stored catalog's text.
  const [{ newest }] = await store.client
    .query({ query: 'SELECT toString(max(at)) AS newest FROM weft_catalog_versions', format: 'JSONEachRow' })
    .then((r) => r.json<{ newest: string }>());
  const key = JSON.stringify([
    newest,
    ids.flows,
    ids.systems,
    ids.flows.map((id) => catalog.flows.find((f) => f.id === id)?.lifecycle),
    ids.systems.map((id) => catalog.systems.find((x) => x.id === id)?.lifecycle),
  ]);
  const held = answers.get(store);
  if (held?.key === key) return held.since;
  const since = await read(store, catalog, ids);
  answers.set(store, { key, since });
  return since;
}

/** The last answer per store, with what it was asked (`queryLifecycleSince`). */
const answers = new WeakMap<Store, { key: string; since: Map<string, string> }>();

async function read(store: Store, catalog: Catalog, ids: { flows: string[]; systems: string[] }): Promise<Map<string, string>> {
  const since = new Map<string, string>();
  const lifecycles = (section: string, param: string) =>
    `arrayMap(id -> JSONExtractString(arrayFirst(e -> JSONExtractString(e, 'id') = id, JSONExtractArrayRaw(catalog, '${section}')), 'lifecycle'), {${param}:Array(String)})`;
  const rows = await store.client
    .query({
      query: `SELECT toString(at) AS at, ${lifecycles('flows', 'flows')} AS flows, ${lifecycles('systems', 'systems')} AS systems
        FROM weft_catalog_versions ORDER BY at DESC LIMIT ${VERSIONS_READ}`,
      query_params: { flows: ids.flows, systems: ids.systems },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ at: string; flows: string[]; systems: string[] }>());
  const walk = (kind: 'flow' | 'system', list: string[], now: (id: string) => string | undefined, of: (r: (typeof rows)[number]) => string[]) =>
    list.forEach((id, i) => {
      let oldest: string | undefined;
      for (const r of rows) {
        if (of(r)[i] !== now(id)) break;
        oldest = r.at;
      }
      if (oldest !== undefined) since.set(`${kind}:${id}`, fromChTime(oldest));
    });
  walk(
    'flow',
    ids.flows,
    (id) => catalog.flows.find((f) => f.id === id)?.lifecycle,
    (r) => r.flows,
  );
  walk(
    'system',
    ids.systems,
    (id) => catalog.systems.find((s) => s.id === id)?.lifecycle,
    (r) => r.systems,
  );
  return since;
}
