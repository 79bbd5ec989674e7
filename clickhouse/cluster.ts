/**
 * The cluster variant of the schema, generated from the same migration files: every MergeTree
 * table becomes `<name>_local` on each node (Replicated engine, `ON CLUSTER`) plus a Distributed
 * table `<name>` over it, so that writers and readers keep using the plain names. Materialized
 * views attach to the local tables on each node; ALTERs go to the local tables.
 */
export interface ClusterOptions {
  cluster: string;
  database: string;
}

const CREATE_TABLE = /^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?/i;
const CREATE_MV = /^CREATE\s+MATERIALIZED\s+VIEW\s+(IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?/i;
const DROP = /^DROP\s+(VIEW|TABLE|DICTIONARY|FUNCTION)\s+(IF\s+EXISTS\s+)?`?(\w+)`?/i;
const CREATE_OTHER = /^CREATE\s+(OR\s+REPLACE\s+)?(VIEW|DICTIONARY|FUNCTION)\s+(IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?/i;
const ALTER_TABLE = /^ALTER\s+TABLE\s+`?(\w+)`?/i;
const ENGINE = /ENGINE\s*=\s*(\w*)MergeTree(?:\s*\(([^()]*)\))?/i;

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;
const local = (name: string) => `${name}_local`;

function replicated(statement: string, table: string): string {
  return statement.replace(ENGINE, (_m, kind: string, args: string | undefined) => {
    const path = quote(`/clickhouse/tables/{shard}/{database}/${table}`);
    const rest = args && args.trim() ? `, ${args.trim()}` : '';
    return `ENGINE = Replicated${kind}MergeTree(${path}, '{replica}'${rest})`;
  });
}

/** Names of the MergeTree tables the statements create (the ones that get a `_local` twin). */
export function mergeTreeTables(statements: string[]): Set<string> {
  const names = new Set<string>();
  for (const s of statements) {
    const m = CREATE_TABLE.exec(s);
    if (m && ENGINE.test(s) && !/ENGINE\s*=\s*Replicated/i.test(s)) names.add(m[2]);
  }
  return names;
}

function renameTables(sql: string, tables: Set<string>): string {
  if (tables.size === 0) return sql;
  const pattern = new RegExp(`(?<![\\w.\`'"])\`?(${[...tables].join('|')})\`?(?![\\w'"])`, 'g');
  return sql.replace(pattern, (_m, name: string) => local(name));
}

/**
 * Rewrites rendered migration statements for a cluster. `known` lists MergeTree tables created
 * by earlier migrations (so that a later ALTER or view finds their local twins).
 */
export function clusterize(statements: string[], options: ClusterOptions, known: Set<string> = new Set()): string[] {
  const on = `ON CLUSTER ${quote(options.cluster)}`;
  const tables = new Set([...known, ...mergeTreeTables(statements)]);
  const out: string[] = [];
  for (const s of statements) {
    const table = CREATE_TABLE.exec(s);
    if (table && tables.has(table[2]) && ENGINE.test(s)) {
      const name = table[2];
      const head = `CREATE TABLE ${table[1] ?? ''}${local(name)} ${on}`;
      out.push(replicated(head + s.slice(table[0].length), local(name)));
      const topLevel = s.split(/\bNested\b/)[0];
      const shardKey = /\bTraceId\s+String\b/.test(topLevel) ? 'cityHash64(TraceId)' : 'rand()';
      out.push(`CREATE TABLE ${table[1] ?? ''}${name} ${on} AS ${local(name)} ENGINE = Distributed(${quote(options.cluster)}, ${quote(options.database)}, ${local(name)}, ${shardKey})`);
      continue;
    }
    if (table) {
      out.push(`${table[0]} ${on}${s.slice(table[0].length)}`);
      continue;
    }
    const mv = CREATE_MV.exec(s);
    if (mv) {
      const body = renameTables(s.slice(mv[0].length), tables);
      out.push(replicated(`${mv[0]} ${on}${body}`, mv[2]));
      continue;
    }
    const alter = ALTER_TABLE.exec(s);
    if (alter) {
      const name = tables.has(alter[1]) ? local(alter[1]) : alter[1];
      out.push(`ALTER TABLE ${name} ${on}${s.slice(alter[0].length)}`);
      continue;
    }
    const drop = DROP.exec(s);
    if (drop) {
      const name = drop[1].toUpperCase() === 'TABLE' && tables.has(drop[3]) ? local(drop[3]) : drop[3];
      out.push(`DROP ${drop[1]} ${drop[2] ?? ''}${name} ${on}${s.slice(drop[0].length)}`);
      continue;
    }
    const other = CREATE_OTHER.exec(s);
    if (other) {
      out.push(`${other[0]} ${on}${s.slice(other[0].length)}`);
      continue;
    }
    out.push(s);
  }
  return out;
}
