export type { Catalog, Owner, System, Domain, Flow, SloClass, MatchRules, DriftSettings, Schedule, Lifecycle } from './types.ts';
export type { ProbeKind, ProbeSpec, ProbeSpecBase, ReconcileSpec, ReconcileSourceSpec, SqlProbeSpec, HttpProbeSpec, AmqpQueueProbeSpec, NatsConsumerProbeSpec, SectionProblem } from './probes.ts';
export { ProbeSpecSchema, ReconcileSpecSchema, validateProbeSections, probeKindNames } from './probes.ts';
