import { Secrets } from '../../index.ts';
import { runReconciliation } from '../index.ts';
import type { TwoDatabases } from './two-databases.ts';

/** One side of a two-column table (`id` key, `v` value) written for a reconciliation test. */
export interface Side {
  db: 'pg' | 'my';
  /** The value column's type, as its database spells it. */
  type: string;
  /** The key column's type (default integer). */
  keyType?: string;
  /** Key and value as written: each database stores the value at its column's precision. */
  rows: Array<[unknown, unknown]>;
  /** The side's `timeZone` (catalog field), when given. */
  timeZone?: string;
}

/** What one run printed: its error, its sampled missing, extra and changed keys, and each changed value as [key, left, right]. */
export interface RunOutcome {
  error: string;
  missing: string[];
  extra: string[];
  changed: string[];
  shown: unknown[][];
}

/**
 * A reconciliation of two written sides, run both ways (`a` then `b` as the left side): the tables are made in `db`'s
 * databases, named `<prefix>_<name>_<i>_<suffix>` and dropped with the file's. Rejects with the databases' errors.
 */
export function bothWaysOf(db: TwoDatabases, prefix: string): (name: string, a: Side, b: Side) => Promise<RunOutcome[]> {
  const secrets = new Secrets(() => undefined);
  return async (name, a, b) => {
    const spec = async (s: Side, i: number) => {
      const table = `${prefix}_${name}_${i}_${db.suffix}`;
      db.tables.push(table);
      const create = `CREATE TABLE ${table} (id ${s.keyType ?? 'integer'} PRIMARY KEY, v ${s.type})`;
      if (s.db === 'pg') {
        await db.pg.query(create);
        for (const [k, v] of s.rows) await db.pg.query(`INSERT INTO ${table} VALUES ($1, $2)`, [k, v]);
      } else {
        await db.my.query(create);
        for (const [k, v] of s.rows) await db.my.query(`INSERT INTO ${table} VALUES (?, ?)`, [k, v]);
      }
      return {
        system: s.db === 'pg' ? 'crm' : 'erp',
        url: s.db === 'pg' ? 'postgres://postgres@127.0.0.1:5432/test' : 'mysql://root@127.0.0.1:3306/test',
        table,
        ...(s.timeZone ? { timeZone: s.timeZone } : {}),
      };
    };
    const sides = [await spec(a, 0), await spec(b, 1)];
    const out: RunOutcome[] = [];
    for (const [left, right] of [sides, [sides[1], sides[0]]]) {
      const run = await runReconciliation({ id: `rec-${prefix}-${name}`, key: 'id', columns: ['v'], left, right }, { secrets });
      out.push({
        error: run.error,
        missing: run.sampleMissing,
        extra: run.sampleExtra,
        changed: run.sampleChanged,
        shown: run.details.changedColumns.map((c) => [c.key, ...c.columns.flatMap((v) => [v.left, v.right])]),
      });
    }
    return out;
  };
}

/**
 * The outcomes expected of `bothWaysOf` for differences `x` seen with the first side on the left: the second run has
 * missing and extra swapped and each shown value pair swapped.
 */
export function both(
  x: { missing?: string[]; extra?: string[]; changed?: string[]; shown?: Array<[string, string | null, string | null]> } = {},
): RunOutcome[] {
  const none = { error: '', missing: [], extra: [], changed: [], shown: [] };
  return [
    { ...none, ...x, shown: x.shown ?? [] },
    { ...none, missing: x.extra ?? [], extra: x.missing ?? [], changed: x.changed ?? [], shown: (x.shown ?? []).map(([k, l, r]) => [k, r, l]) },
  ];
}
