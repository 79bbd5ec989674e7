/**
 * The lineage receiver's I/O: stores accepted events in weft_lineage_events and, when a run ends,
 * its flows in weft_lineage_flows (whose materialized views feed the flow-edge rollups and the
 * endpoint list the analyzer reads). An event is acknowledged only once it is in ClickHouse.
 */
import type { Store } from '../clickhouse/index.ts';
import { dateFromChTime, toChTime } from '../clickhouse/index.ts';
import { ERR_LINEAGE_BAD_INPUT, ERR_LINEAGE_TOO_MANY_EVENTS, MAX_EVENTS_PER_REQUEST } from './errors.ts';
import { datasetSchemas, type SchemaRow } from './dataset-schema.ts';
import { runFlows, toEventRow, type EventRow, type FlowRow } from './run-flows.ts';
import { terminalTypes } from './schema.ts';
import { splitEvents, type RejectedEvent } from './validate.ts';

/** What a lineage request got: how many events were stored, which were rejected and why, how many runs ended. */
export interface LineageIngestResult {
  accepted: number;
  rejected: RejectedEvent[];
  /** Runs whose first COMPLETE / FAIL / ABORT arrived in this request (their flows were written). */
  runsEnded: number;
  /** Datasets whose reported schema (the `schema` facet) was new or differed from the last one recorded. */
  schemasChanged: number;
}

export interface LineageReceiver {
  /**
   * Stores a request's events (one RunEvent or an array). Throws ERR_LINEAGE_BAD_INPUT when no event
   * in it is valid; otherwise resolves once the good ones are stored. Store errors propagate (the
   * client retries; repeats of an event replace it, a run's flows are written once).
   */
  ingest(body: unknown, now?: Date): Promise<LineageIngestResult>;
}

const ms = (t: number) => toChTime(new Date(t));
const MAX_REJECTIONS_IN_MESSAGE = 3;

function eventColumns(r: EventRow) {
  return {
    event_time: ms(r.eventTime),
    arrived: ms(r.arrived),
    run_id: r.runId,
    event_type: r.eventType,
    job_namespace: r.jobNamespace,
    job_name: r.jobName,
    parent_run_id: r.parentRunId,
    parent_job_namespace: r.parentJobNamespace,
    parent_job_name: r.parentJobName,
    domain: r.domain,
    nominal_start: r.nominalStart === null ? null : ms(r.nominalStart),
    nominal_end: r.nominalEnd === null ? null : ms(r.nominalEnd),
    inputs: r.inputs.map(([namespace, name]) => ({ namespace, name })),
    outputs: r.outputs.map(([namespace, name]) => ({ namespace, name })),
    input_rows: r.inputRows,
    output_rows: r.outputRows,
    producer: r.producer,
    raw: r.raw,
  };
}

function flowColumns(f: FlowRow) {
  return {
    ended: ms(f.ended),
    started: ms(f.started),
    has_start: f.hasStart ? 1 : 0,
    run_id: f.runId,
    job: f.job,
    parent_job: f.parentJob,
    domain: f.domain,
    status: f.status,
    src_dataset: f.srcDataset,
    tgt_dataset: f.tgtDataset,
    src_kind: f.src.kind,
    src_sys: f.src.sys,
    src_host: f.src.host,
    src_name: f.src.name,
    src_peer: f.src.peer,
    tgt_kind: f.tgt.kind,
    tgt_sys: f.tgt.sys,
    tgt_host: f.tgt.host,
    tgt_name: f.tgt.name,
    tgt_peer: f.tgt.peer,
    rows_read: f.rowsRead,
    rows_written: f.rowsWritten,
  };
}

interface StoredEvent {
  run_id: string;
  event_type: string;
  event_time: string;
  job_namespace: string;
  job_name: string;
  parent_job_namespace: string;
  parent_job_name: string;
  domain: string;
  inputs: Array<{ namespace: string; name: string }>;
  outputs: Array<{ namespace: string; name: string }>;
  input_rows: Array<string | number>;
  output_rows: Array<string | number>;
}

const fromStored = (s: StoredEvent): EventRow => ({
  eventTime: dateFromChTime(s.event_time).getTime(),
  arrived: 0,
  runId: s.run_id,
  eventType: s.event_type,
  jobNamespace: s.job_namespace,
  jobName: s.job_name,
  parentRunId: '',
  parentJobNamespace: s.parent_job_namespace,
  parentJobName: s.parent_job_name,
  domain: s.domain,
  nominalStart: null,
  nominalEnd: null,
  inputs: s.inputs.map((d) => [d.namespace, d.name]),
  outputs: s.outputs.map((d) => [d.namespace, d.name]),
  inputRows: s.input_rows.map(Number),
  outputRows: s.output_rows.map(Number),
  producer: '',
  raw: '',
});

