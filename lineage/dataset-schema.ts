/**
 * Pure: the `schema` facets of an event's datasets → rows of weft_lineage_schemas, in the shape the
 * probes keep for schema drift (probe_schemas: a JSON array of `{ table, column, type, nullable }`,
 * see probes/schema-drift `flattenShape`), with a fingerprint of that shape.
 * Facet: https://openlineage.io/docs/spec/facets/dataset-facets/schema
 */
import { createHash } from 'node:crypto';
import { datasetEndpoint, datasetKey } from './dataset-endpoint.ts';
import { eventTimeMs } from './event-time.ts';
import { jobId } from './run-flows.ts';
import type { RunEvent, SchemaField } from './schema.ts';

/** One dataset's schema as one event reported it. `ts` in epoch milliseconds (the event's time). */
export interface SchemaRow {
  ts: number;
  /** The partition-free dataset key (`datasetKey`). */
  dataset: string;
  namespace: string;
  name: string;
  runId: string;
  job: string;
  domain: string;
  fingerprint: string;
  /** JSON: `[{ table, column, type, nullable }]`, columns in the producer's order, nested fields as `parent.child`. */
  shape: string;
}

/** Nested struct fields deeper than this are not followed (a malformed facet cannot recurse without end). */
const MAX_DEPTH = 8;

interface Column {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

function columns(table: string, fields: unknown, prefix: string, depth: number, out: Column[]): Column[] {
  if (!Array.isArray(fields) || depth > MAX_DEPTH) return out;
  for (const f of fields as SchemaField[]) {
    if (!f || typeof f.name !== 'string') continue;
    const column = prefix ? `${prefix}.${f.name}` : f.name;
    // The facet says nothing about nullability: every column counts as nullable, so only names and types are compared.
    out.push({ table, column, type: typeof f.type === 'string' ? f.type : '', nullable: true });
    columns(table, f.fields, column, depth + 1, out);
  }
  return out;
}

/** The table part of a dataset, for the shape's paths: `orders.public.orders`, or a file dataset's partition-free path. */
function tableOf(namespace: string, name: string): string {
  const e = datasetEndpoint(namespace, name);
  return e.kind === 'http' ? e.name.replace(/^\//, '') : name;
}

/** Every dataset of the event (inputs and outputs) that carries a `schema` facet with at least one field. */
export function datasetSchemas(event: RunEvent, domain: string): SchemaRow[] {
  const ts = eventTimeMs(event.eventTime);
  const job = jobId(event.job.namespace, event.job.name);
  const rows: SchemaRow[] = [];
  for (const d of [...(event.inputs ?? []), ...(event.outputs ?? [])]) {
    const fields = d.facets?.schema?.fields;
    if (!fields || fields.length === 0) continue;
    const shape = JSON.stringify(columns(tableOf(d.namespace, d.name), fields, '', 0, []));
    const fingerprint = createHash('sha256').update(shape).digest('hex');
    rows.push({ ts, dataset: datasetKey(d.namespace, d.name), namespace: d.namespace, name: d.name, runId: event.run.runId, job, domain, fingerprint, shape });
  }
  return rows;
}
