/**
 * A flow's lookups and state stores (docs/catalog.md, "Lookups and state stores"), resolved when edges are read, as
 * endpoint matching is: a catalog change applies to past runs too. A read of a lookup by the flow's runtime is never
 * the source of an edge into the flow's target; a touch of a state store by the runtime is never an end of its edges.
 * The run's other reads and writes pair as before; a run whose only reads were lookups (or state) is a write of the
 * integration itself (a half of the flow), one whose only writes were to state stores a read of it.
 */
import type { Catalog, Flow } from '../../core/catalog/index.ts';

const SEP = '\u001f';

/** The keys of the roles, passed as query parameters (`role_lookups`, `role_stores`): empty when the catalog declares none. */
export type RoleKeys = {
  /** `runtime SEP lookup SEP target` (target '' for a run that wrote nothing). */
  role_lookups: string[];
  /** `runtime SEP system`. */
  role_stores: string[];
};

/** A runtime as the keys name it: `f` + integration (`runtime.flow`) or `s` + service (`runtime.service`). */
function runtimeKeys(f: Flow): string[] {
  const r = f.runtime ?? {};
  return [...(r.flow !== undefined ? [`f${SEP}${r.flow}`] : []), ...(r.service !== undefined ? [`s${SEP}${r.service}`] : [])];
}

const keysOf = new WeakMap<readonly Flow[], RoleKeys>();

/**
 * The role keys of a catalog's flows (cached per flows list). A lookup of a runtime is also a lookup in a run of it that
 * wrote nothing (key target ''), unless a flow of that runtime has that system as its source: such a read is that flow's
 * half.
 */
export function roleKeys(catalog: Catalog): RoleKeys {
  let keys = keysOf.get(catalog.flows);
  if (keys) return keys;
  const lookups = new Set<string>();
  const stores = new Set<string>();
  const sources = new Set(catalog.flows.flatMap((f) => runtimeKeys(f).map((rk) => `${rk}${SEP}${f.source}`)));
  for (const f of catalog.flows) {
    // A flow without a runtime declares none (the catalog refuses it): nothing says whose reads they are.
    for (const rk of runtimeKeys(f)) {
      for (const s of f.lookups ?? []) {
        lookups.add(`${rk}${SEP}${s}${SEP}${f.target}`);
        if (!sources.has(`${rk}${SEP}${s}`)) lookups.add(`${rk}${SEP}${s}${SEP}`);
      }
      for (const s of f.stateStores ?? []) stores.add(`${rk}${SEP}${s}`);
    }
  }
  keys = { role_lookups: [...lookups], role_stores: [...stores] };
  keysOf.set(catalog.flows, keys);
  return keys;
}

/** Whether the catalog declares any lookup or state store: without, the edge reads are the plain ones. */
export const hasRoles = (keys: RoleKeys): boolean => keys.role_lookups.length > 0 || keys.role_stores.length > 0;

const runtimes = (integration: string, service: string): string[] => [`concat('f', char(31), ${integration})`, `concat('s', char(31), ${service})`];

/** SQL: whether the system `system` (an expression) is a state store of the edge's runtime (columns `integration`, `service`). */
export function isStateStoreExpr(system: string, integration = 'integration', service = 'service'): string {
  return `(${runtimes(integration, service)
    .map((rk) => `concat(${rk}, char(31), ${system}) IN {role_stores:Array(String)}`)
    .join(' OR ')})`;
}

/**
 * SQL: whether an edge's source end (`source`, the resolved system; `hasSource`, whether the row read anything) is left
 * out for its runtime: a state store, or a lookup into `target` (the resolved target; `hasTarget` false: a run that
 * wrote nothing, key target '').
 */
export function sourceLeftOutExpr(
  source: string,
  target: string,
  hasSource: string,
  hasTarget: string,
  integration = 'integration',
  service = 'service',
): string {
  const lookup = runtimes(integration, service)
    .map((rk) => `concat(${rk}, char(31), ${source}, char(31), if(${hasTarget}, ${target}, '')) IN {role_lookups:Array(String)}`)
    .join(' OR ');
  return `(${hasSource} AND (${lookup} OR ${isStateStoreExpr(source, integration, service)}))`;
}

/** SQL: whether an edge's target end (`target`; `hasTarget`, whether the row wrote anything) is a state store of its runtime. */
export function targetLeftOutExpr(target: string, hasTarget: string, integration = 'integration', service = 'service'): string {
  return `(${hasTarget} AND ${isStateStoreExpr(target, integration, service)})`;
}

/**
 * SQL: the resolved edge rows of `resolved` (columns `w`, `source`, `target`, `integration`, `service`, `domain`, the
 * raw ends as `ends` — `ends[1]` the source's kind, `ends[6]` the target's, '' for none —, the run group `g`, and
 * `rest`, the other columns, passed through) with the roles applied per run group: a row whose source is left out
 * (`sourceLeftOutExpr`) is dropped when another row of its group has a source that counts (the run read its real
 * source too), else its source becomes the integration itself (`node`, `integrationNodeExpr`); the same for targets; a
 * row left with neither end is dropped. Rows of one group hold the same runs (every read × every write), so what is
 * left is what the run would have paired had it not touched them.
 */
export function applyRoles(resolved: string, rest: string, node: string): string {
  const sx = sourceLeftOutExpr('source', 'target', "ends[1] != ''", "ends[6] != ''");
  const tx = targetLeftOutExpr('target', "ends[6] != ''");
  return `
          SELECT w, if(sx, ${node}, source) AS source, if(tx, ${node}, target) AS target, integration, service, domain, ends, g, ${rest}
          FROM (
            SELECT *, max(ends[1] != '' AND NOT sx) OVER p AS hs, max(ends[6] != '' AND NOT tx) OVER p AS ht
            FROM (SELECT *, ${sx} AS sx, ${tx} AS tx FROM (${resolved}))
            WINDOW p AS (PARTITION BY w, integration, service, domain, g)
          )
          WHERE (NOT sx OR hs = 0) AND (NOT tx OR ht = 0) AND NOT ((sx OR ends[1] = '') AND (tx OR ends[6] = ''))`;
}
