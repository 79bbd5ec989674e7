import type pg from 'pg';
import { networkCause, ProbeError } from '../probe-error.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS, describeTarget, type ColumnInfo, type SqlRows, type SqlSource, type SqlTarget } from './sql-source.ts';

/**
 * PostgreSQL SQLSTATE classes → probe error codes. For a secret DSN (`secret`), connection errors
 * are told by their SQLSTATE only: the server's text names the role and database, parts of the secret.
 */
function classify(err: unknown, where: string, timeoutMs: number, secret = false): ProbeError {
  if (err instanceof ProbeError) return err;
  const e = err as { code?: string; message?: string };
  const said = (text: string) => (secret ? `SQLSTATE ${e.code ?? 'unknown'}` : text);
  const net = networkCause(err);
  if (net) return new ProbeError('down', `PostgreSQL at ${where} is not reachable (${net})`);
  if (e.code === '57014') return new ProbeError('timeout', `PostgreSQL at ${where}: the query ran longer than the ${timeoutMs} ms timeout and was cancelled`);
  if (e.code === '28P01' || e.code === '28000') return new ProbeError('auth', `PostgreSQL at ${where} refused the credentials: ${said(String(e.message))}`);
  if (e.code === '3D000') return new ProbeError('config', `PostgreSQL at ${where}: ${secret ? 'the database does not exist (SQLSTATE 3D000)' : e.message}`);
  if (e.code && /^(42|22|25|0A)/.test(e.code)) return new ProbeError('query', `PostgreSQL at ${where} rejected the query: ${e.message}`);
  if (/timeout/i.test(String(e.message))) return new ProbeError('timeout', `PostgreSQL at ${where} did not answer within ${timeoutMs} ms`);
  return new ProbeError('down', `PostgreSQL at ${where}: ${said(e.message ?? String(err))}`);
}

const toRows = (r: pg.QueryResult): SqlRows => ({ rows: r.rows as Record<string, unknown>[], fields: r.fields.map((f) => f.name) });

export function openPgSource(target: SqlTarget, poolSize = 2): SqlSource {
  const where = describeTarget(target);
  const secret = target.label !== undefined;
  // The driver is loaded, and the pool made, by the first query: not by every Weft, nor for a source never queried.
  let pooled: Promise<pg.Pool> | undefined;
  const poolOf = () =>
    (pooled ??= import('pg').then(({ default: driver }) => {
      const pool = new driver.Pool({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password || undefined,
        database: target.database,
        max: poolSize,
        idleTimeoutMillis: 30_000,
        connectionTimeoutMillis: target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        application_name: (target.application ?? 'weft').slice(0, 63),
      });
      // An idle connection dropped by the server must not take the process down; the next run reconnects.
      pool.on('error', () => undefined);
      return pool;
    }));

  async function session<T>(begin: string, timeoutMs: number, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await (await poolOf()).connect();
    } catch (err) {
      throw classify(err, where, timeoutMs, secret);
    }
    let broken = false;
    try {
      await client.query(begin);
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw classify(err, where, timeoutMs, secret);
    } finally {
      client.release(broken);
    }
  }

  return {
    dialect: 'postgres',
    where,
    query: (sql, params, timeoutMs) => session('BEGIN READ ONLY', timeoutMs, async (c) => toRows(await c.query(sql, params))),
    // A statement's error is told as this database's when it is raised: `work` may run inside another source's snapshot, whose handler would name its own.
    snapshot: (timeoutMs, work) =>
      session('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', timeoutMs, (c) =>
        work(async (sql, params = []) => {
          try {
            return toRows(await c.query(sql, params));
          } catch (err) {
            throw classify(err, where, timeoutMs, secret);
          }
        }),
      ),
    async columns(tables, timeoutMs): Promise<ColumnInfo[]> {
      if (tables.length === 0) return [];
      const { rows } = await this.query(
        `SELECT c.table_schema || '.' || c.table_name AS qualified, c.table_name AS tbl, c.column_name AS col,
                c.data_type || CASE
                  WHEN c.character_maximum_length IS NOT NULL THEN '(' || c.character_maximum_length || ')'
                  WHEN c.data_type IN ('numeric', 'decimal') AND c.numeric_precision IS NOT NULL THEN '(' || c.numeric_precision || ',' || c.numeric_scale || ')'
                  WHEN c.datetime_precision IS NOT NULL AND c.data_type LIKE 'time%' THEN '(' || c.datetime_precision || ')'
                  ELSE '' END AS typ,
                c.is_nullable = 'YES' AS nullable
           FROM information_schema.columns c
          WHERE (c.table_schema || '.' || c.table_name) = ANY($1)
             OR (c.table_schema = current_schema() AND c.table_name = ANY($1))
          ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
        [tables],
        timeoutMs,
      );
      return rows.map((r) => ({ table: String(r.tbl), column: String(r.col), type: String(r.typ), nullable: Boolean(r.nullable) }));
    },
    close: async () => {
      if (pooled) await (await pooled).end();
    },
  };
}
