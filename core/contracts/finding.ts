/** Findings: what Weft tells an ICoE lead, an SRE or an auditor is wrong with the estate. */
export type FindingKind =
  | 'undocumented-flow'
  | 'unknown-system'
  | 'owner-missing'
  | 'flow-never-observed'
  | 'deprecated-in-use'
  | 'sor-violation'
  | 'regulated-data-exposure'
  | 'stale-flow'
  | 'latency-slo-breach'
  | 'error-rate'
  | 'record-count-drift'
  | 'key-drift'
  | 'schema-drift'
  | 'probe-failing'
  | 'catalog-rule-overlap'
  | 'unnamed-endpoint';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const severities: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export type FindingStatus = 'open' | 'acknowledged' | 'resolved';

/** The catalog ids a finding is about (endpoint names for unknown systems). */
export interface FindingSubject {
  systems: string[];
  flows: string[];
  domains: string[];
}

/** What a detector produces on each evaluation: the condition as it is now. */
export interface FindingCandidate {
  kind: FindingKind;
  /** Stable within the kind: the same condition on the next evaluation has the same key. */
  key: string;
  severity: Severity;
  title: string;
  subject: FindingSubject;
  /** Numbers, sample trace ids, sample keys: what a reader needs to believe the finding. */
  evidence: Record<string, unknown>;
  /** What to do about it. */
  hint: string;
}

/** A persisted finding. `id` is derived from kind + key, so it is stable across runs. */
export interface Finding extends FindingCandidate {
  id: string;
  status: FindingStatus;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  note: string;
}

export interface SyncResult {
  opened: number;
  updated: number;
  resolved: number;
}

/**
 * Where detectors hand their findings. `sync` opens or refreshes each candidate and resolves the
 * open findings of `kinds` that are not among the candidates (the condition cleared). A detector
 * passes only the kinds it evaluates, so detectors do not resolve each other's findings.
 */
export interface FindingSink {
  sync(kinds: readonly FindingKind[], candidates: FindingCandidate[], now: Date): Promise<SyncResult>;
}
