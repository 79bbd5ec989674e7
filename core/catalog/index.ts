export type { Catalog, Owner, System, Domain, Flow, SloClass, MatchRules, DriftSettings, Schedule, Lifecycle } from './types.ts';
export type { ProbeKind, ProbeSpec, ProbeSpecBase, ReconcileSpec, ReconcileSourceSpec, SqlProbeSpec, HttpProbeSpec, AmqpQueueProbeSpec, NatsConsumerProbeSpec, SectionProblem } from './probes.ts';
export { ProbeSpecSchema, ReconcileSpecSchema, validateProbeSections, probeKindNames } from './probes.ts';
export { CatalogFileSchema, catalogSections } from './schema.ts';
export type { CatalogFile, CatalogSection } from './schema.ts';
export { parseCatalog, loadCatalog, emptyCatalog } from './load.ts';
export { ERR_CATALOG, formatProblem } from './problems.ts';
export type { CatalogProblem } from './problems.ts';
