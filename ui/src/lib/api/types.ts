// Response shapes of /api/v1 (see api/routes/*.ts and /api/v1/openapi.json).

export interface Window {
  since: string;
  until: string;
}

export type EdgeMark = 'documented' | 'undocumented' | 'deprecated';

export interface GraphNode {
  id: string;
  label: string;
  type: string;
  kind: string;
  owner: string | null;
  lifecycle: string;
  documented: boolean;
  connections: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  integrations: string[];
  domain: string;
  flowId: string | null;
  mark: EdgeMark;
  observed: boolean;
  traces: number;
  records: number;
  errorRate: number;
  p95Ms: number;
  lastSeen: string | null;
}

export interface Graph extends Window {
  nodes: GraphNode[];
  edges: GraphEdge[];
  integrations: { id: string; service: string; edges: number }[];
  sprawl: {
    systems: number;
    edges: number;
    connectionsPerSystem: Record<string, number>;
    hubs: { id: string; connections: number }[];
    flowsPerDomain: Record<string, number>;
    undocumentedEdges: number;
    averageConnections: number;
  };
}

export interface FlowStats {
  traces: number;
  failedTraces: number;
  errorRate: number;
  records: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  firstSeen: string;
  lastSeen: string;
  sampleTrace: string;
  sampleErrorTrace: string;
}

export interface SystemRow {
  id: string;
  name: string;
  kind: string;
  owner: string | null;
  lifecycle: string;
  documented: boolean;
  integrations: string[];
  spans: number;
  errors: number;
  records: number;
  lastSeen: string | null;
}

export interface FlowRow {
  id: string;
  name: string;
  source: string;
  target: string;
  domain: string | null;
  owner: string | null;
  lifecycle: string;
  documented: boolean;
  integrations: string[];
  stats: FlowStats | null;
}

export interface OwnerRow {
  id: string;
  name: string;
  email: string | null;
  systems: string[];
  flows: string[];
  domains: string[];
}

export interface DomainRow {
  id: string;
  name: string;
  systemOfRecord: string;
  replicas: string[];
  regulated: string[];
  owner: string | null;
  flows: string[];
  traces: number;
  records: number;
  lastSeen: string | null;
}

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export type FindingStatus = 'open' | 'acknowledged' | 'resolved';
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
] as const;

export interface Finding {
  id: string;
  kind: string;
  key: string;
  severity: Severity;
  title: string;
  subject: { systems: string[]; flows: string[]; domains: string[] };
  evidence: Record<string, unknown>;
  hint: string;
  status: FindingStatus;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  note: string;
}

export interface FindingEvent {
  at: string;
  actor: string;
  action: string;
  status: string;
  note: string;
}

export interface SeriesPoint {
  t: string;
  traces: number;
  failedTraces: number;
  records: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface FlowSeries extends Window {
  flow: string;
  source: string;
  target: string;
  step: string;
  points: SeriesPoint[];
}

export interface ProbeSample {
  at: string;
  ok: boolean;
  value: number | null;
  metrics: Record<string, number>;
  latencyMs: number;
  errorCode: string;
  error: string;
}

export interface Probe {
  id: string;
  kind: string;
  system: string;
  domain: string;
  schedule: string;
  timeout: string;
  healthy: boolean | null;
  consecutiveFailures: number;
  latest: ProbeSample | null;
}

export interface Drift {
  domain: string;
  systemOfRecord: string;
  replica: string;
  at: string;
  sorCount: number;
  replicaCount: number;
  difference: number;
  differencePercent: number;
  tolerance: number;
  diverging: boolean;
  divergingSince: string | null;
  drift: boolean;
  settleMs: number;
  trend: 'growing' | 'shrinking' | 'steady';
  ratePerHour: number;
}

export interface ReconciliationRun {
  runId: string;
  startedAt: string;
  finishedAt: string;
  status: 'ok' | 'error';
  error: string;
  leftRows: number;
  rightRows: number;
  missing: number;
  extra: number;
  changed: number;
  sampleMissing: string[];
  sampleExtra: string[];
  sampleChanged: string[];
}

export interface Reconciliation {
  id: string;
  domain: string;
  left: { system: string; table: string };
  right: { system: string; table: string };
  schedule: string;
  latest: ReconciliationRun | null;
}
