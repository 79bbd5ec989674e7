/**
 * Other names of one database system, lower-case, → the name Weft keys its endpoints and `databases` rules by. The
 * official instrumentations do not agree on one name:
 * - `postgres` (older instrumentations) and `mariadb` (a MySQL server) are the names 021 already folded;
 * - the stable database conventions' `microsoft.sql_server` (instrumentation-tedious since it adopted them),
 *   `oracle.db` (instrumentation-oracledb), `ibm.db2` and `aws.redshift`, where the older ones said `mssql`, `oracle`,
 *   `db2` and `redshift`;
 * - instrumentation-knex names the driver Knex runs on where it has no mapping of its own (it maps only `pg` and
 *   `sqlite3`): `mysql2`, `pgnative`, `pg-redshift`, `oracledb`, `better-sqlite3`.
 * Without them one database was two endpoints: a knex `insert` into MariaDB over mysql2 was the unknown system
 * `mysql2://…`, which `databases: ["mysql://…"]` does not match, while the driver's own span under it (the same
 * statement) was taken as its transport (migration 112). clickhouse/migrations/113 folds the same names in SQL.
 */
export const dbSystemAliases: ReadonlyMap<string, string> = new Map([
  ['postgres', 'postgresql'],
  ['pg', 'postgresql'],
  ['pgnative', 'postgresql'],
  ['mariadb', 'mysql'],
  ['mysql2', 'mysql'],
  ['microsoft.sql_server', 'mssql'],
  ['oracle.db', 'oracle'],
  ['oracledb', 'oracle'],
  ['ibm.db2', 'db2'],
  ['aws.redshift', 'redshift'],
  ['pg-redshift', 'redshift'],
  ['sqlite3', 'sqlite'],
  ['better-sqlite3', 'sqlite'],
]);

/** The system name Weft keys a database by: `name` in ASCII lower case, its alias (dbSystemAliases) folded. */
export function canonicalDbSystem(name: string): string {
  const lower = name.replace(/[A-Z]+/g, (c) => c.toLowerCase());
  return dbSystemAliases.get(lower) ?? lower;
}
