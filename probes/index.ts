export type { SqlDialect, SqlSource, SqlRows, SqlQuery, ColumnInfo, SqlTarget } from './sql/sql-source.ts';
export { openSqlSource } from './sql/open-sql-source.ts';
export { sqlTarget } from './sql/sql-target.ts';
export { Secrets } from './secrets.ts';
export type { EnvLookup } from './secrets.ts';
export { ProbeError, isProbeError } from './probe-error.ts';
export type { ProbeErrorCode } from './probe-error.ts';
