/**
 * Which rows of the flow-edge rollups are one flow's, as a SQL condition: the one rule the flow's time
 * series, its summary over a window and its all-time last seen share, and the one the inventory applies
 * in JavaScript (`attributeEdges`, then an observed row per undocumented source → target @ integration).
 */
import type { Catalog, Flow } from '../../core/catalog/index.ts';
import { ERR_FLOW_NOT_FOUND } from '../errors.ts';
import { resolveExpr } from './match-sql.ts';
import { hasRoles, roleKeys, sourceLeftOutExpr, targetLeftOutExpr } from './flow-roles.ts';

/** One flow as the API names it: a catalog flow, or an undocumented one observed between two systems through one integration. */
export interface FlowSelection {
  /** The id as asked: a catalog flow id, or `observed:SOURCE->TARGET@INTEGRATION`. */
  id: string;
  source: string;
  target: string;
  /** The catalog flow; absent for an observed (undocumented) one. */
  flow?: Flow;
  /** The integration of an observed flow. */
  integration?: string;
}

/**
 * The source, target and integration of an observed id (`observedFlowId`): the text after `observed:` split at its last
 * `->` and the last `@` after that leaves each part one character or more, as `/^observed:(.+)->(.+)@(.+)$/` splits it
 * (read by hand: that expression took the cube of an id's length of `@`s, and ids come from request paths); undefined for
 * any other id, or one holding a line break.
 */
function observedParts(id: string): [source: string, target: string, integration: string] | undefined {
  if (!id.startsWith('observed:') || /[\n\r\u2028\u2029]/.test(id)) return undefined;
  const rest = id.slice('observed:'.length);
  const at = rest.lastIndexOf('@', rest.length - 2);
  if (at < 4) return undefined;
  const arrow = rest.lastIndexOf('->', at - 3);
  if (arrow < 1) return undefined;
  return [rest.slice(0, arrow), rest.slice(arrow + 2, at), rest.slice(at + 1)];
}

/** The id the inventory gives an undocumented flow seen from `source` to `target` through `integration`. */
export const observedFlowId = (source: string, target: string, integration: string): string => `observed:${source}->${target}@${integration}`;

/** A catalog flow id or an observed id → the flow it names. Throws ERR_FLOW_NOT_FOUND (404) for anything else. */
export function selectFlow(catalog: Catalog, id: string): FlowSelection {
  const flow = catalog.flows.find((f) => f.id === id);
  if (flow) return { id, source: flow.source, target: flow.target, flow };
  const observed = observedParts(id);
  if (!observed) throw ERR_FLOW_NOT_FOUND(id);
  return { id, source: observed[0], target: observed[1], integration: observed[2] };
}

/**
 * The condition (over the rollup columns `integration`, `service`, `src_*`, `tgt_*`, with the
 * endpoint mapping's parameters) that keeps the rows of `selection`, and its own query parameters
 * (named `fe_*`). A row is a catalog flow's when its ends resolve to the flow's source and target,
 * its runtime matches (`runtimeMatches`) and no catalog flow listed before it claims the row (the
 * first match wins, as in `documentedFlowFor`); an observed flow's when its integration is the one
 * named and no catalog flow claims it. Both ends resolving to one system is never a flow, nor a row whose source is a
 * lookup or state store of its runtime or whose target is a state store of it (flow-roles.ts). The query needs the
 * endpoint mapping's parameters (`EndpointMapping.params`), which carry the roles.
 */
export function flowEdgeCondition(catalog: Catalog, selection: FlowSelection): { sql: string; params: Record<string, string> } {
  const params: Record<string, string> = { fe_source: selection.source, fe_target: selection.target };
  const claims = (f: Flow, i: number): string => {
    const r = f.runtime ?? {};
    const parts: string[] = [];
    if (r.flow !== undefined) (parts.push(`integration = {fe_flow_${i}:String}`), (params[`fe_flow_${i}`] = r.flow));
    if (r.service !== undefined) (parts.push(`service = {fe_service_${i}:String}`), (params[`fe_service_${i}`] = r.service));
    return parts.length ? `(${parts.join(' OR ')})` : '1';
  };
  const sameRoute = catalog.flows.map((f, i) => ({ f, i })).filter(({ f }) => f.source === selection.source && f.target === selection.target);
  const own = selection.flow ? sameRoute.findIndex(({ f }) => f === selection.flow) : -1;
  const mine: string[] = [];
  if (selection.flow) mine.push(claims(selection.flow, sameRoute[own].i));
  else {
    params.fe_integration = selection.integration!;
    mine.push('integration = {fe_integration:String}');
  }
  // Rows a catalog flow listed earlier (or, for an observed flow, any catalog flow) claims are not this flow's.
  for (const { f, i } of selection.flow ? sameRoute.slice(0, own) : sameRoute) mine.push(`NOT ${claims(f, i)}`);
  if (selection.source === selection.target) mine.push('0');
  // A row whose source is a lookup (or a state store) of its runtime, or whose target a state store, is no flow of it
  // (flow-roles.ts): the snapshot's edges leave it out too.
  if (hasRoles(roleKeys(catalog)))
    mine.push(
      `NOT ${sourceLeftOutExpr('{fe_source:String}', '{fe_target:String}', "src_kind != ''", "tgt_kind != ''")}`,
      `NOT ${targetLeftOutExpr('{fe_target:String}', "tgt_kind != ''")}`,
    );
  return {
    sql: `${resolveExpr('src_')} = {fe_source:String} AND ${resolveExpr('tgt_')} = {fe_target:String} AND ${mine.join(' AND ')}`,
    params,
  };
}
