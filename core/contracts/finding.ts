/**
 * Findings: what Weft tells an ICoE lead, an SRE or an auditor is wrong with the estate.
 * Kinds, severities and statuses are written once (finding-lists.ts); here they become TypeBox
 * schemas, and the types are derived from the schemas. The API's OpenAPI enums and query checks use
 * these schemas and lists; the UI imports the lists (through api/schemas/lists.ts).
 */
import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { findingKinds, findingStatuses, severities } from './finding-lists.ts';

/** A union of string literals: `{ anyOf: [{ const: … }, …] }` in JSON Schema, an enum in OpenAPI. */
function literals<const T extends string>(values: readonly T[], description: string): TUnion<TLiteral<T>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );
}

export const FindingKindSchema = literals(findingKinds, 'the kind of finding');
export type FindingKind = Static<typeof FindingKindSchema>;

export const SeveritySchema = literals(severities, 'info, low, medium, high or critical (least to most severe)');
export type Severity = Static<typeof SeveritySchema>;

export const FindingStatusSchema = literals(findingStatuses, 'open, acknowledged or resolved');
export type FindingStatus = Static<typeof FindingStatusSchema>;

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
  /**
   * Present on an open or acknowledged finding whose detector had no verdict on it at its latest evaluation in this
   * process (`HeldVerdict`: too few runs in the window, a probe or reconciliation failing): it is kept as it was last
   * seen (`lastSeen`), for `reason`. Not stored: after a restart it is back with the next evaluation.
   */
  noVerdict?: { reason: string };
}

/**
 * A detector's "no verdict now" on one key of its kind: too little data to say whether the condition holds or cleared
 * (fewer runs in the window than the flow's minimum, no run at all, no duration known). Not a candidate: `sync` keeps
 * an open finding with this key as it is (not resolved, its lastSeen not advanced, no event) and opens none.
 */
export interface HeldVerdict {
  kind: FindingKind;
  key: string;
  /** Why there is no verdict, in words for a reader (e.g. "2 runs in the window, fewer than the 5 its error rate is judged on"). */
  reason: string;
}

/** What a detector that can withhold its verdict returns: the conditions that hold, and the keys it has no verdict on. */
export interface Detections {
  candidates: FindingCandidate[];
  held: HeldVerdict[];
}

export interface SyncResult {
  opened: number;
  updated: number;
  resolved: number;
  /** Open findings kept as they were for want of a verdict (`HeldVerdict`). */
  held: number;
}

/**
 * Where detectors hand their findings. `sync` opens or refreshes each candidate and resolves the
 * open findings of `kinds` that are not among the candidates (the condition cleared), but for those
 * `held` names (no verdict now: kept open, untouched). A detector passes only the kinds it evaluates,
 * so detectors do not resolve each other's findings.
 */
export interface FindingSink {
  sync(kinds: readonly FindingKind[], candidates: FindingCandidate[], now: Date, held?: readonly HeldVerdict[]): Promise<SyncResult>;
}
