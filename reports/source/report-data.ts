/**
 * What a report is assembled from: plain data read from the store for one period. The sections
 * are pure functions of this; `ReportSource` (report-source.ts) is the one way it is read.
 */
import type { Inventory, AttributedEdge, HopChain } from '../../analyzer/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import type { Finding } from '../../core/contracts/index.ts';
import type { Period, Recorded } from '../model.ts';

/** One stored version of the catalog (migration 070). */
export interface CatalogVersion {
  at: string;
  sha256: string;
  actor: string;
  /** start, reload, … */
  reason: string;
  sources: string[];
  /** What changed against the previous version: "flows.crm-erp: added", "systems.crm.region: EU → US". */
  changes: string[];
}

export interface FindingEventRow {
  findingId: string;
  at: string;
  actor: string;
  action: string;
  status: string;
  note: string;
}

/** A probe's record count in one time bucket: its last successful sample in the bucket (a count read, never an average of counts). */
export interface CountBucket {
  probeId: string;
  system: string;
  domain: string;
  bucket: string;
  value: number;
  /**
   * The average of its successful samples in the bucket: what a replica is compared with its system of record on, bucket
   * by bucket (a drift that lasted part of the bucket shows in part; the last samples alone missed one that ended before
   * the bucket did). Absent: `value`.
   */
  mean?: number;
}

/** A probe's runs over the period. */
export interface ProbeRunSummary {
  probeId: string;
  kind: string;
  system: string;
  domain: string;
  runs: number;
  failures: number;
  first: number | null;
  last: number | null;
  min: number | null;
  max: number | null;
  lastError: string;
  lastErrorAt: string | null;
}

export interface ReconciliationRunRow {
  runId: string;
  reconcileId: string;
  domain: string;
  leftSystem: string;
  rightSystem: string;
  startedAt: string;
  finishedAt: string;
  status: string;
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

/** A shape a probe read, as stored: the period's rows plus the last one before it (the baseline to compare with). */
export interface SchemaObservationRow {
  ts: string;
  probeId: string;
  system: string;
  domain: string;
  fingerprint: string;
  shape: string;
}

/** An alert rule and the flows it watches (alerting/). */
export interface AlertRuleRow {
  id: string;
  name: string;
  flows: string[];
  source: string;
}

/** An alert (one firing of a rule) and what happened to it (alerting/). */
export interface AlertRow {
  id: string;
  rule: string;
  severity: string;
  title: string;
  /** What it is about: its flow, else system, else domain, else `finding <key>`; '' for the estate. */
  subject: string;
  flows: string[];
  openedAt: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  note: string;
  resolvedAt: string | null;
}

/** One remediation attempt (alerting/). */
export interface RemediationRow {
  at: string;
  action: string;
  subject: string;
  attempt: number;
  outcome: string;
  actor: string;
  detail: string;
}

/** One row of the hash-chained audit log (access/, table weft_audit_log). */
export interface AuditLogRow {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  subject: string;
  detail: string;
  /** The previous row's hash ('' for seq 1), and the appender's nonce ('' before migration 100): what the hash covers. */
  prevHash: string;
  nonce: string;
  hash: string;
}

export interface ReportData {
  period: Period;
  catalog: Catalog;
  /** The stored catalog version the report used; null when none is stored (then `catalog` came from files or is empty). */
  catalogVersion: CatalogVersion | null;
  /**
   * Where `catalog` came from: the stored version in force at the end of the period, the files given for this report,
   * the catalog the installation runs with now (no version was stored by the end of the period), or none.
   */
  catalogOrigin?: 'stored' | 'given' | 'current' | 'none';
  /** The estate as catalogued and as observed in the period (analyzer/). */
  inventory: Inventory;
  /** Observed flow edges in the period, attributed to documented flows. */
  edges: AttributedEdge[];
  /** Records per hop over the period: each domain's chains from its system of record to its replicas (analyzer/hops). */
  hopChains?: HopChain[];
  /** Findings open at any time in the period (current state). */
  findings: Finding[];
  /**
   * Each finding's status at the period's start and end as its history records it (`ReportSource.findingStatuses`), one
   * item per finding with history (an array, so it crosses to the export worker in pieces); absent when not read.
   */
  findingStatuses?: FindingPeriodStatus[];
  findingEvents: FindingEventRow[];
  probeRuns: ProbeRunSummary[];
  counts: CountBucket[];
  reconciliationRuns: ReconciliationRunRow[];
  schemaObservations: SchemaObservationRow[];
  /** Versions loaded in the period, and the last one before it (first in the list when present). */
  catalogVersions: CatalogVersion[];
  alertRules: Recorded<AlertRuleRow>;
  alerts: Recorded<AlertRow>;
  remediations: Recorded<RemediationRow>;
  auditLog: AuditLogRead;
}

/**
 * The audit log as a report reads it: `rows`, those stamped in the period (seq order), and `around`, the rows read
 * beside them to check the chain across the period's edges — the last row before its first and the first row after
 * its last (by seq), and any row between whose appender's clock stamped it outside the period. With no row in the
 * period, `around` is the last row stamped before it and the first stamped after it (or the log's last).
 */
export type AuditLogRead = { recorded: true; rows: AuditLogRow[]; around: AuditLogRow[] } | { recorded: false; reason: string };

/**
 * A finding's status as its history (`weft_finding_events`) records it: the status of its last event before the
 * period (`atStart`, null when it had none) and before the period's end (`atEnd`, null when none), and whether it was
 * open or acknowledged at some time in [since, until).
 */
export interface FindingPeriodStatus {
  findingId: string;
  atStart: string | null;
  atEnd: string | null;
  openInPeriod: boolean;
}
