/**
 * Catalog match rules applied to endpoints (kind, sys, host, name, peer — see
 * clickhouse/migrations/021_span_touches.sql). The analyzer resolves the distinct endpoints here
 * and passes the mapping to its ClickHouse queries, so a catalog change re-attributes past data.
 */
import type { Catalog, MatchRules } from '../../core/catalog/index.ts';

export interface Endpoint {
  kind: string;
  sys: string;
  host: string;
  name: string;
  peer: string;
}

const dbAliases: Record<string, string> = { postgres: 'postgresql', mariadb: 'mysql' };
const dbSystem = (s: string) => dbAliases[s.toLowerCase()] ?? s.toLowerCase();

/** "postgresql://host:5432/db" → { system, host, namespace } */
export function parseDsn(dsn: string): { system: string; host?: string; namespace?: string } {
  const u = new URL(dsn);
  return { system: dbSystem(u.protocol.replace(/:$/, '')), host: u.hostname || undefined, namespace: u.pathname.replace(/^\//, '') || undefined };
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
const nameMatches = (value: string, pattern: string) => (pattern.includes('*') ? wildcard(pattern).test(value) : value === pattern);

/** Whether any of a system's rules matches the endpoint. */
export function rulesMatch(rules: MatchRules, e: Endpoint): boolean {
  if (e.kind !== 'system' && (rules.hosts ?? []).some((h) => nameMatches(e.host, h.toLowerCase()))) return true;
  if (e.kind === 'http') {
    const url = `${e.sys}://${e.host}${e.name}`;
    if ((rules.urlPrefixes ?? []).some((p) => { const bare = p.replace(/\/+$/, ''); return url === bare || url.startsWith(`${bare}/`); })) return true;
  }
  if (e.peer && (rules.peerServices ?? []).includes(e.peer)) return true;
  if (e.kind === 'db') {
    for (const db of rules.databases ?? []) {
      const d = typeof db === 'string' ? parseDsn(db) : { ...db, system: dbSystem(db.system) };
      if (e.sys === d.system && (!d.namespace || e.name === d.namespace) && (!d.host || e.host === d.host.toLowerCase())) return true;
    }
  }
  if (e.kind === 'messaging') {
    for (const dest of rules.destinations ?? []) {
      const d = typeof dest === 'string' ? { name: dest, system: undefined } : dest;
      if (nameMatches(e.name, d.name) && (!d.system || e.sys === d.system.toLowerCase())) return true;
    }
  }
  return false;
}

/** A readable name for an endpoint no system matches. */
export function endpointLabel(e: Endpoint): string {
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
    default:
      return e.peer;
  }
}

/** The catalog system id for an endpoint (first matching system in catalog order), or `unknown:<label>`. */
export function resolveEndpoint(catalog: Catalog, e: Endpoint): string {
  if (e.kind === 'system' && catalog.systems.some((s) => s.id === e.name)) return e.name;
  const hit = catalog.systems.find((s) => rulesMatch(s.match, e));
  return hit ? hit.id : `unknown:${endpointLabel(e)}`;
}

/** service.name → the system it is the runtime of (`match.services`). */
export function selfSystems(catalog: Catalog): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of catalog.systems) for (const svc of s.match.services ?? []) if (!out.has(svc)) out.set(svc, s.id);
  return out;
}
