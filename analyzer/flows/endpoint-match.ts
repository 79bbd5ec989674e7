/**
 * Catalog match rules applied to endpoints (kind, sys, host, name, peer — see
 * clickhouse/migrations/030_span_touches_endpoints.sql). The analyzer resolves the distinct endpoints
 * here and passes the mapping to its ClickHouse queries, so a catalog change re-attributes past data.
 * How each kind is identified and matched: docs/catalog.md, "How endpoints are identified".
 */
import type { Catalog, MatchRules } from '../../core/catalog/index.ts';
import { canonicalDbSystem } from '../../core/net/db-system-names.ts';
import { defaultPorts, hostMatches, splitHostPort, type HostPort } from '../../core/net/host-port.ts';
import { nameMatches } from '../../core/text/wildcard.ts';
import { LAMBDA_FUNCTIONS, LAMBDA_HOST } from '../../core/net/lambda-host.ts';

/** One endpoint as stored in weft_endpoints; `host` is "host" or "host:port" (see core/net/host-port.ts). */
export interface Endpoint {
  kind: string;
  sys: string;
  host: string;
  name: string;
  peer: string;
}

/**
 * Which kind of rule recognised an endpoint (`system`: an integration.source/target id; `services`: the system's own
 * service answered its calls, `answeredNode`).
 */
export type MatchedBy = 'system' | 'hosts' | 'urlPrefixes' | 'peerServices' | 'databases' | 'destinations' | 'services';

/** Endpoints with no usable name (an HTTP call without host, a message without destination) resolve here. */
export const UNNAMED = 'unnamed:';

const dbSystem = canonicalDbSystem;

/** A database rule in one shape: system, optional namespace, optional host and port. */
export interface DatabaseRule {
  system: string;
  namespace?: string;
  host?: HostPort;
}

/**
 * "postgresql://host:5432/db", "postgresql:///db?host=/var/run/postgresql" (libpq's socket form) →
 * { system, host, namespace }. Throws TypeError on text that is not a URL.
 */
export function parseDsn(dsn: string): DatabaseRule {
  const u = new URL(dsn);
  const socket = u.searchParams.get('host') ?? '';
  const hostname = u.hostname ? decodeURIComponent(u.hostname) : socket;
  return {
    system: dbSystem(u.protocol.replace(/:$/, '')),
    host: hostname ? { host: splitHostPort(hostname).host, port: u.port } : undefined,
    namespace: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
  };
}

/** A `databases` entry (DSN or object) in one shape. */
export function databaseRule(db: NonNullable<MatchRules['databases']>[number]): DatabaseRule {
  if (typeof db === 'string') return parseDsn(db);
  return { system: dbSystem(db.system), namespace: db.namespace, host: db.host ? splitHostPort(db.host) : undefined };
}

/** A `urlPrefixes` entry: scheme, host, port (always known: URL semantics) and path without trailing slash. */
export interface UrlPrefixRule {
  scheme: string;
  host: HostPort;
  path: string;
}

/** Parses a URL prefix with the WHATWG URL parser; undefined when it is not a URL. */
export function urlPrefixRule(prefix: string): UrlPrefixRule | undefined {
  let u: URL;
  try {
    u = new URL(prefix);
  } catch {
    return undefined;
  }
  const scheme = u.protocol.replace(/:$/, '');
  return {
    scheme,
    host: { host: splitHostPort(u.hostname).host, port: u.port || defaultPorts.get(scheme) || '' },
    path: u.pathname.replace(/(?<!\/)\/+$/, ''),
  };
}

/**
 * A URL path as paths are compared: its percent-encoded unreserved characters (letters, digits, `-._~`) decoded and
 * the other escapes' hex digits in upper case, as RFC 3986 (6.2.2) compares paths (`/%61pi/%7eorders` is
 * `/api/~orders`), and each run of slashes taken as one, as HTTP servers and gateways route them (nginx's
 * `merge_slashes`, on by default): a client joining a base URL that ends in `/` with a path that starts with one
 * calls `//api/invoices`, which the server serves as `/api/invoices`. Escapes of reserved characters stay (`%2F` is
 * not a segment separator, and is never merged).
 */
