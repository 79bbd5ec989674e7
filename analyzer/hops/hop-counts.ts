/**
 * The record counts the hop chains are built from, read in ClickHouse over the window (never the
 * whole history): OpenLineage rows read and written per run (weft_lineage_flows), records per
 * integration, system and direction from the endpoint rollups, and the latest count of each
 * domain's count probes (probe_samples). Endpoints resolve to systems by the mapping, as everywhere.
 */
import type { Store } from '../../clickhouse/index.ts';
import { fromChTime, toChTime } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import { resolveExpr, type EndpointMapping } from '../flows/match-sql.ts';
import type { ObservedTouch } from '../flows/observed.ts';
import type { Window } from '../flows/window-source.ts';
import type { LineageHopCount, SystemCount, TouchCount } from './hop-chain.ts';

/** Runs named as evidence per hop, lossiest first. */
const EVIDENCE_RUNS = 5;
const MINUTE = 60_000;
const T = "DateTime64(3, 'UTC')";

/**
 * Per job and resolved (source, target): completed runs in [since, until], and over the runs that
 * reported both counts, the rows read from the source and written to the target, with the lossiest runs.
 */
export async function queryLineageHops(store: Store, mapping: EndpointMapping, since: Date, until: Date): Promise<LineageHopCount[]> {
  const counted = 'rows_read >= 0 AND rows_written >= 0';
  const query = `
    SELECT source, target, job, count() AS runs, countIf(${counted}) AS counted,
      sumIf(rows_read, ${counted}) AS read, sumIf(rows_written, ${counted}) AS written,
      arraySlice(arrayReverseSort(x -> x.2 - x.3, groupArrayIf((run_id, rows_read, rows_written, ended), ${counted})), 1, ${EVIDENCE_RUNS}) AS lossiest
    FROM (
      SELECT ${resolveExpr('src_', 'job', "''")} AS source, ${resolveExpr('tgt_', 'job', "''")} AS target, job, run_id,
        -- A run's flow rows repeat each dataset's count per pair: sum each dataset once; unknown (-1) if any is.
        if(min(f.rows_read) < 0, -1, arraySum(x -> x.2, groupUniqArray((f.src_dataset, f.rows_read)))) AS rows_read,
        if(min(f.rows_written) < 0, -1, arraySum(x -> x.2, groupUniqArray((f.tgt_dataset, f.rows_written)))) AS rows_written,
        max(f.ended) AS ended
      FROM weft_lineage_flows AS f
      WHERE f.ended >= {since:${T}} AND f.ended <= {until:${T}} AND f.status = 'COMPLETE'
      GROUP BY source, target, job, run_id
    )
    WHERE source != target
    GROUP BY source, target, job
    ORDER BY source, target, job`;
  const rows = await store.client
    .query({ query, query_params: { since: toChTime(since), until: toChTime(until), ...mapping.params }, format: 'JSONEachRow' })
    .then((r) => r.json<Record<string, unknown>>());
  return rows.map((r) => ({
    source: String(r.source),
    target: String(r.target),
    job: String(r.job),
    runs: Number(r.runs),
    countedRuns: Number(r.counted),
    read: Number(r.read),
    written: Number(r.written),
    lossiestRuns: (r.lossiest as Array<[string, string | number, string | number, string]>).map(([runId, read, written, ended]) => ({
      runId,
      read: Number(read),
      written: Number(written),
      ended: fromChTime(ended),
    })),
  }));
}

/** How long records may be in flight: the largest drift `settle` of the catalog's domains (ms). */
export function inFlightMs(catalog: Catalog): number {
  return Math.max(0, ...catalog.domains.map((d) => parseDuration(d.drift.settle, `domains.${d.id}.drift.settle`)));
}

/**
 * The settled part of [since, until]: the whole minutes that ended a minute and `settleMs` before `until`
 * — what was written then has had time to be read. Its end is a minute boundary, so the minutes read are
 * the minutes stated. `until` is when the window is read (takeSnapshot passes the earlier of its end and
 * the moment of reading, never a moment still to come). Null when nothing of the window is settled.
 */
export function settledWindow(since: Date, until: Date, settleMs: number): Window | null {
  const end = new Date(Math.floor((until.getTime() - settleMs - MINUTE) / MINUTE) * MINUTE);
  return end <= since ? null : { since, until: end };
}

/** Record counts per integration, system and direction, from the touches read over the settled window. */
export function touchCounts(touches: ObservedTouch[]): TouchCount[] {
  return touches.map((t) => ({ system: t.system, integration: t.integration, direction: t.direction, records: t.records, sampleTrace: t.sampleTrace }));
}

/** The latest successful reading in [since, until] of each count probe with a domain (sql probes, http probes with a `count` path). */
export async function querySystemCounts(store: Store, catalog: Catalog, since: Date, until: Date): Promise<SystemCount[]> {
  const probes = catalog.probes.filter((p) => p.domain && (p.kind === 'sql' || (p.kind === 'http' && 'count' in p && p.count)));
  if (probes.length === 0) return [];
  const rows = await store.client
    .query({
      query: `SELECT probe_id, argMax(value, ts) AS latest, max(ts) AS latest_at FROM probe_samples
        WHERE probe_id IN {ids:Array(String)} AND ok = 1 AND value IS NOT NULL AND ts >= {since:${T}} AND ts <= {until:${T}}
        GROUP BY probe_id`,
      query_params: { ids: probes.map((p) => p.id), since: toChTime(since), until: toChTime(until) },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ probe_id: string; latest: number | string; latest_at: string }>());
  return rows.flatMap((r) => {
    const p = probes.find((x) => x.id === r.probe_id);
    return p ? [{ system: p.system, domain: p.domain!, probeId: p.id, records: Number(r.latest), at: fromChTime(r.latest_at) }] : [];
  });
}
