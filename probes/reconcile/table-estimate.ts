import type { SqlQuery } from '../sql/sql-source.ts';
import { quoteIdent } from './canonical.ts';
import type { SideDefinition } from './sql-side.ts';

/** The planner's row estimate of a side's table (PostgreSQL reltuples, MariaDB/MySQL TABLE_ROWS); -1 when unknown. */
export async function estimateOf(def: SideDefinition, query: SqlQuery): Promise<number> {
  const d = def.source.dialect;
  const table = quoteIdent[d](def.table);
  const [schema, name] = def.table.includes('.') ? def.table.split('.') : [null, def.table];
  const est =
    d === 'postgres'
      ? await query(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`, [table])
      : await query(`SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`, [schema, name]);
  return est.rows[0]?.n === null || est.rows[0]?.n === undefined ? -1 : Number(est.rows[0].n);
}
