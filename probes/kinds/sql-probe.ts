import type { SqlProbeSpec } from '../../core/catalog/index.ts';
import { ProbeError } from '../probe-error.ts';
import { fingerprintOf } from '../shape.ts';
import { openSqlSource } from '../sql/open-sql-source.ts';
import type { SqlSource } from '../sql/sql-source.ts';
import { sqlTarget } from '../sql/sql-target.ts';
import type { ProbeFactory, ProbeReading } from './probe-kind.ts';
import { reusedConnection } from './reused-connection.ts';

/** Tables named after FROM / JOIN in a query: the default subjects of schema drift. */
export function tablesOf(query: string): string[] {
  const out = new Set<string>();
  for (const m of query.matchAll(/\b(?:from|join)\s+([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)/gi)) out.add(m[1].toLowerCase());
  return [...out];
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** The row's first numeric column is the value; every numeric column is a metric. */
export function readingFromRow(rows: Array<Record<string, unknown>>, fields: string[], id: string): Pick<ProbeReading, 'value' | 'metrics'> {
  if (rows.length === 0) throw new ProbeError('response', `probe ${id}: the query returned no rows; it must return one row with a number`);
  const row = rows[0];
  const metrics: Record<string, number> = {};
  let value: number | undefined;
  for (const f of fields) {
    const n = numeric(row[f]);
    if (n === undefined) continue;
    metrics[f] = n;
    value ??= n;
  }
  if (value === undefined) {
    throw new ProbeError(
      'response',
      `probe ${id}: the query's row has no numeric column (got ${fields
        .map((f) => `${f}=${JSON.stringify(row[f])}`)
        .join(', ')
        .slice(0, 120)})`,
    );
  }
  return { value, metrics };
}

export const sqlProbe: ProbeFactory<SqlProbeSpec> = (spec, secrets) => {
  // Closing a pool can reject (mysql2 ending one whose connect failed): it is forgotten either way, not kept closed.
  const pool = reusedConnection<SqlSource>({ close: (s) => s.close() });
  const tables = spec.tables ?? tablesOf(spec.query);
  return {
    async run(timeoutMs) {
      const target = { ...sqlTarget(spec, secrets, `probe ${spec.id}`), application: `weft-probe:${spec.id}`, connectTimeoutMs: timeoutMs };
      // The run keeps its own pool: a close() meanwhile ends it, and a later run's new pool is not this run's.
      const source = await pool.get(async () => openSqlSource(target));
      const { rows, fields } = await source.query(spec.query, [], timeoutMs);
      const reading = readingFromRow(rows, fields, spec.id);
      const columns = await source.columns(tables, timeoutMs);
      const shape = columns.map((c) => ({ table: c.table, column: c.column, type: c.type, nullable: c.nullable }));
      return { ...reading, shape: shape.length > 0 ? fingerprintOf(shape) : undefined };
    },
    close: () => pool.close(),
  };
};
