import { buildInventory, takeSnapshot } from '../../analyzer/index.ts';
import { fromChTime, toChTime, type Store } from '../../clickhouse/index.ts';
import { rowToFinding, type FindingRow } from '../../findings/index.ts';
import { CatalogVersionStore } from '../catalog-history/catalog-versions.ts';
import type { Period } from '../model.ts';
import { flowMinutes } from '../period.ts';
import { readAlertRules, readAlerts, readAuditLog, readRemediations } from './optional-tables.ts';
import type { CountBucket, FindingEventRow, FindingPeriodStatus, ProbeRunSummary, ReconciliationRunRow, SchemaObservationRow } from './report-data.ts';
import type { ReportSource } from './report-source.ts';

const T = "DateTime64(3, 'UTC')";
const params = (p: Period) => ({ since: toChTime(new Date(p.since)), until: toChTime(new Date(p.until)) });
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The report source over Weft's ClickHouse tables; aggregation happens in SQL. */
export function clickhouseReportSource(store: Store): ReportSource {
  const rows = <R>(query: string, query_params: Record<string, unknown>) =>
    store.client.query({ query, query_params, format: 'JSONEachRow' }).then((r) => r.json<R>());
  const versions = new CatalogVersionStore(store);
  return {
    async catalogVersions(period) {
      return { versions: await versions.between(new Date(period.since), new Date(period.until)), atEnd: await versions.latest(new Date(period.until)) };
    },

    async estate(catalog, period) {
      const minutes = flowMinutes(period);
      const snapshot = await takeSnapshot(store, catalog, minutes.since, minutes.until);
      return { inventory: buildInventory(snapshot, { lastSeen: 'window' }), edges: snapshot.edges, hopChains: snapshot.hopChains ?? [] };
    },

    async findings(period) {
      const found = await rows<FindingRow>(
        `SELECT * FROM weft_findings FINAL WHERE first_seen < {until:${T}} AND (resolved_at IS NULL OR resolved_at >= {since:${T}}) ORDER BY first_seen, id`,
        params(period),
      );
      return found.map(rowToFinding);
    },

    async findingStatuses(period) {
      // argMaxIf over no row gives '' (no event before the period); the status a finding's events leave it in, before the
      // period starts and before it ends, and whether any event in the period left it open or acknowledged.
      const found = await rows<{ finding_id: string; at_start: string; had_start: number; at_end: string; open_in: number }>(
        `SELECT finding_id, argMaxIf(status, at, at < {since:${T}}) AS at_start, countIf(at < {since:${T}}) > 0 AS had_start,
                argMax(status, at) AS at_end, countIf(at >= {since:${T}} AND status != 'resolved') > 0 AS open_in
         FROM weft_finding_events WHERE at < {until:${T}} GROUP BY finding_id`,
        params(period),
      );
      return found.map((r): FindingPeriodStatus => {
        const atStart = Number(r.had_start) ? r.at_start : null;
        return { findingId: r.finding_id, atStart, atEnd: r.at_end, openInPeriod: Boolean(Number(r.open_in)) || (atStart !== null && atStart !== 'resolved') };
      });
    },

    async findingEvents(period) {
      const found = await rows<{ finding_id: string; at: string; actor: string; action: string; status: string; note: string }>(
        `SELECT finding_id, at, actor, action, status, note FROM weft_finding_events WHERE at >= {since:${T}} AND at < {until:${T}} ORDER BY at, finding_id`,
        params(period),
      );
      return found.map((r): FindingEventRow => ({
        findingId: r.finding_id,
        at: fromChTime(r.at),
        actor: r.actor,
        action: r.action,
        status: r.status,
        note: r.note,
      }));
    },

    async probeRuns(period) {
      const found = await rows<Record<string, unknown>>(
        `SELECT probe_id, any(kind) AS p_kind, any(system) AS p_system, any(domain) AS p_domain, count() AS runs, countIf(ok = 0) AS failures,
                argMinIf(value, ts, ok = 1) AS v_first, argMaxIf(value, ts, ok = 1) AS v_last, minIf(value, ok = 1) AS v_min, maxIf(value, ok = 1) AS v_max,
                argMaxIf(error, ts, ok = 0) AS last_error, maxIf(ts, ok = 0) AS last_error_at
         FROM probe_samples WHERE ts >= {since:${T}} AND ts < {until:${T}} GROUP BY probe_id ORDER BY probe_id`,
        params(period),
      );
      return found.map((r): ProbeRunSummary => ({
        probeId: String(r.probe_id),
        kind: String(r.p_kind),
        system: String(r.p_system),
        domain: String(r.p_domain),
        runs: Number(r.runs),
        failures: Number(r.failures),
        first: num(r.v_first),
        last: num(r.v_last),
        min: num(r.v_min),
        max: num(r.v_max),
        lastError: String(r.last_error ?? ''),
        lastErrorAt: Number(r.failures) > 0 ? fromChTime(String(r.last_error_at)) : null,
      }));
    },

    async counts(period, stepSeconds) {
      const found = await rows<{ probe_id: string; c_system: string; c_domain: string; bucket: string; c_value: number; c_mean: number }>(
        `SELECT probe_id, any(system) AS c_system, any(domain) AS c_domain, toStartOfInterval(ts, toIntervalSecond({step:UInt32})) AS bucket,
           argMax(value, ts) AS c_value, avg(value) AS c_mean
         FROM probe_samples WHERE ts >= {since:${T}} AND ts < {until:${T}} AND ok = 1 AND value IS NOT NULL AND domain != ''
         GROUP BY probe_id, bucket ORDER BY bucket, probe_id`,
        { ...params(period), step: Math.max(1, Math.round(stepSeconds)) },
      );
      return found.map((r): CountBucket => ({
        probeId: r.probe_id,
        system: r.c_system,
        domain: r.c_domain,
        bucket: fromChTime(r.bucket),
        value: Number(r.c_value),
        mean: Number(r.c_mean),
      }));
    },

    async reconciliationRuns(period) {
      const found = await rows<Record<string, unknown>>(
        `SELECT run_id, reconcile_id, domain, left_system, right_system, started_at, finished_at, status, error, left_rows, right_rows, missing, extra, changed,
                sample_missing, sample_extra, sample_changed
         FROM reconciliation_runs WHERE started_at >= {since:${T}} AND started_at < {until:${T}} ORDER BY started_at`,
        params(period),
      );
      return found.map((r): ReconciliationRunRow => ({
        runId: String(r.run_id),
        reconcileId: String(r.reconcile_id),
        domain: String(r.domain),
        leftSystem: String(r.left_system),
        rightSystem: String(r.right_system),
        startedAt: fromChTime(String(r.started_at)),
        finishedAt: fromChTime(String(r.finished_at)),
        status: String(r.status),
        error: String(r.error),
        leftRows: Number(r.left_rows),
        rightRows: Number(r.right_rows),
        missing: Number(r.missing),
        extra: Number(r.extra),
        changed: Number(r.changed),
        sampleMissing: r.sample_missing as string[],
        sampleExtra: r.sample_extra as string[],
        sampleChanged: r.sample_changed as string[],
      }));
    },

    async schemaObservations(period) {
      // The period's rows, and each probe's last row before it (what the first change in the period is against).
      const found = await rows<{ ts: string; probe_id: string; system: string; domain: string; fingerprint: string; shape: string }>(
        `SELECT ts, probe_id, system, domain, fingerprint, shape FROM (
           SELECT ts, probe_id, system, domain, fingerprint, shape FROM probe_schemas WHERE ts >= {since:${T}} AND ts < {until:${T}}
           UNION ALL
           SELECT ts, probe_id, system, domain, fingerprint, shape FROM probe_schemas WHERE ts < {since:${T}} ORDER BY ts DESC LIMIT 1 BY probe_id
         ) ORDER BY probe_id, ts`,
        params(period),
      );
      return found.map((r): SchemaObservationRow => ({
        ts: fromChTime(r.ts),
        probeId: r.probe_id,
        system: r.system,
        domain: r.domain,
        fingerprint: r.fingerprint,
        shape: r.shape,
      }));
    },

    alertRules: () => readAlertRules(store),
    alerts: (period) => readAlerts(store, period),
    remediations: (period) => readRemediations(store, period),
    auditLog: (period) => readAuditLog(store, period),
  };
}
