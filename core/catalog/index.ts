export type { Catalog, Owner, System, Domain, Flow, SloClass, MatchRules, DriftSettings, Schedule, Lifecycle } from './types.ts';
export type { ProbeKind, ProbeSpec, ProbeSpecBase, ReconcileSpec } from './probes.ts';
