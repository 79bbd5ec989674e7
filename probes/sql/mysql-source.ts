import type mysql from 'mysql2/promise';
import { networkCause, ProbeError } from '../probe-error.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS, describeTarget, type ColumnInfo, type SqlRows, type SqlSource, type SqlTarget } from './sql-source.ts';

/** mysql2 errors → probe error codes; for a secret DSN, connection errors by their number only (the text names the user). */
function classify(err: unknown, where: string, timeoutMs: number, secret = false): ProbeError {
  if (err instanceof ProbeError) return err;
  const e = err as { code?: string; errno?: number; message?: string };
  const said = (text: string) => (secret ? `error ${e.errno ?? e.code ?? 'unknown'}` : text);
  const net = networkCause(err);
  if (net) return new ProbeError('down', `MySQL/MariaDB at ${where} is not reachable (${net})`);
  if (e.errno === 1969 || e.errno === 3024 || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return new ProbeError('timeout', `MySQL/MariaDB at ${where}: the query ran longer than the ${timeoutMs} ms timeout and was cancelled`);
  }
  if (e.errno === 1045 || e.errno === 1044 || e.errno === 1698)
    return new ProbeError('auth', `MySQL/MariaDB at ${where} refused the credentials: ${said(String(e.message))}`);
  if (e.errno === 1049) return new ProbeError('config', `MySQL/MariaDB at ${where}: ${secret ? 'the database does not exist (error 1049)' : e.message}`);
  if (e.code === 'ETIMEDOUT') return new ProbeError('timeout', `MySQL/MariaDB at ${where} did not answer within ${timeoutMs} ms`);
  if (e.errno && e.errno >= 1000 && e.errno < 5000) return new ProbeError('query', `MySQL/MariaDB at ${where} rejected the query: ${e.message}`);
  return new ProbeError('down', `MySQL/MariaDB at ${where}: ${said(e.message ?? String(err))}`);
}

const toRows = ([rows, fields]: [unknown, unknown]): SqlRows => ({
  rows: Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [],
  fields: Array.isArray(fields) ? (fields as Array<{ name: string }>).map((f) => f.name) : [],
});

export function openMysqlSource(target: SqlTarget, poolSize = 2): SqlSource {
  const where = describeTarget(target);
  const secret = target.label !== undefined;
  // The driver is loaded, and the pool made, by the first query: not by every Weft, nor for a source never queried.
  let pooled: Promise<mysql.Pool> | undefined;
  const poolOf = () =>
    (pooled ??= import('mysql2/promise').then(({ default: driver }) =>
      driver.createPool({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database || undefined,
        connectionLimit: poolSize,
        connectTimeout: target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        charset: 'utf8mb4',
        timezone: 'Z',
        supportBigNumbers: true,
        bigNumberStrings: true,
        dateStrings: true,
        maxIdle: poolSize,
        idleTimeout: 30_000,
      }),
    ));
  let timeoutVariable: string | undefined;

  async function session<T>(begin: string, timeoutMs: number, work: (c: mysql.PoolConnection) => Promise<T>): Promise<T> {
    let conn: mysql.PoolConnection;
    try {
      conn = await (await poolOf()).getConnection();
    } catch (err) {
      throw classify(err, where, timeoutMs, secret);
    }
    let broken = false;
    try {
      if (!timeoutVariable) {
        const [v] = (await conn.query('SELECT VERSION() AS v')) as unknown as [Array<{ v: string }>];
        timeoutVariable = /mariadb/i.test(v[0]?.v ?? '') ? 'max_statement_time' : 'max_execution_time';
      }
      const value = timeoutVariable === 'max_statement_time' ? Math.max(0.001, timeoutMs / 1000) : Math.max(1, Math.floor(timeoutMs));
      await conn.query(`SET SESSION ${timeoutVariable} = ${value}`);
      await conn.query("SET SESSION time_zone = '+00:00'");
      await conn.query(begin);
      const out = await work(conn);
      await conn.query('COMMIT');
      return out;
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw classify(err, where, timeoutMs, secret);
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  return {
    dialect: 'mysql',
    where,
    query: (sql, params, timeoutMs) =>
      session('START TRANSACTION READ ONLY', timeoutMs, async (c) => toRows((await c.query(sql, params)) as [unknown, unknown])),
    // A statement's error is told as this database's when it is raised: `work` may run inside another source's snapshot, whose handler would name its own.
    snapshot: (timeoutMs, work) =>
      session('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY', timeoutMs, (c) =>
        work(async (sql, params = []) => {
          try {
            return toRows((await c.query(sql, params)) as [unknown, unknown]);
          } catch (err) {
            throw classify(err, where, timeoutMs, secret);
          }
        }),
      ),
    async columns(tables, timeoutMs): Promise<ColumnInfo[]> {
      if (tables.length === 0) return [];
      const { rows } = await this.query(
        `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS col, COLUMN_TYPE AS typ, IS_NULLABLE = 'YES' AS nullable, CHARACTER_SET_NAME AS cs
           FROM information_schema.COLUMNS
          WHERE (CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) IN (?) OR (TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?)))
          ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
        [tables, tables],
        timeoutMs,
      );
      return rows.map((r) => ({
        table: String(r.tbl),
        column: String(r.col),
        type: String(r.typ),
        nullable: Number(r.nullable) === 1,
        ...(r.cs ? { charset: String(r.cs) } : {}),
      }));
    },
    close: async () => {
      if (pooled) await (await pooled).end();
    },
  };
}
