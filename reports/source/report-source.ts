// Not alerting's index: that loads the store (libchdb), which a report's worker thread (withCatalogAlertRules) must not.
import { rulesFor } from '../../alerting/rules/derive-rules.ts';
import type { AttributedEdge, HopChain, Inventory } from '../../analyzer/index.ts';
import { emptyCatalog, type Catalog } from '../../core/catalog/index.ts';
import type { Finding } from '../../core/contracts/index.ts';
import type { Period, Recorded } from '../model.ts';
import type {
  AlertRow,
  AlertRuleRow,
  AuditLogRead,
  CatalogVersion,
  CountBucket,
  FindingEventRow,
  FindingPeriodStatus,
  ProbeRunSummary,
  ReconciliationRunRow,
  RemediationRow,
  ReportData,
  SchemaObservationRow,
} from './report-data.ts';

/**
 * Where a report's data comes from: stored data only. The ClickHouse implementation is
 * `clickhouseReportSource`; tests pass fixtures. Data other parts may not record in an installation
 * (alerts, remediations, the audit log) comes back as `{ recorded: false, reason }`, never as an error.
 */
export interface ReportSource {
  /** Catalog versions loaded in the period plus the last one before it, oldest first; and the catalog in force at `until`. */
  catalogVersions(period: Period): Promise<{ versions: CatalogVersion[]; atEnd: { version: CatalogVersion; catalog: Catalog } | null }>;
  /** The estate as catalogued and observed in the period (the analyzer's inventory over its rollups). */
  /** The estate as catalogued and observed in the period (the analyzer's inventory over its rollups), and its records per hop. */
  estate(catalog: Catalog, period: Period): Promise<{ inventory: Inventory; edges: AttributedEdge[]; hopChains?: HopChain[] }>;
  findings(period: Period): Promise<Finding[]>;
  findingEvents(period: Period): Promise<FindingEventRow[]>;
  /**
   * Each finding's status as its history records it (`weft_finding_events`) at the period's start and end, and whether
   * it was open or acknowledged at some time in the period. Absent for a source that keeps no history (then the
   * findings' current state is used).
   */
  findingStatuses?(period: Period): Promise<FindingPeriodStatus[]>;
  probeRuns(period: Period): Promise<ProbeRunSummary[]>;
  /** Record counts per probe in buckets of `stepSeconds`. */
  counts(period: Period, stepSeconds: number): Promise<CountBucket[]>;
  reconciliationRuns(period: Period): Promise<ReconciliationRunRow[]>;
  schemaObservations(period: Period): Promise<SchemaObservationRow[]>;
  alertRules(): Promise<Recorded<AlertRuleRow>>;
  alerts(period: Period): Promise<Recorded<AlertRow>>;
  remediations(period: Period): Promise<Recorded<RemediationRow>>;
  auditLog(period: Period): Promise<AuditLogRead>;
}

export interface ReadOptions {
  /** Use this catalog instead of the stored version (e.g. `weft report --catalog FILE`). */
  catalog?: Catalog;
  /** Used when no catalog version is stored (a running Weft's catalog in memory). */
  fallbackCatalog?: Catalog;
}

/** About 60 buckets over the period, at least a minute each. */
export function countStepSeconds(period: Period): number {
  const seconds = (Date.parse(period.until) - Date.parse(period.since)) / 1000;
  return Math.max(60, Math.ceil(seconds / 60));
}

/** Reads everything a report needs for `period` through `source`, the alert rules derived from the catalog when the store records none. */
export async function readReportData(source: ReportSource, period: Period, options: ReadOptions = {}): Promise<ReportData> {
  return withCatalogAlertRules(await readStoredReportData(source, period, options));
}

/**
 * `readReportData` without the CPU-bound part: when the store records no alert rules, `alertRules` stays
 * `{ recorded: false }` and `withCatalogAlertRules` derives them (a report's worker thread does: for 3,000 flows
 * deriving them held the event loop for a third of a second).
 */
export async function readStoredReportData(source: ReportSource, period: Period, options: ReadOptions = {}): Promise<ReportData> {
  const history = await source.catalogVersions(period);
  const catalog = options.catalog ?? history.atEnd?.catalog ?? options.fallbackCatalog ?? emptyCatalog();
  const catalogVersion = options.catalog ? null : (history.atEnd?.version ?? null);
  const catalogOrigin = options.catalog ? 'given' : history.atEnd ? 'stored' : options.fallbackCatalog ? 'current' : 'none';
  const [
    estate,
    stored,
    findingStatuses,
    findingEvents,
    probeRuns,
    counts,
    reconciliationRuns,
    schemaObservations,
    alertRules,
    alerts,
    remediations,
    auditLog,
  ] = await Promise.all([
    source.estate(catalog, period),
    source.findings(period),
    source.findingStatuses?.(period) ?? Promise.resolve([] as FindingPeriodStatus[]),
    source.findingEvents(period),
    source.probeRuns(period),
    source.counts(period, countStepSeconds(period)),
    source.reconciliationRuns(period),
    source.schemaObservations(period),
    source.alertRules(),
    source.alerts(period),
    source.remediations(period),
    source.auditLog(period),
  ]);
  // A finding's row holds its current state: one resolved before the period and reopened after it still reads "open,
  // first seen before the period". Its history says it was not open in the period: it is left out.
  const notOpen = new Set(findingStatuses.filter((s) => !s.openInPeriod).map((s) => s.findingId));
  const findings = stored.filter((f) => !notOpen.has(f.id));
  return {
    period,
    catalog,
    catalogVersion,
    catalogOrigin,
    alertRules,
    inventory: estate.inventory,
    edges: estate.edges,
    hopChains: estate.hopChains ?? [],
    findings,
    findingStatuses,
    findingEvents,
    probeRuns,
    counts,
    reconciliationRuns,
    schemaObservations,
    catalogVersions: history.versions,
    alerts,
    remediations,
    auditLog,
  };
}

/** `data` with the alert rules derived from its catalog when the store recorded none (pure; as it is otherwise). */
export function withCatalogAlertRules(data: ReportData): ReportData {
  return data.alertRules.recorded ? data : { ...data, alertRules: catalogAlertRules(data.catalog) };
}

/**
 * The alert rules Weft evaluates for a catalog (alerting/ derives them from classes, schedules,
 * drift settings and probes, plus the catalog's own `alerts:`), as the coverage section lists them:
 * used when no store records rules of its own.
 */
export function catalogAlertRules(catalog: Catalog): Recorded<AlertRuleRow> {
  const rows = rulesFor(catalog)
    // Estate-wide rules (telemetry gap, probe and drift findings) watch no single flow; a flow-level rule with no flow covers nothing.
    // A derived flow rule names every active flow but is evaluated only for those with a threshold (a class, an SLO, a
    // schedule): a flow without one is not watched by it, as alerting skips it.
    .map((r) => ({ ...r, flows: r.flows.filter((id) => (typeof r.threshold === 'function' ? r.threshold(id) !== undefined : true)) }))
    .filter((r) => r.flows.length > 0)
    .map((r) => ({ id: r.id, name: r.id, flows: r.flows, source: r.origin }));
  return { recorded: true, rows };
}
