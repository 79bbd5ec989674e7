/** A PostgreSQL or MySQL/MariaDB database, reached read-only through a small pool. */
export type SqlDialect = 'postgres' | 'mysql';

export interface SqlRows {
  rows: Array<Record<string, unknown>>;
  fields: string[];
}

/** Runs one statement inside the current session. */
export type SqlQuery = (sql: string, params?: unknown[]) => Promise<SqlRows>;

export interface ColumnInfo {
  table: string;
  column: string;
  /** The declared type as the database states it: "numeric(12,2)", "varchar(80)", "datetime(3)". */
  type: string;
  nullable: boolean;
  /** Character set of a text column (MySQL/MariaDB); PostgreSQL text is in the database encoding. */
  charset?: string;
}

export interface SqlSource {
  readonly dialect: SqlDialect;
  /** Where, without credentials: "postgres://postgres@127.0.0.1:5432/test". */
  readonly where: string;
  /** One statement in a read-only transaction with a statement timeout, on a pooled connection. */
  query(sql: string, params: unknown[], timeoutMs: number): Promise<SqlRows>;
  /**
   * Several statements against one consistent read-only snapshot (REPEATABLE READ in PostgreSQL,
   * WITH CONSISTENT SNAPSHOT in MariaDB/MySQL); each statement has the timeout.
   */
  snapshot<T>(timeoutMs: number, work: (query: SqlQuery) => Promise<T>): Promise<T>;
  /** Columns and declared types from information_schema; tables as "name" or "schema.name". */
  columns(tables: string[], timeoutMs: number): Promise<ColumnInfo[]>;
  close(): Promise<void>;
}

/** How long a new connection may take when the target does not say (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** What a connection needs once references are resolved. */
export interface SqlTarget {
  dialect: SqlDialect;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Shown to the database's administrators (PostgreSQL application_name): "weft-probe:crm-count". */
  application?: string;
  /**
   * How long a new connection may take (ms; default `DEFAULT_CONNECT_TIMEOUT_MS`): a probe gives its own timeout, so
   * that a server that accepts and never answers is given up when the probe is, not 10 s later (closing the pool waits
   * for a pending connect).
   */
  connectTimeoutMs?: number;
  /**
   * How messages name this database when its address is itself secret (`dsn: env:NAME`): the
   * reference, so that no part of the DSN (user, host, database) reaches a message.
   */
  label?: string;
}

/** The database as messages name it: "postgres://weft@crm-db:5432/crm", or "env:CRM_DB_URL" for a secret DSN. */
export function describeTarget(t: SqlTarget): string {
  return t.label ?? `${t.dialect}://${t.user}@${t.host}:${t.port}/${t.database}`;
}
