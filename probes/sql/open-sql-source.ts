import { openMysqlSource } from './mysql-source.ts';
import { openPgSource } from './pg-source.ts';
import type { SqlDialect, SqlSource, SqlTarget } from './sql-source.ts';

const openers: Record<SqlDialect, (target: SqlTarget, poolSize?: number) => SqlSource> = {
  postgres: openPgSource,
  mysql: openMysqlSource,
};

/** A pooled, read-only connection to the target's database. */
export function openSqlSource(target: SqlTarget, poolSize?: number): SqlSource {
  return openers[target.dialect](target, poolSize);
}
