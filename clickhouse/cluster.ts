import { ALTER_TABLE, CREATE_MV, CREATE_OTHER, CREATE_TABLE, DROP } from './statement-kinds.ts';

/**
 * The cluster variant of the schema, generated from the same migration files: every MergeTree
 * table becomes `<name>_local` on each node (Replicated engine, `ON CLUSTER`) plus a Distributed
 * table `<name>` over it, so that writers and readers keep using the plain names. Materialized
 * views attach to the local tables on each node; ALTERs go to the local tables (and a column change to the
 * Distributed table as well).
 */
export interface ClusterOptions {
  cluster: string;
  database: string;
}

const ENGINE = /ENGINE\s*=\s*(\w*)MergeTree(?:\s*\(([^()]*)\))?/i;

/** `s` as a ClickHouse string literal (single quotes; a quote or backslash in it escaped). */
export const quote = (s: string) => `'${s.replace(/['\\]/g, (c) => `\\${c}`)}'`;
const local = (name: string) => `${name}_local`;

function replicated(statement: string, table: string): string {
  return statement.replace(ENGINE, (_m, kind: string, args: string | undefined) => {
    const path = quote(`/clickhouse/tables/{shard}/{database}/${table}`);
    const rest = args && args.trim() ? `, ${args.trim()}` : '';
    return `ENGINE = Replicated${kind}MergeTree(${path}, '{replica}'${rest})`;
  });
}

/** The sorting key of a CREATE TABLE statement (`ORDER BY …` after the engine), without its outer parentheses. */
export function sortingKey(statement: string): string | undefined {
  const engine = ENGINE.exec(statement);
  const rest = engine ? statement.slice(engine.index) : statement;
  const m = /\bORDER\s+BY\s+/i.exec(rest);
  if (!m) return undefined;
  const text = rest.slice(m.index + m[0].length);
  if (text[0] !== '(') return /^[^\s;]+/.exec(text)?.[0];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(1, i).trim();
  }
  return undefined;
}

/**
 * The Distributed table's sharding key. Deterministic, so that a spool segment replayed after a
 * partial failure splits over the shards exactly as the first time (each shard's block then
 * carries the same deduplication token and is dropped as a duplicate), and so that rows with one
 * sorting key meet on one shard (Replacing/Aggregating merges can only collapse rows they see):
 * - tables with a top-level `TraceId`: the trace id, so a trace stays on one shard; rows without
 *   one (most log records) by their sorting key, not all onto the shard of the empty string;
 * - other tables: their sorting key; `rand()` only when there is none (`ORDER BY tuple()`).
 */
export function shardingKey(statement: string): string {
  const key = sortingKey(statement);
  const byKey = key && !/^tuple\(\s*\)$/i.test(key) ? `cityHash64(${key})` : undefined;
  const topLevel = statement.split(/\bNested\b/)[0];
  if (/\bTraceId\s+String\b/.test(topLevel)) return byKey ? `if(TraceId = '', ${byKey}, cityHash64(TraceId))` : 'cityHash64(TraceId)';
  return byKey ?? 'rand()';
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
  // eslint-disable-next-line no-restricted-syntax -- built from Weft's own table names, read against its own migrations
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
      const shardKey = shardingKey(s);
      out.push(
        `CREATE TABLE ${table[1] ?? ''}${name} ${on} AS ${local(name)} ENGINE = Distributed(${quote(options.cluster)}, ${quote(options.database)}, ${local(name)}, ${shardKey})`,
      );
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
      const rest = s.slice(alter[0].length);
      const name = tables.has(alter[1]) ? local(alter[1]) : alter[1];
      out.push(`ALTER TABLE ${name} ${on}${rest}`);
      // A column is the Distributed table's too (it reads the local tables through its own columns); a setting or a
      // sorting key is not: of an ALTER with several commands, only its column commands go to the Distributed table.
      const columns = tables.has(alter[1]) ? alterCommands(rest).filter((c) => /^(ADD|DROP|MODIFY|RENAME|COMMENT)\s+COLUMN\b/i.test(c)) : [];
      if (columns.length > 0) out.push(`ALTER TABLE ${alter[1]} ${on} ${columns.join(', ')}`);
      continue;
    }
    const drop = DROP.exec(s);
    if (drop) {
      // A MergeTree table is two on a cluster: the Distributed table, then its `_local` twin.
      if (drop[1].toUpperCase() === 'TABLE' && tables.has(drop[3]))
        out.push(
          `DROP TABLE ${drop[2] ?? ''}${drop[3]} ${on}${s.slice(drop[0].length)}`,
          `DROP TABLE ${drop[2] ?? ''}${local(drop[3])} ${on}${s.slice(drop[0].length)}`,
        );
      else out.push(`DROP ${drop[1]} ${drop[2] ?? ''}${drop[3]} ${on}${s.slice(drop[0].length)}`);
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

/**
 * The commands of an ALTER's tail (`ADD COLUMN a UInt8, MODIFY ORDER BY (x, a)`), split at the commas outside
 * parentheses and string literals, trimmed.
 */
function alterCommands(rest: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === "'") {
      // A literal ends at the next quote not escaped by a backslash.
      for (i++; i < rest.length && rest[i] !== "'"; i++) if (rest[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(rest.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(rest.slice(start).trim());
  return out.filter((c) => c !== '');
}
