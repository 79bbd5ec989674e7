/**
 * The shapes alerting works with: a rule (derived from the catalog or custom), the condition one rule
 * sees for one subject at one evaluation, and the alert that condition drives through its lifecycle.
 */
import type { AlertMeasure, AlertSelector } from '../../core/catalog/index.ts';
import type { Severity } from '../../core/contracts/index.ts';

export type Labels = Record<string, string>;

/** The rule id and `alertname` of escalations: every attempt of a remediation failed (remediation/escalation.ts). */
export const ESCALATION_RULE_ID = 'remediation-failed';

/** A rule ready to evaluate: durations in ms, thresholds in the measure's unit. */
export interface AlertRule {
  id: string;
  /** `derived` rules come from classes, flows, schedules and probes; `custom` ones from `alerts:`. */
  origin: 'derived' | 'custom';
  measure: AlertMeasure;
  op: '>' | '<';
  /** Per flow when the rule has a flow-level threshold (a flow's slo override, its class). */
  threshold: number | ((subject: string) => number | undefined);
  windowMs: number;
  /**
   * A custom rule's own minimum of runs in the window before an error rate or a latency percentile is judged (fewer: no
   * verdict); undefined: the flow's (`errorRateMinTraces`, `latencyMinTraces` in core/catalog/thresholds.ts).
   */
  minTraces?: number;
  forMs: number;
  keepFiringForMs: number;
  severity: Severity;
  /** Flow ids the rule watches (already resolved from its selector); empty for estate-wide measures. */
  flows: string[];
  labels: Labels;
  annotations: { summary?: string; description?: string; runbook_url?: string };
  remediation?: string;
  /** A custom rule's selector (finding measures filter their subjects with it). */
  selector?: AlertSelector;
}

/** What one rule sees for one subject (a flow, or the estate) at one evaluation. */
export interface Condition {
  rule: AlertRule;
  /** Every label of the alert: rule labels, subject labels, alertname, severity. */
  labels: Labels;
  /** The measured value (NaN: no data — the condition is then inactive and says so). */
  value: number;
  threshold: number;
  active: boolean;
  summary: string;
  /** The flow or system the alert is about, for inhibition and links. */
  flow?: string;
  systems: string[];
  /** The id of the finding the alert is about: the one a finding measure alerts on, or the open one of its kind on a flow measure's flow. */
  finding?: string;
  /**
   * That finding's severity as the finding store holds it (the alert's own severity is its rule's: how it is routed and
   * paged). Shown beside the alert's (annotation `finding_severity`), so the two are never silently different.
   */
  findingSeverity?: Severity;
  /** Sample trace ids of what the alert is about (the finding's, or a run of the flow in the window). */
  traceIds?: string[];
  /**
   * Fingerprints of other alerts: the condition holds only while one of them fires after the same evaluation
   * (an escalation, while the alert whose remediation failed fires). Such conditions are stepped after the others.
   */
  whileFiring?: string[];
  /**
   * Weft could not observe what the measure needs (a count over a window that holds an intake gap, or began before Weft
   * received its first span): no verdict, which is neither true nor false. The alert keeps its state (a firing one is not
   * told resolved because Weft was blind for a moment, nor a recovering one held back from resolving by time alone); none starts.
   */
  noVerdict?: boolean;
}

export type AlertState = 'pending' | 'firing' | 'resolved' | 'inactive';

/** One alert: one rule × one label set (its fingerprint), with its current lifecycle state. */
export interface Alert {
  fingerprint: string;
  rule: string;
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  severity: Severity;
  value: number;
  threshold: number;
  /** When the condition became true for the episode (pending since). */
  activeSince: string | null;
  /** When it started firing (Alertmanager startsAt). */
  firedAt: string | null;
  /** Last evaluation that found the condition true. */
  lastTrueAt: string | null;
  /** Last evaluation that found it false while pending or firing (start of recovery). */
  falseSince: string | null;
  resolvedAt: string | null;
  lastEvalAt: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  ackNote: string;
  /** Not notified because a firing alert of a broken system (or the telemetry gap) explains it. */
  inhibitedBy: string | null;
  /** Silence ids that match it now. */
  silencedBy: string[];
  flow: string | null;
  systems: string[];
  /**
   * The id of the finding the alert is about: the finding an alert on a finding measure comes from, or
   * the open finding of the matching kind on the alert's flow (conditions.ts: findingKind); else null.
   */
  finding: string | null;
  /**
   * Sample trace ids of what the alert is about: the finding's sample traces, or a run of the flow in
   * the rule's window (a failed one first for error-rate). Kept from the last evaluation that had some;
   * empty when none is known (a stale flow has no run in its window).
   */
  traceIds: string[];
  /**
   * The fingerprints this alert had earlier in its episode, newest first (at most 8): a catalog change of a label that
   * does not say which alert it is (a flow's owner, class, domain or own labels, a rule's severity or labels) gives it
   * other labels and so another fingerprint, and it goes on as the same alert (`identityOf`). A receiver told of it under
   * one of these is not told again, nor told it resolved. Absent on alerts whose labels never changed.
   */
  formerFingerprints?: string[];
}

/**
 * The fingerprint an alert had when its episode began (its first, before any relabelling: `formerFingerprints`' oldest),
 * what the episode's remediation runs are keyed on (their idempotency key), so a relabelled alert's runs stay its own.
 */
export const episodeFingerprint = (a: Pick<Alert, 'fingerprint' | 'formerFingerprints'>): string => a.formerFingerprints?.at(-1) ?? a.fingerprint;

/**
 * The labels that say which alert an alert is (`alertname`, and its subject: `flow`, `system`, `finding`, and an
 * escalation's `action`); the others (`severity`, `owner`, `class`, `domain`, `source`, `target`, the flow's and the
 * rule's own labels) describe it, for routing and silences, and may change while it fires. Alertmanager's fingerprint is
 * over every label, so Weft's is too (`fingerprint`); this is what makes a relabelled alert the same one in Weft.
 */
export const IDENTITY_LABELS = ['alertname', 'flow', 'system', 'finding', 'action'] as const;

/** One string per alert identity (IDENTITY_LABELS' values, absent ones empty): equal for the same alert, whatever its other labels. */
export function identityOf(labels: Labels): string {
  let id = '';
  for (const n of IDENTITY_LABELS) id += (Object.hasOwn(labels, n) ? labels[n] : '') + '\u0000';
  return id;
}

/**
 * An alert's severity as people read it: its own (its rule's, which routes and pages it), and the severity of the
 * finding it is about beside it when that differs (annotation `finding_severity`): `high (finding: medium)`.
 */
export function alertSeverityText(a: { severity: string; annotations: Record<string, string> }): string {
  const finding = a.annotations.finding_severity;
  return finding && finding !== a.severity ? `${a.severity} (finding: ${finding})` : a.severity;
}
