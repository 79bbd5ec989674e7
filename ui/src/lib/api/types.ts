// Response shapes of /api/v1: the types of the API's own schemas (api/schemas), so they cannot drift;
// the finding lists are the API's too (api/schemas re-exports them from the finding contract).
import type { FindingKind, FindingStatus, Severity } from '../../../../api/schemas/index.ts';
import { findingKinds as contractKinds, findingStatuses as contractStatuses, severities as contractSeverities } from '../../../../api/schemas/lists.ts';

export type {
  AlertEventView,
  AlertView,
  DeliveryView,
  RemediationAttemptView,
  SilenceView,
  DomainRow,
  Drift,
  EdgeMark,
  Finding,
  FindingEvent,
  FindingKind,
  FindingStatus,
  FlowDependency,
  FlowRow,
  FlowSeries,
  FlowSummary,
  FlowStats,
  HopChainRow,
  HopsAnswer,
  Graph,
  GraphEdge,
  GraphNode,
  OwnerRow,
  PairingStatus,
  Probe,
  ProbeSample,
  Reconciliation,
  ReconciliationRun,
  ReportKey,
  ReportRun,
  SeriesPoint,
  Severity,
  SystemRow,
  Trace,
  TraceSpan,
} from '../../../../api/schemas/index.ts';

export interface Window {
  since: string;
  until: string;
}

/** Most severe first, as the UI lists them; the lists themselves come from the finding contract (core/contracts). */
export const severities: Severity[] = [...contractSeverities].reverse();
export const findingStatuses: readonly FindingStatus[] = contractStatuses;
export const findingKinds: readonly FindingKind[] = contractKinds;
