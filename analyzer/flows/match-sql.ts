/**
 * Catalog match rules → ClickHouse expressions, so endpoints resolve to systems at query time
 * (a catalog change re-attributes past data). Endpoint columns: `<p>kind, <p>sys, <p>host,
 * <p>name, <p>peer` (see clickhouse/migrations/021_span_touches.sql).
 */
import type { Catalog, MatchRules } from '../../core/catalog/index.ts';

export const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const list = (xs: string[]) => `[${xs.map(sqlString).join(', ')}]`;

/** `*.example.com` → anchored regular expression. */
export function wildcardRegex(pattern: string): string {
  return `^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`;
}

const dbAliases: Record<string, string> = { postgres: 'postgresql', mariadb: 'mysql' };
const dbSystem = (s: string) => dbAliases[s.toLowerCase()] ?? s.toLowerCase();

/** "postgresql://host:5432/db" → { system, host, namespace } */
export function parseDsn(dsn: string): { system: string; host?: string; namespace?: string } {
  const u = new URL(dsn);
  return { system: dbSystem(u.protocol.replace(/:$/, '')), host: u.hostname || undefined, namespace: u.pathname.replace(/^\//, '') || undefined };
}

function nameCondition(column: string, pattern: string): string {
  return pattern.includes('*') ? `match(${column}, ${sqlString(wildcardRegex(pattern))})` : `${column} = ${sqlString(pattern)}`;
}

/** One SQL boolean per rule of a system; any of them matching is enough. */
export function ruleConditions(rules: MatchRules, p: string): string[] {
  const out: string[] = [];
  for (const h of rules.hosts ?? []) out.push(`(${p}kind IN ('http', 'rpc', 'peer', 'db', 'messaging') AND ${nameCondition(`${p}host`, h.toLowerCase())})`);
  for (const prefix of rules.urlPrefixes ?? []) {
    const bare = prefix.replace(/\/+$/, '');
    const url = `concat(${p}sys, '://', ${p}host, ${p}name)`;
    out.push(`(${p}kind = 'http' AND (${url} = ${sqlString(bare)} OR startsWith(${url}, ${sqlString(`${bare}/`)})))`);
  }
  if (rules.peerServices?.length) out.push(`${p}peer IN ${list(rules.peerServices)}`);
  for (const db of rules.databases ?? []) {
    const d = typeof db === 'string' ? parseDsn(db) : { ...db, system: dbSystem(db.system) };
    const parts = [`${p}kind = 'db'`, `${p}sys = ${sqlString(d.system)}`];
    if (d.namespace) parts.push(`${p}name = ${sqlString(d.namespace)}`);
    if (d.host) parts.push(`${p}host = ${sqlString(d.host.toLowerCase())}`);
    out.push(`(${parts.join(' AND ')})`);
  }
  for (const dest of rules.destinations ?? []) {
    const d = typeof dest === 'string' ? { name: dest } : dest;
    const parts = [`${p}kind = 'messaging'`, nameCondition(`${p}name`, d.name)];
    if (d.system) parts.push(`${p}sys = ${sqlString(d.system.toLowerCase())}`);
    out.push(`(${parts.join(' AND ')})`);
  }
  return out;
}

/** The catalog system an endpoint matches ('' when none): first matching system in catalog order. */
export function systemMatchExpr(catalog: Catalog, p: string): string {
  const branches: string[] = [];
  const ids = catalog.systems.map((s) => s.id);
  if (ids.length) branches.push(`${p}kind = 'system' AND has(${list(ids)}, ${p}name)`, `${p}name`);
  for (const s of catalog.systems) {
    const conds = ruleConditions(s.match, p);
    if (conds.length) branches.push(conds.join(' OR '), sqlString(s.id));
  }
  return branches.length ? `multiIf(${branches.join(', ')}, '')` : `''`;
}

/** The system whose own runtime a service is (`match.services`), or ''. */
export function selfSystemExpr(catalog: Catalog, serviceColumn: string): string {
  const branches = catalog.systems.flatMap((s) => (s.match.services?.length ? [`${serviceColumn} IN ${list(s.match.services)}`, sqlString(s.id)] : []));
  return branches.length ? `multiIf(${branches.join(', ')}, '')` : `''`;
}

/** A readable name for an endpoint no system matches. */
export function endpointLabelExpr(p: string): string {
  return `multiIf(${p}kind = 'system', ${p}name, ${p}kind = 'db', concat(${p}sys, '://', ${p}host, if(${p}name != '', concat('/', ${p}name), '')), ${p}kind = 'messaging', concat(${p}sys, if(${p}sys != '', ':', ''), ${p}name), ${p}kind IN ('http', 'rpc'), if(${p}host != '', ${p}host, ${p}peer), ${p}peer)`;
}

/**
 * The node an endpoint becomes: a catalog system id, `unknown:<label>`, or — for the empty side of
 * an edge — the integration's own system (`match.services`) or `integration:<name>`.
 */
export function resolveExpr(catalog: Catalog, p: string, integrationColumn = 'integration', serviceColumn = 'service'): string {
  const self = selfSystemExpr(catalog, serviceColumn);
  return `multiIf(${p}kind = '', if(${self} != '', ${self}, concat('integration:', ${integrationColumn})), ${systemMatchExpr(catalog, p)} != '', ${systemMatchExpr(catalog, p)}, concat('unknown:', ${endpointLabelExpr(p)}))`;
}