/** The receiver over a store. Requests are stored one after another, so a run's flows are written once. */
export function createLineageReceiver(store: Store): LineageReceiver {
  let queue: Promise<unknown> = Promise.resolve();

  async function writeFlows(ended: EventRow[]): Promise<number> {
    const ids = [...new Set(ended.map((e) => e.runId))];
    const done = await store.client
      .query({ query: 'SELECT DISTINCT run_id FROM weft_lineage_flows WHERE run_id IN {ids:Array(String)}', query_params: { ids }, format: 'JSONEachRow' })
      .then((r) => r.json<{ run_id: string }>());
    const skip = new Set(done.map((d) => d.run_id));
    const open = ids.filter((id) => !skip.has(id));
    if (open.length === 0) return 0;
    const stored = await store.client
      .query({
        query: `SELECT run_id, event_type, event_time, job_namespace, job_name, parent_job_namespace, parent_job_name, domain, inputs, outputs, input_rows, output_rows
          FROM weft_lineage_events FINAL WHERE run_id IN {ids:Array(String)}`,
        query_params: { ids: open },
        format: 'JSONEachRow',
      })
      .then((r) => r.json<StoredEvent>());
    const byRun = new Map<string, EventRow[]>();
    for (const s of stored) byRun.set(s.run_id, [...(byRun.get(s.run_id) ?? []), fromStored(s)]);
    const flows: FlowRow[] = [];
    for (const id of open) {
      // The run's first terminal event decides its status (a COMPLETE repeated later changes nothing).
      const terminal = ended.filter((e) => e.runId === id).sort((a, b) => a.eventTime - b.eventTime)[0];
      flows.push(...runFlows(byRun.get(id) ?? [], terminal));
    }
    if (flows.length) await store.client.insert({ table: 'weft_lineage_flows', values: flows.map(flowColumns), format: 'JSONEachRow' });
    return open.length;
  }

  /**
   * Records each reported schema that differs from the latest one recorded for its dataset (by event
   * time), as the probes record shapes: a repeat or an unchanged schema adds no row.
   */
  async function writeSchemas(reported: SchemaRow[]): Promise<number> {
    if (reported.length === 0) return 0;
    const datasets = [...new Set(reported.map((r) => r.dataset))];
    const latest = await store.client
      .query({
        query:
          'SELECT dataset, argMax(fingerprint, ts) AS fp, max(ts) AS last_ts FROM weft_lineage_schemas WHERE dataset IN {ds:Array(String)} GROUP BY dataset',
        query_params: { ds: datasets },
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ dataset: string; fp: string; last_ts: string }>());
    const last = new Map(latest.map((l) => [l.dataset, { fp: l.fp, ts: dateFromChTime(l.last_ts).getTime() }]));
    const changed: SchemaRow[] = [];
    for (const r of [...reported].sort((a, b) => a.ts - b.ts)) {
      const prev = last.get(r.dataset);
      if (prev && prev.fp === r.fingerprint) continue;
      changed.push(r);
      // An older report arriving late is kept (history) but does not become the latest.
      if (!prev || r.ts >= prev.ts) last.set(r.dataset, { fp: r.fingerprint, ts: r.ts });
    }
    if (changed.length === 0) return 0;
    await store.client.insert({
      table: 'weft_lineage_schemas',
      format: 'JSONEachRow',
      values: changed.map((r) => ({
        ts: ms(r.ts),
        dataset: r.dataset,
        namespace: r.namespace,
        name: r.name,
        run_id: r.runId,
        job: r.job,
        domain: r.domain,
        fingerprint: r.fingerprint,
        shape: r.shape,
      })),
    });
    return changed.length;
  }

  async function store_(rows: EventRow[], schemas: SchemaRow[]): Promise<{ runsEnded: number; schemasChanged: number }> {
    await store.client.insert({ table: 'weft_lineage_events', values: rows.map(eventColumns), format: 'JSONEachRow' });
    const ended = rows.filter((r) => terminalTypes.has(r.eventType));
    const runsEnded = ended.length ? await writeFlows(ended) : 0;
    return { runsEnded, schemasChanged: await writeSchemas(schemas) };
  }

  return {
    async ingest(body, now = new Date()) {
      // Each event may be answered with its own rejection: 2.7 million `{}` made a 250 MB answer.
      if (Array.isArray(body) && body.length > MAX_EVENTS_PER_REQUEST) throw ERR_LINEAGE_TOO_MANY_EVENTS(body.length);
      const { accepted, rejected } = splitEvents(body);
      if (accepted.length === 0) {
        const shown = rejected.slice(0, MAX_REJECTIONS_IN_MESSAGE).map((r) => (Array.isArray(body) ? `event ${r.index}: ${r.message}` : r.message));
        const more = rejected.length > MAX_REJECTIONS_IN_MESSAGE ? ` (and ${rejected.length - MAX_REJECTIONS_IN_MESSAGE} more)` : '';
        throw ERR_LINEAGE_BAD_INPUT(
          Array.isArray(body) && rejected.length === 0
            ? 'The request holds an empty array; send one RunEvent or an array of them.'
            : `No valid OpenLineage RunEvent: ${shown.join('; ')}${more}.`,
        );
      }
      const rows = accepted.map((a) => toEventRow(a.event, now.getTime()));
      const schemas = accepted.flatMap((a, i) => datasetSchemas(a.event, rows[i].domain));
      const run = queue.then(() => store_(rows, schemas));
      queue = run.catch(() => undefined);
      const { runsEnded, schemasChanged } = await run;
      return { accepted: accepted.length, rejected, runsEnded, schemasChanged };
    },
  };
}