export function comparablePath(path: string): string {
  const merged = path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
  if (!merged.includes('%')) return merged;
  return merged.replace(/%([0-9A-Fa-f]{2})/g, (_escape, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /^[A-Za-z0-9._~-]$/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

/**
 * Database systems whose database names are case-insensitive, as their servers resolve them: SQL Server (under its
 * default, case-insensitive collation), Oracle (service names and SIDs), Db2 (aliases, folded to upper case), Snowflake
 * and Redshift (unquoted identifiers, folded). A client reports the name as its connection string spells it
 * (`Initial Catalog=billing`, `…:1521/erpprod`), which need not be the catalog's spelling of the same database.
 * PostgreSQL's, MySQL's (on Linux) and MongoDB's names are case-sensitive.
 */
const CASE_INSENSITIVE_DATABASES = new Set(['mssql', 'oracle', 'db2', 'snowflake', 'redshift']);

/**
 * A database namespace rule against what the driver reported: equal, or the reported namespace is the
 * rule's database qualified by a schema (`orders.public`, `orders|public`: the stable database
 * conventions' database.schema), or SQL Server's `instance|database` ending in it, or — with `sqlServer` —
 * `instance.database`, as OpenTelemetry.Instrumentation.SqlClient (.NET, stable conventions) qualifies a database of a
 * named instance (`Data Source=sqlprod01\SALES` → `SALES.Billing`). `*` wildcards allowed. With `ignoreCase` (a system
 * of CASE_INSENSITIVE_DATABASES), compared in lower case.
 */
export function namespaceMatches(reported: string, rule: string, ignoreCase = false, sqlServer = false): boolean {
  if (ignoreCase) return namespaceMatches(reported.toLowerCase(), rule.toLowerCase(), false, sqlServer);
  if (nameMatches(reported, rule)) return true;
  const [first] = reported.split(/[.|]/);
  if (first !== reported && nameMatches(first, rule)) return true;
  const bar = reported.lastIndexOf('|');
  if (bar > 0 && nameMatches(reported.slice(bar + 1), rule)) return true;
  const dot = reported.indexOf('.');
  return sqlServer && dot > 0 && nameMatches(reported.slice(dot + 1), rule);
}

const socketsAreLoopback = (kind: string) => kind === 'db' || kind === 'messaging';

/** Which of a system's rules recognises the endpoint (first in this order), or undefined. */
export function matchedBy(rules: MatchRules, e: Endpoint): MatchedBy | undefined {
  if (e.kind === 'system' || e.kind === 'unnamed' || e.kind === '') return undefined;
  const hp = splitHostPort(e.host);
  if (e.host && (rules.hosts ?? []).some((h) => hostMatches(splitHostPort(h), hp, e.sys, socketsAreLoopback(e.kind)))) return 'hosts';
  if (e.kind === 'http') {
    for (const p of rules.urlPrefixes ?? []) {
      const r = urlPrefixRule(p);
      if (!r || r.scheme !== e.sys || !hostMatches(r.host, hp, e.sys, false)) continue;
      // Paths compared as RFC 3986 does (a client that escapes an unreserved character, `/%7Ebilling`, names the same
      // path) and as servers route them (`//api` is `/api`): comparablePath.
      const [name, path] = [comparablePath(e.name), comparablePath(r.path)];
      if (!path || name === path || name.startsWith(`${path}/`)) return 'urlPrefixes';
    }
  }
  if (e.peer && (rules.peerServices ?? []).includes(e.peer)) return 'peerServices';
  if (e.kind === 'db') {
    for (const db of rules.databases ?? []) {
      let d: DatabaseRule;
      try {
        d = databaseRule(db);
      } catch {
        continue;
      }
      // An endpoint stored under another name of its system (before migration 113) is that system's.
      const sys = dbSystem(e.sys);
      if (sys !== d.system) continue;
      if (d.namespace && !namespaceMatches(e.name, d.namespace, CASE_INSENSITIVE_DATABASES.has(sys), sys === 'mssql')) continue;
      if (d.host && !hostMatches(d.host, hp, sys, true)) continue;
      return 'databases';
    }
  }
  if (e.kind === 'messaging') {
    for (const dest of rules.destinations ?? []) {
      const d = typeof dest === 'string' ? { name: dest, system: undefined } : dest;
      if (nameMatches(e.name, d.name) && (!d.system || e.sys === d.system.toLowerCase())) return 'destinations';
    }
  }
  return undefined;
}

/** Whether any of a system's rules matches the endpoint. */
export const rulesMatch = (rules: MatchRules, e: Endpoint): boolean => matchedBy(rules, e) !== undefined;

/**
 * A readable name for an endpoint no system matches (never empty for a stored endpoint): an HTTP or RPC endpoint's host,
 * but an AWS Lambda function's host and path (`lambda.eu-west-1.amazonaws.com/2015-03-31/functions/orders-fn`: each
 * function of a region is a system of its own, migration 129).
 */
export function endpointLabel(e: Endpoint): string {
  if (e.kind === 'http' && e.name.startsWith(LAMBDA_FUNCTIONS) && LAMBDA_HOST.test(splitHostPort(e.host).host)) return `${e.host}${e.name}`;
  switch (e.kind) {
    case 'system':
      return e.name;
    case 'db':
      return `${e.sys}://${e.host}${e.name ? `/${e.name}` : ''}`;
    case 'messaging':
      return `${e.sys}${e.sys ? ':' : ''}${e.name}`;
    case 'http':
    case 'rpc':
      return e.host || e.peer;
    case 'unnamed':
      return e.sys;
    default:
      return e.peer;
  }
}

/** The catalog system an endpoint resolves to and the rule that did it (first matching system in catalog order). */
export function resolveWithRule(catalog: Catalog, e: Endpoint): { system: string; by?: MatchedBy } {
  if (e.kind === 'unnamed') return { system: `${UNNAMED}${e.sys}` };
  if (e.kind === 'system' && catalog.systems.some((s) => s.id === e.name)) return { system: e.name, by: 'system' };
  for (const s of catalog.systems) {
    const by = matchedBy(s.match, e);
    if (by) return { system: s.id, by };
  }
  return { system: `unknown:${endpointLabel(e)}` };
}

/** The catalog system id for an endpoint, `unknown:<label>`, or `unnamed:<kind>` for an endpoint without a name. */
export const resolveEndpoint = (catalog: Catalog, e: Endpoint): string => resolveWithRule(catalog, e).system;

/** service.name → the system it is the runtime of (`match.services`). */
export function selfSystems(catalog: Catalog): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of catalog.systems) for (const svc of s.match.services ?? []) if (!out.has(svc)) out.set(svc, s.id);
  return out;
}

/** A service that answered an endpoint's calls, and its integration (its SERVER span's `integration.flow`, else the service). */
export interface Answer {
  service: string;
  integration: string;
}

/**
 * What an endpoint the catalog's rules leave unknown is when instrumented services answered its calls (a SERVER span of
 * another service under the call, in its trace: answered-calls.ts, migration 137). Each answering service the catalog
 * names is a node: a service a system's `match.services` lists is that system (an integration calling the ERP's own API
 * at an address no rule names reached the ERP); an integration that is a documented flow's `runtime.flow`, or a service
 * that is one's `runtime.service`, is `integration:<that name>`, the integration itself (a CRM posting a webhook to the
 * integration's own endpoint hands its data to the integration: a half of the flow, `isHalfOf`, never an unknown
 * system); a system's service first, when a service is both. The endpoint is that node when every answer the catalog
 * names is the same node. Undefined when none is named (a service no catalog knows answering stays an unknown system,
 * named by its address), and when they name different nodes: one address answered by several (a gateway routing paths
 * to the CRM's API and the ERP's) cannot say which of them a call reached; its calls stay an unknown system until a
 * rule (`urlPrefixes`) names each path.
 */
export function answeredNode(catalog: Catalog, answers: readonly Answer[]): { system: string; by?: MatchedBy } | undefined {
  const systems = selfSystems(catalog);
  const nodeOf = ({ service, integration }: Answer): { system: string; by?: MatchedBy } | undefined => {
    const system = systems.get(service);
    if (system !== undefined) return { system, by: 'services' };
    if (integration !== '' && catalog.flows.some((f) => f.runtime?.flow === integration)) return { system: `integration:${integration}` };
    if (catalog.flows.some((f) => f.runtime?.service === service)) return { system: `integration:${service}` };
    return undefined;
  };
  const named = new Map<string, { system: string; by?: MatchedBy }>();
  for (const a of answers) {
    const node = nodeOf(a);
    if (node !== undefined) named.set(node.system, node);
  }
  return named.size === 1 ? [...named.values()][0] : undefined;
}

/**
 * An endpoint's system by its rules (`resolveWithRule`), and, when they leave it unknown, by the services that answered
 * its calls (`answeredNode`; `answers` undefined when none was recorded).
 */
export function resolveAnswered(catalog: Catalog, e: Endpoint, answers: readonly Answer[] | undefined): { system: string; by?: MatchedBy } {
  const r = resolveWithRule(catalog, e);
  if (answers === undefined || !r.system.startsWith('unknown:')) return r;
  return answeredNode(catalog, answers) ?? r;
}
