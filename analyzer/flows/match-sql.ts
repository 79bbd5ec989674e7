/**
 * The resolution of endpoints to systems, as small ClickHouse expressions: the mapping itself is
 * computed in JavaScript over the distinct endpoints (`weft_endpoints`, small and all-time) and
 * passed as query parameters, so the SQL stays the same size whatever the catalog.
 */
import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { fromChTime } from '../../clickhouse/index.ts';
import { answeredNode, resolveWithRule, selfSystems, type Answer, type Endpoint, type MatchedBy } from './endpoint-match.ts';
import { roleKeys, type RoleKeys } from './flow-roles.ts';

export const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const SEP = '\u001f';
const keyExpr = (p: string) => `concat(${p}kind, char(31), ${p}sys, char(31), ${p}host, char(31), ${p}name, char(31), ${p}peer)`;

export interface EndpointMapping {
  /** The mapping, and the catalog's lookups and state stores (`roleKeys`), as query parameters. */
  params: { ep_keys: string[]; ep_systems: string[]; self_services: string[]; self_systems: string[] } & RoleKeys;
  /** All-time last seen per resolved system (from the endpoints' own last seen). */
  systemLastSeen: Map<string, string>;
  /** When Weft first saw any endpoint: how long it has been observing (null: nothing yet). */
  observingSince: string | null;
  /** endpoint key → the kind of rule that resolved it (absent: unknown, unnamed or pending). */
  matchedBy: Map<string, MatchedBy>;
}

/** The key an endpoint has in the mapping (and in `ep_keys`): its five columns joined by U+001F. */
export const endpointKey = (e: Endpoint): string => [e.kind, e.sys, e.host, e.name, e.peer].join(SEP);

/**
 * Endpoints that reached the store after the mapping was read resolve to this prefix; a snapshot
 * leaves them out until the next evaluation resolves them, instead of calling them unknown.
 */
export const PENDING = 'pending:';

/**
 * Resolutions already made, per catalog (a reloaded catalog is a new object and starts afresh): every
 * snapshot resolves every endpoint ever seen, most of them the same as last time.
 */
type Resolution = ReturnType<typeof resolveWithRule>;
const resolutions = new WeakMap<Catalog, Map<string, Resolution>>();

function resolveCached(catalog: Catalog, e: Endpoint): Resolution {
  let known = resolutions.get(catalog);
  if (!known) resolutions.set(catalog, (known = new Map<string, Resolution>()));
  const key = endpointKey(e);
  let r = known.get(key);
  if (!r) known.set(key, (r = resolveWithRule(catalog, e)));
  return r;
}

/**
 * The services (and their integrations) that answered each endpoint's calls (weft_answered_endpoints, migration 137), by
 * endpoint key (`endpointKey`), in no order (`answeredNode` asks whether they name one node); of the endpoints `keys`
 * only (their keys), when given.
 */
export async function answeringServices(store: Store, keys?: readonly string[]): Promise<Map<string, Answer[]>> {
  const only = keys === undefined ? '' : `WHERE ${keyExpr('ep_')} IN {keys:Array(String)}`;
  const rows = await store.client
    .query({
      query: `SELECT ep_kind AS kind, ep_sys AS sys, ep_host AS host, ep_name AS name, ep_peer AS peer,
          groupUniqArray((service, integration)) AS answers
        FROM weft_answered_endpoints ${only}
        GROUP BY kind, sys, host, name, peer`,
      query_params: keys === undefined ? {} : { keys },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<Endpoint & { answers: Array<[string, string]> }>());
  return new Map(rows.map((r) => [endpointKey(r), r.answers.map(([service, integration]) => ({ service, integration }))]));
}

/**
 * Resolves every endpoint ever seen against the catalog as it is now: by its rules (`resolveWithRule`), and one they
 * leave unknown by the service that answered its calls, when the catalog names it (`answeredNode`).
 */
export async function endpointMapping(store: Store, catalog: Catalog): Promise<EndpointMapping> {
  const [rows, answered] = await Promise.all([
    store.client
      .query({
        query:
          'SELECT ep_kind AS kind, ep_sys AS sys, ep_host AS host, ep_name AS name, ep_peer AS peer, max(last_seen) AS last_seen, min(first_seen) AS first_seen FROM weft_endpoints GROUP BY kind, sys, host, name, peer',
        format: 'JSONEachRow',
      })
      .then((r) => r.json<Endpoint & { last_seen: string; first_seen: string }>()),
    answeringServices(store),
  ]);
  const self = selfSystems(catalog);
  const resolved = rows.map((e) => {
    const r = resolveCached(catalog, e);
    const answers = r.system.startsWith('unknown:') ? answered.get(endpointKey(e)) : undefined;
    return (answers && answeredNode(catalog, answers)) || r;
  });
  const systems = resolved.map((r) => r.system);
  const matchedBy = new Map<string, MatchedBy>();
  rows.forEach((e, i) => resolved[i].by && matchedBy.set(endpointKey(e), resolved[i].by!));
  const systemLastSeen = new Map<string, string>();
  let observingSince: string | null = null;
  rows.forEach((e, i) => {
    const at = fromChTime(e.last_seen);
    if ((systemLastSeen.get(systems[i]) ?? '') < at) systemLastSeen.set(systems[i], at);
    const first = fromChTime(e.first_seen);
    if (observingSince === null || first < observingSince) observingSince = first;
  });
  return {
    systemLastSeen,
    observingSince,
    matchedBy,
    params: {
      ep_keys: rows.map(endpointKey),
      ep_systems: systems,
      self_services: [...self.keys()],
      self_systems: [...self.values()],
      ...roleKeys(catalog),
    },
  };
}

/**
 * The node an endpoint (columns `<p>kind…<p>peer`) becomes: a catalog system id, `unknown:<label>`,
 * or — for the empty side of an edge — the integration's own system (`match.services`) or `integration:<name>`.
 */
export function resolveExpr(p: string, integrationColumn = 'integration', serviceColumn = 'service'): string {
  return `if(${p}kind = '', ${integrationNodeExpr(integrationColumn, serviceColumn)}, transform(${keyExpr(p)}, {ep_keys:Array(String)}, {ep_systems:Array(String)}, '${PENDING}'))`;
}

/** The node the empty side of an edge becomes: the integration's own system (`match.services`), else `integration:<name>`. */
export function integrationNodeExpr(integrationColumn = 'integration', serviceColumn = 'service'): string {
  const self = `transform(${serviceColumn}, {self_services:Array(String)}, {self_systems:Array(String)}, '')`;
  return `if(${self} != '', ${self}, concat('integration:', ${integrationColumn}))`;
}
