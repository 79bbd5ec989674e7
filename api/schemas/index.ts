/**
 * The response shapes of /api/v1, as TypeBox schemas (for the routes and OpenAPI) and as the
 * TypeScript types they give (for clients: the UI imports these types, so the two cannot drift).
 * Imports nothing but TypeBox and core/contracts (the finding lists, which import only TypeBox):
 * the UI bundles the lists from `lists.ts`.
 */
import type { Static } from '@sinclair/typebox';
import type { FindingKindSchema, FlowStatsSchema, SeveritySchema, FindingStatusSchema } from './common.ts';
import type { FindingEventSchema, FindingSchema } from './findings.ts';
import type { EdgeSchema, FlowSeriesSchema, GraphSchema, NodeSchema, PointSchema } from './graph.ts';
import type { DomainRowSchema, FlowDependencySchema, FlowRowSchema, FlowSummarySchema, OwnerRowSchema, SystemRowSchema } from './inventory.ts';
import type { AuditEntrySchema, TokenInfoSchema } from './access.ts';
import type { DriftSchema, ProbeSchema, ReconciliationSchema, RunSchema, SampleSchema } from './probes.ts';
import type { AlertEventSchema, AlertSchema, DeliverySchema, RemediationAttemptSchema, SilenceSchema } from './alerts.ts';
import type { TraceSchema, TraceSpanSchema } from './traces.ts';
import type { ReportKeySchema, ReportRunSchema } from './reports.ts';

export { findingKinds, findingStatuses, severities } from './lists.ts';
export {
  FindingKindSchema,
  FindingStatusSchema,
  FlowStatsSchema,
  NullStr,
  Nullable,
  Num,
  SeveritySchema,
  RangeFields,
  SinceQuery,
  Str,
  WindowFields,
  PairingStatusSchema,
} from './common.ts';
export type { PairingStatus } from './common.ts';
export { FindingEventSchema, FindingSchema } from './findings.ts';
export { EdgeSchema, FlowSeriesSchema, GraphSchema, NodeSchema, PointSchema } from './graph.ts';
export { DomainRowSchema, FlowDependencySchema, FlowRowSchema, FlowSummarySchema, OwnerRowSchema, SystemRowSchema } from './inventory.ts';
export { AuditEntrySchema, RoleSchema, TokenInfoSchema } from './access.ts';
export { DriftSchema, ProbeSchema, ReconciliationSchema, RunSchema, SampleSchema } from './probes.ts';
export {
  AlertEventSchema,
  AlertSchema,
  DeliverySchema,
  MatcherSchema,
  RemediationAttemptSchema,
  RemediationOutcomeSchema,
  RuleSchema,
  SilenceBodySchema,
  SilenceSchema,
} from './alerts.ts';
export { TraceSchema, TraceSpanSchema } from './traces.ts';
export { ReportKeySchema, ReportRunSchema } from './reports.ts';

export type FindingKind = Static<typeof FindingKindSchema>;
export type Severity = Static<typeof SeveritySchema>;
export type FindingStatus = Static<typeof FindingStatusSchema>;
export type FlowStats = NonNullable<Static<typeof FlowStatsSchema>>;
export type GraphNode = Static<typeof NodeSchema>;
export type GraphEdge = Static<typeof EdgeSchema>;
export type EdgeMark = GraphEdge['mark'];
export type Graph = Static<typeof GraphSchema>;
export type SeriesPoint = Static<typeof PointSchema>;
export type FlowSeries = Static<typeof FlowSeriesSchema>;
export type SystemRow = Static<typeof SystemRowSchema>;
export type FlowRow = Static<typeof FlowRowSchema>;
export type FlowDependency = Static<typeof FlowDependencySchema>;
export type FlowSummary = Static<typeof FlowSummarySchema>;
export type OwnerRow = Static<typeof OwnerRowSchema>;
export type DomainRow = Static<typeof DomainRowSchema>;
export type Finding = Static<typeof FindingSchema>;
export type FindingEvent = Static<typeof FindingEventSchema>;
export type ProbeSample = Static<typeof SampleSchema>;
export type Probe = Static<typeof ProbeSchema>;
export type Drift = Static<typeof DriftSchema>;
export type ReconciliationRun = Static<typeof RunSchema>;
export type Reconciliation = Static<typeof ReconciliationSchema>;
export type AlertView = Static<typeof AlertSchema>;
export type AlertEventView = Static<typeof AlertEventSchema>;
export type SilenceView = Static<typeof SilenceSchema>;
export type DeliveryView = Static<typeof DeliverySchema>;
export type RemediationAttemptView = Static<typeof RemediationAttemptSchema>;
export type Trace = Static<typeof TraceSchema>;
export type TraceSpan = Static<typeof TraceSpanSchema>;
export type ReportRun = Static<typeof ReportRunSchema>;
export type ReportKey = Static<typeof ReportKeySchema>;
export type TokenInfo = Static<typeof TokenInfoSchema>;
export type AuditEntry = Static<typeof AuditEntrySchema>;
export { HopChainSchema, HopSchema, HopsAnswerSchema } from './hops.ts';
export type { HopChainRow, HopsAnswer } from './hops.ts';
