/**
 * Pure: OpenLineage events → rows of weft_lineage_events, and a finished run → its flow rows
 * (inputs × outputs, an empty side being the job itself). No I/O; the receiver stores both.
 */
import { datasetEndpoint, datasetKey, NO_ENDPOINT, type DatasetEndpoint } from './dataset-endpoint.ts';
import { eventTimeMs } from './event-time.ts';
import type { RunEvent } from './schema.ts';

/** A row of weft_lineage_events (times as epoch milliseconds; row counts -1 when not reported: `inputStatistics.rowCount`, else `dataQualityMetrics.rowCount`, for inputs; `outputStatistics.rowCount` for outputs). */
export interface EventRow {
  eventTime: number;
  arrived: number;
  runId: string;
  eventType: string;
  jobNamespace: string;
  jobName: string;
  parentRunId: string;
  parentJobNamespace: string;
  parentJobName: string;
  /** The `domain` tag (run's tags facet first, then the job's), or ''. */
  domain: string;
  nominalStart: number | null;
  nominalEnd: number | null;
  inputs: Array<[string, string]>;
  outputs: Array<[string, string]>;
  inputRows: number[];
  outputRows: number[];
  producer: string;
  raw: string;
}

/** A row of weft_lineage_flows: one finished run's read of `src` and write of `tgt`. */
export interface FlowRow {
  ended: number;
  /** The START's time when it is earlier than the end, else the end's (epoch ms). */
  started: number;
  /**
   * A START earlier than the end reached Weft: the run has a measured duration (`ended - started`), one
   * latency sample. False without START, or with one at or after the end's instant: no latency sample.
   */
  hasStart: boolean;
  runId: string;
  /** The integration the flow is attributed to: `job.namespace/job.name`. */
  job: string;
  /** The parent job (`namespace/name`, the DAG of a task), or ''. */
  parentJob: string;
  /** The catalog domain the job's tags name, or '' (a documented flow takes the catalog flow's). */
  domain: string;
  status: string;
  srcDataset: string;
  tgtDataset: string;
  src: DatasetEndpoint;
  tgt: DatasetEndpoint;
  rowsRead: number;
  rowsWritten: number;
}

/** At most this many flow rows per run (inputs × outputs); the rest of a larger cross product is dropped. */
export const MAX_FLOWS_PER_RUN = 10_000;

/** The integration name of a job: `namespace/name`. */
export const jobId = (namespace: string, name: string) => `${namespace}/${name}`;

/** The stored form of one accepted event. A missing eventType is `OTHER` (the spec makes it optional). */
export function toEventRow(event: RunEvent, arrived: number): EventRow {
  const parent = event.run.facets?.parent;
  const nominal = event.run.facets?.nominalTime;
  const inputs = event.inputs ?? [];
  const outputs = event.outputs ?? [];
  return {
    eventTime: eventTimeMs(event.eventTime),
    arrived,
    runId: event.run.runId,
    eventType: event.eventType ?? 'OTHER',
    jobNamespace: event.job.namespace,
    jobName: event.job.name,
    parentRunId: parent?.run.runId ?? '',
    parentJobNamespace: parent?.job.namespace ?? '',
    parentJobName: parent?.job.name ?? '',
    domain: [...(event.run.facets?.tags?.tags ?? []), ...(event.job.facets?.tags?.tags ?? [])].find((t) => t.key === 'domain')?.value ?? '',
    nominalStart: nominal ? eventTimeMs(nominal.nominalStartTime) : null,
    nominalEnd: nominal?.nominalEndTime ? eventTimeMs(nominal.nominalEndTime) : null,
    inputs: inputs.map((d) => [d.namespace, d.name]),
    outputs: outputs.map((d) => [d.namespace, d.name]),
    inputRows: inputs.map((d) => d.inputFacets?.inputStatistics?.rowCount ?? d.inputFacets?.dataQualityMetrics?.rowCount ?? -1),
    outputRows: outputs.map((d) => d.outputFacets?.outputStatistics?.rowCount ?? -1),
    producer: event.producer ?? '',
    raw: JSON.stringify(event),
  };
}

/** Datasets of a run across its events (START may name them, COMPLETE may add counts): partition-free key → rows (-1 unknown). */
function datasets(events: EventRow[], side: 'inputs' | 'outputs'): Map<string, { namespace: string; name: string; rows: number }> {
  const out = new Map<string, { namespace: string; name: string; rows: number }>();
  for (const e of [...events].sort((a, b) => a.eventTime - b.eventTime)) {
    const counts = side === 'inputs' ? e.inputRows : e.outputRows;
    e[side].forEach(([namespace, name], i) => {
      const key = datasetKey(namespace, name);
      const prev = out.get(key);
      const rows = counts[i] ?? -1;
      // Partitions of one dataset add up; a later event's count for the same dataset replaces an earlier one.
      if (!prev) out.set(key, { namespace, name, rows });
      else if (rows >= 0) out.set(key, { ...prev, rows: prev.name !== name && prev.rows >= 0 ? prev.rows + rows : rows, name });
    });
  }
  return out;
}

/**
 * The flows of a run that has ended: every input × every output, attributed to the job. The run's
 * events may arrive in any order and START may never come (then the duration is unknown, as it is when
 * START and the end share one eventTime). A run
 * with datasets on one side only flows from or to the job itself; a run with none has no flow.
 * At most MAX_FLOWS_PER_RUN rows (a run naming 1,000 inputs and 1,000 outputs keeps the first 10,000 pairs).
 */
export function runFlows(events: EventRow[], terminal: EventRow): FlowRow[] {
  const all = events.some((e) => e === terminal) ? events : [...events, terminal];
  const start = all.filter((e) => e.eventType === 'START').sort((a, b) => a.eventTime - b.eventTime)[0];
  const inputs = [...datasets(all, 'inputs')];
  const outputs = [...datasets(all, 'outputs')];
  if (inputs.length === 0 && outputs.length === 0) return [];
  const withParent = all.find((e) => e.parentJobName !== '');
  // A START stamped at the very instant of the end measures nothing: the producer stamped both when it
  // reported (or the run was shorter than the times' resolution); its 0 ms would be taken for a duration.
  const measured = Boolean(start && start.eventTime < terminal.eventTime);
  const base = {
    ended: terminal.eventTime,
    started: measured ? start.eventTime : terminal.eventTime,
    hasStart: measured,
    runId: terminal.runId,
    job: jobId(terminal.jobNamespace, terminal.jobName),
    parentJob: withParent ? jobId(withParent.parentJobNamespace, withParent.parentJobName) : '',
    domain: all.find((e) => e.domain !== '')?.domain ?? '',
    status: terminal.eventType,
  };
  const none = [['', { namespace: '', name: '', rows: -1 }]] as const;
  const rows: FlowRow[] = [];
  for (const [srcKey, src] of inputs.length ? inputs : none)
    for (const [tgtKey, tgt] of outputs.length ? outputs : none) {
      if (rows.length >= MAX_FLOWS_PER_RUN) return rows;
      rows.push({
        ...base,
        srcDataset: srcKey,
        tgtDataset: tgtKey,
        src: srcKey ? datasetEndpoint(src.namespace, src.name) : NO_ENDPOINT,
        tgt: tgtKey ? datasetEndpoint(tgt.namespace, tgt.name) : NO_ENDPOINT,
        rowsRead: src.rows,
        rowsWritten: tgt.rows,
      });
    }
  return rows;
}
