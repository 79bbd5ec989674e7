export type { Catalog, Controller, Owner, System, Domain, Flow, SloClass, MatchRules, DriftSettings, Schedule, Lifecycle } from './types.ts';
export type {
  ProbeKind,
  ProbeSpec,
  ProbeSpecBase,
  ReconcileSpec,
  ReconcileSourceSpec,
  SqlProbeSpec,
  HttpProbeSpec,
  AmqpQueueProbeSpec,
  NatsConsumerProbeSpec,
  SectionProblem,
} from './probes.ts';
export { MIN_SCHEDULE_EVERY_MS, ProbeSpecSchema, ReconcileSpecSchema, TIME_ZONE_PATTERN, validateProbeSections, probeKindNames } from './probes.ts';
export { CatalogFileSchema, catalogSections } from './schema.ts';
export { ReportScheduleSchema, validateReportSchedules } from './reports.ts';
export type { ReportSchedule } from './reports.ts';
export type { CatalogFile, CatalogSection } from './schema.ts';
export {
  parseCatalog,
  loadCatalog,
  loadCatalogWithWarnings,
  emptyCatalog,
  declaresNothing,
  checkReplacement,
  MAX_CATALOG_FILE_BYTES,
  MAX_CATALOG_ALIASES,
} from './load.ts';
export type { CatalogOptions } from './load.ts';
export { defaultEnvPolicy, envRefRefusal, envPatterns, RESERVED_ENV_PATTERNS, ENV_PATTERN } from './env-refs.ts';
export type { EnvPolicy } from './env-refs.ts';
export { catalogFileNames } from './file-names.ts';
export { redactCatalog, redactUrl, SECRET_HEADER, SECRET_PARAM } from './secret-fields.ts';
export { ruleWarnings } from './rule-warnings.ts';
export { regionKind, regionProblems } from './regions.ts';
export type { RegionKind } from './regions.ts';
export { ERR_CATALOG, formatProblem } from './problems.ts';
export type { CatalogProblem } from './problems.ts';
export { importBackstage } from './backstage.ts';
export type { BackstageImport } from './backstage.ts';
export {
  AlertRuleSchema,
  ReceiverSchema,
  RouteSchema,
  RemediationSchema,
  validateAlertingSections,
  alertMeasures,
  findingMeasures,
  flowMeasures,
  windowedMeasures,
  sampledMeasures,
  receiverTypes,
  derivedRuleIds,
} from './alerting.ts';
export type { AlertRuleSpec, ReceiverSpec, RouteSpec, RemediationSpec, AlertSelector, AlertMeasure, FindingMeasure, ReceiverType } from './alerting.ts';
export { toComplete } from './completeness.ts';
export { labelRegex, labelRegexProblem, MAX_LABEL_REGEX_LENGTH } from './label-regex.ts';
export type { LabelRegex } from './label-regex.ts';
export { allowedSilence, errorRateMinTraces, ERROR_RATE_MIN_TRACES, flowThresholds, latencyMinTraces, LATENCY_MIN_TRACES } from './thresholds.ts';
export type { Threshold } from './thresholds.ts';
export type { ToComplete } from './completeness.ts';
