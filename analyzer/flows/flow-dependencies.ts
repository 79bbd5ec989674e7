/**
 * What a documented flow's lookups and state stores (docs/catalog.md, "Lookups and state stores") were seen doing in a
 * window: its runtime's touches of each. Pure, over a window's touches (`queryTouchesByWindow`); the inventory, the flow
 * summary and the graph read them through here, so the three say the same.
 */
import type { Flow } from '../../core/catalog/index.ts';
import { runtimeMatches } from '../model/snapshot.ts';
import type { ObservedTouch } from './observed.ts';

/** `lookup`: reference data the runtime reads for the flow's target; `state`: the runtime's own state (watermark, lock). */
export type DependencyRole = 'lookup' | 'state';

/** One declared lookup or state store of a flow, with what its runtime did with it in the window. */
export interface FlowDependency {
  role: DependencyRole;
  /** The catalog system id. */
  system: string;
  /** Spans of the flow's runtime that touched it in the window (reads only, for a lookup); 0: declared, not touched there. */
  spans: number;
  /** Those of them that failed. */
  errors: number;
  /** The latest of them (ISO 8601, the caller's clock as the touches give it); null when none in the window. */
  lastSeen: string | null;
}

/** The touch fields the dependencies are made of. */
export type DependencyTouch = Pick<ObservedTouch, 'system' | 'integration' | 'service' | 'direction' | 'spans' | 'errors' | 'lastSeen'>;

/** A flow's declared lookups then state stores, in catalog order. */
export function declaredDependencies(f: Flow): Array<{ role: DependencyRole; system: string }> {
  return [
    ...(f.lookups ?? []).map((system) => ({ role: 'lookup' as const, system })),
    ...(f.stateStores ?? []).map((system) => ({ role: 'state' as const, system })),
  ];
}

/**
 * The touches that are `f`'s use of `system` in `role`: its runtime's (`runtimeMatches`; a flow without a runtime has
 * none: nothing says whose they are), reads only for a lookup (a write to it is a flow into it), any for a state store.
 */
export function dependencyTouches<T extends DependencyTouch>(f: Flow, role: DependencyRole, system: string, touches: readonly T[]): T[] {
  if (!f.runtime?.service && !f.runtime?.flow) return [];
  return touches.filter((t) => t.system === system && (role === 'state' || t.direction === 'read') && runtimeMatches(f, t));
}

/** What touches (`dependencyTouches`) add up to: their spans, failed spans and latest `lastSeen` (null for none). */
export function dependencyUse(used: readonly DependencyTouch[]): Pick<FlowDependency, 'spans' | 'errors' | 'lastSeen'> {
  return {
    spans: used.reduce((n, t) => n + t.spans, 0),
    errors: used.reduce((n, t) => n + t.errors, 0),
    lastSeen:
      used
        .map((t) => t.lastSeen)
        .sort()
        .at(-1) ?? null,
  };
}

/** Every declared lookup and state store of `f` with its runtime's touches of it in the window (`touches`), untouched ones included. */
export function flowDependencies(f: Flow, touches: readonly DependencyTouch[]): FlowDependency[] {
  return declaredDependencies(f).map(({ role, system }) => ({ role, system, ...dependencyUse(dependencyTouches(f, role, system, touches)) }));
}

/**
 * SQL over the endpoint rollup's columns `integration` and `service`: the rows of `f`'s runtime (`runtime.flow` the
 * integration, or `runtime.service` the service), with its parameters (`dep_flow`, `dep_service`). Null for a flow
 * without a runtime.
 */
export function runtimeTouchFilter(f: Flow): { sql: string; params: Record<string, string> } | null {
  const parts: string[] = [];
  const params: Record<string, string> = {};
  if (f.runtime?.flow !== undefined) {
    parts.push('integration = {dep_flow:String}');
    params.dep_flow = f.runtime.flow;
  }
  if (f.runtime?.service !== undefined) {
    parts.push('service = {dep_service:String}');
    params.dep_service = f.runtime.service;
  }
  return parts.length ? { sql: `(${parts.join(' OR ')})`, params } : null;
}
