import { dateFromChTime, toChTime, type Store } from '../clickhouse/index.ts';
import type { ProbeErrorCode } from './probe-error.ts';
import type { ProbeSample, SchemaObservation } from './sample.ts';

interface SampleRow {
  ts: string;
  probe_id: string;
  kind: string;
  system: string;
  domain: string;
  ok: number;
  value: number | null;
  metrics: Record<string, number>;
  latency_ms: number;
  error_code: string;
  error: string;
}

const toSample = (r: SampleRow): ProbeSample => ({
  ts: dateFromChTime(r.ts),
  probeId: r.probe_id,
  kind: r.kind,
  system: r.system,
  domain: r.domain,
  ok: Number(r.ok) === 1,
  value: r.value === null ? null : Number(r.value),
  metrics: Object.fromEntries(Object.entries(r.metrics ?? {}).map(([k, v]) => [k, Number(v)])),
  latencyMs: Number(r.latency_ms),
  errorCode: r.error_code as ProbeErrorCode | '',
  error: r.error,
});

const columns = 'ts, probe_id, kind, system, domain, ok, value, metrics, latency_ms, error_code, error';

/** Probe samples and schema observations in ClickHouse. */
export class SampleStore {
  constructor(private readonly store: Store) {}

  async write(samples: ProbeSample[]): Promise<void> {
    if (samples.length === 0) return;
    await this.store.client.insert({
      table: 'probe_samples',
      format: 'JSONEachRow',
      values: samples.map((s) => ({
        ts: toChTime(s.ts),
        probe_id: s.probeId,
        kind: s.kind,
        system: s.system,
        domain: s.domain,
        ok: s.ok ? 1 : 0,
        value: s.value,
        metrics: s.metrics,
        latency_ms: s.latencyMs,
        error_code: s.errorCode,
        error: s.error,
      })),
    });
  }

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const r = await this.store.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return r.json<T>();
  }

  /** The latest sample of each probe. */
  async latest(probeIds: string[]): Promise<ProbeSample[]> {
    if (probeIds.length === 0) return [];
    const rows = await this.rows<SampleRow>(
      `SELECT ${columns} FROM probe_samples WHERE probe_id IN {ids:Array(String)} ORDER BY probe_id, ts DESC LIMIT 1 BY probe_id`,
      { ids: probeIds },
    );
    return rows.map(toSample);
  }

  /** Recent samples of the given probes since `since`, oldest first, at most `limit` per probe. */
  async history(probeIds: string[], since: Date, limit = 500): Promise<ProbeSample[]> {
    if (probeIds.length === 0) return [];
    const rows = await this.rows<SampleRow>(
      `SELECT ${columns} FROM (
         SELECT ${columns} FROM probe_samples WHERE probe_id IN {ids:Array(String)} AND ts >= {since:DateTime64(3, 'UTC')}
         ORDER BY probe_id, ts DESC LIMIT {limit:UInt32} BY probe_id
       ) ORDER BY probe_id, ts`,
      { ids: probeIds, since: toChTime(since), limit },
    );
    return rows.map(toSample);
  }

  /** Per probe: consecutive failures up to now, and the last success. */
  async failureStreaks(probeIds: string[]): Promise<Array<{ probeId: string; failures: number; since: Date | null; lastOk: Date | null }>> {
    if (probeIds.length === 0) return [];
    const rows = await this.rows<{ probe_id: string; failures: string; since: string | null; last_ok: string | null }>(
      `SELECT probe_id,
              countIf(ok = 0 AND ts > last_ok_ts) AS failures,
              minIf(ts, ok = 0 AND ts > last_ok_ts) AS since,
              if(last_ok_ts = toDateTime64(0, 3, 'UTC'), NULL, last_ok_ts) AS last_ok
         FROM (SELECT probe_id, ts, ok, maxIf(ts, ok = 1) OVER (PARTITION BY probe_id) AS last_ok_ts FROM probe_samples WHERE probe_id IN {ids:Array(String)})
        GROUP BY probe_id, last_ok_ts`,
      { ids: probeIds },
    );
    return rows.map((r) => ({
      probeId: r.probe_id,
      failures: Number(r.failures),
      since: Number(r.failures) > 0 && r.since ? dateFromChTime(r.since) : null,
      lastOk: r.last_ok ? dateFromChTime(r.last_ok) : null,
    }));
  }

  async writeSchema(o: SchemaObservation): Promise<void> {
    await this.store.client.insert({
      table: 'probe_schemas',
      format: 'JSONEachRow',
      values: [{ ts: toChTime(o.ts), probe_id: o.probeId, system: o.system, domain: o.domain, fingerprint: o.fingerprint, shape: o.shape }],
    });
  }

  /** Per probe: the first shape seen (the baseline) and the latest one. */
  async schemaStates(probeIds: string[]): Promise<Array<{ baseline: SchemaObservation; current: SchemaObservation }>> {
    if (probeIds.length === 0) return [];
    type Row = { probe_id: string; system: string; domain: string; b_ts: string; b_fp: string; b_shape: string; c_ts: string; c_fp: string; c_shape: string };
    const rows = await this.rows<Row>(
      `SELECT probe_id, argMax(system, ts) AS system, argMax(domain, ts) AS domain,
              min(ts) AS b_ts, argMin(fingerprint, ts) AS b_fp, argMin(shape, ts) AS b_shape,
              max(ts) AS c_ts, argMax(fingerprint, ts) AS c_fp, argMax(shape, ts) AS c_shape
         FROM probe_schemas WHERE probe_id IN {ids:Array(String)} GROUP BY probe_id`,
      { ids: probeIds },
    );
    return rows.map((r) => ({
      baseline: { ts: dateFromChTime(r.b_ts), probeId: r.probe_id, system: r.system, domain: r.domain, fingerprint: r.b_fp, shape: r.b_shape },
      current: { ts: dateFromChTime(r.c_ts), probeId: r.probe_id, system: r.system, domain: r.domain, fingerprint: r.c_fp, shape: r.c_shape },
    }));
  }

  /**
   * Datasets whose schema, as OpenLineage producers reported it (weft_lineage_schemas, migration 081),
   * differs now from the first one reported: the baseline and the latest, with the runs that reported them.
   */
  async lineageSchemaChanges(): Promise<LineageSchemaChange[]> {
    type Row = {
      dataset: string;
      ns: string;
      name: string;
      domain: string;
      job: string;
      b_ts: string;
      b_fp: string;
      b_shape: string;
      b_run: string;
      c_ts: string;
      c_fp: string;
      c_shape: string;
      c_run: string;
    };
    const rows = await this.rows<Row>(
      `SELECT dataset, argMax(namespace, ts) AS ns, argMax(name, ts) AS name, argMax(domain, ts) AS domain, argMax(job, ts) AS job,
              min(ts) AS b_ts, argMin(fingerprint, ts) AS b_fp, argMin(shape, ts) AS b_shape, argMin(run_id, ts) AS b_run,
              max(ts) AS c_ts, argMax(fingerprint, ts) AS c_fp, argMax(shape, ts) AS c_shape, argMax(run_id, ts) AS c_run
         FROM weft_lineage_schemas GROUP BY dataset HAVING b_fp != c_fp`,
      {},
    );
    return rows.map((r) => ({
      dataset: r.dataset,
      namespace: r.ns,
      name: r.name,
      domain: r.domain,
      job: r.job,
      baseline: { ts: dateFromChTime(r.b_ts), fingerprint: r.b_fp, shape: r.b_shape, runId: r.b_run },
      current: { ts: dateFromChTime(r.c_ts), fingerprint: r.c_fp, shape: r.c_shape, runId: r.c_run },
    }));
  }
}

/** A dataset whose reported schema changed: the first shape reported and the latest, each with its run. */
export interface LineageSchemaChange {
  dataset: string;
  namespace: string;
  name: string;
  domain: string;
  /** The job that reported the latest shape. */
  job: string;
  baseline: { ts: Date; fingerprint: string; shape: string; runId: string };
  current: { ts: Date; fingerprint: string; shape: string; runId: string };
}
