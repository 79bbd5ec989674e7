/**
 * The finding contract's lists, each written once. `finding.ts` builds the TypeBox schemas (and
 * from them the types, OpenAPI enums and query checks) out of these tuples. This file imports
 * nothing, so a client that bundles the lists (the UI, through api/schemas/lists.ts) takes only them.
 */

/** Every finding kind, in the order DESIGN.md lists them (the UI shows them in this order). */
export const findingKinds = [
  'undocumented-flow',
  'unknown-system',
  'owner-missing',
  'flow-never-observed',
  'deprecated-in-use',
  'sor-violation',
  'regulated-data-exposure',
  'stale-flow',
  'latency-slo-breach',
  'error-rate',
  'record-count-drift',
  'hop-record-loss',
  'key-drift',
  'schema-drift',
  'probe-failing',
  'catalog-rule-overlap',
  'unnamed-endpoint',
] as const;

/** Severities, least severe first: `severities.indexOf(s)` ranks them. */
export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;

/** A finding's state: open → acknowledged (by someone) → resolved (the condition cleared); reopen goes back to open. */
export const findingStatuses = ['open', 'acknowledged', 'resolved'] as const;
