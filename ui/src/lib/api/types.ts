// Response shapes of /api/v1: the types of the API's own schemas (api/schemas), so they cannot drift.
import type { FindingStatus, Severity } from '../../../../api/schemas/index.ts';

export type {
  DomainRow,
  Drift,
  EdgeMark,
  Finding,
  FindingEvent,
  FindingStatus,
  FlowRow,
  FlowSeries,
  FlowStats,
  Graph,
  GraphEdge,
  GraphNode,
  OwnerRow,
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

export const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const findingStatuses: FindingStatus[] = ['open', 'acknowledged', 'resolved'];
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
  'key-drift',
  'schema-drift',
  'probe-failing',
  'catalog-rule-overlap',
  'unnamed-endpoint',
] as const;

