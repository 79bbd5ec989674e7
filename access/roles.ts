import { roles, type Role } from '../core/config/index.ts';

export { roles };
export type { Role };

/**
 * What a route (or listener) needs, declared on the route as `config: { access: level }`. A route
 * without a level is refused to everyone (deny by default); `public` is for the UI's static files.
 */
export type AccessLevel = 'public' | 'ingest' | 'read' | 'findings' | 'silence' | 'remediate' | 'run' | 'catalog' | 'reports' | 'audit-log' | 'tokens';

/**
 * The roles matrix (docs/security.md): which roles may use each access level.
 * - viewer reads; sre also acknowledges/reopens findings, silences, remediates and runs probes;
 * - icoe reads, manages findings (acknowledge/reopen), runs probes and the analyzer, reloads the catalog;
 * - auditor reads, exports reports and reads the audit log; admin does everything; ingest only sends telemetry (OTLP, OpenLineage).
 */
export const accessMatrix: ReadonlyMap<AccessLevel, readonly Role[]> = new Map<AccessLevel, readonly Role[]>([
  ['public', roles],
  ['ingest', ['ingest', 'admin']],
  ['read', ['viewer', 'sre', 'icoe', 'auditor', 'admin']],
  ['findings', ['sre', 'icoe', 'admin']],
  ['silence', ['sre', 'admin']],
  ['remediate', ['sre', 'admin']],
  ['run', ['sre', 'icoe', 'admin']],
  ['catalog', ['icoe', 'admin']],
  ['reports', ['auditor', 'admin']],
  ['audit-log', ['auditor', 'admin']],
  ['tokens', ['admin']],
]);

export const accessLevels: readonly AccessLevel[] = [...accessMatrix.keys()];

/** True when `role` may use `level`; false for an unknown level (deny by default). */
export function mayAccess(role: Role, level: AccessLevel | undefined): boolean {
  if (level === undefined) return false;
  return accessMatrix.get(level)?.includes(role) ?? false;
}

/** The roles allowed at a level, as text for a 403 message ("sre, icoe or admin"). */
export function rolesText(level: AccessLevel): string {
  const r = accessMatrix.get(level) ?? [];
  return r.length <= 1 ? r.join('') : `${r.slice(0, -1).join(', ')} or ${r[r.length - 1]}`;
}

/** True for a known role name (text a client or a flag sent). */
export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
