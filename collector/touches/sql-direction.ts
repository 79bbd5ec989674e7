import { asciiUpper, validUtf8 } from './byte-text.ts';
import { nameDirection } from './name-verb.ts';

/**
 * Whether a database span read or wrote, as migration 033 decides it: from the operation the span
 * names (db.operation.name / db.operation / db.query.summary, or a command store's statement), else
 * from the statement as a tokenizer sees it. Inputs and results are byte strings (byte-text.ts);
 * every regular expression here runs on valid UTF-8, as in SQL, where `\s` is [\t\n\f\r ] and `.`
 * matches a newline.
 */

const READ_OPS = new Set([
  // SQL
  'SELECT', 'SHOW', 'VALUES', 'TABLE',
  // MongoDB (driver commands, mongoose operations)
  'FIND', 'FINDONE', 'GETMORE', 'AGGREGATE', 'COUNT', 'COUNTDOCUMENTS', 'ESTIMATEDDOCUMENTCOUNT', 'DISTINCT',
  // Redis / Valkey: reads, and pops that consume a list, set, sorted set or stream (data flows out of the store)
  'GET', 'MGET', 'STRLEN', 'EXISTS', 'TTL', 'PTTL', 'SCAN',
  'HGET', 'HGETALL', 'HMGET', 'HEXISTS', 'HLEN', 'HSCAN',
  'LRANGE', 'LLEN', 'LPOP', 'RPOP', 'BLPOP', 'BRPOP', 'LMOVE', 'BLMOVE', 'RPOPLPUSH', 'BRPOPLPUSH', 'LMPOP', 'BLMPOP',
  'SMEMBERS', 'SISMEMBER', 'SCARD', 'SSCAN', 'SPOP',
  'ZRANGE', 'ZRANGEBYSCORE', 'ZREVRANGE', 'ZREVRANGEBYSCORE', 'ZCARD', 'ZSCAN', 'ZPOPMIN', 'ZPOPMAX', 'BZPOPMIN', 'BZPOPMAX',
  'XREAD', 'XREADGROUP', 'XRANGE',
]); // prettier-ignore
const WRITE_OPS = new Set([
  // SQL
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'TRUNCATE', 'COPY',
  // MongoDB
  'INSERTONE', 'INSERTMANY', 'UPDATEONE', 'UPDATEMANY', 'DELETEONE', 'DELETEMANY', 'REPLACEONE', 'REMOVE', 'BULKWRITE',
  'FINDANDMODIFY', 'FINDONEANDUPDATE', 'FINDONEANDREPLACE', 'FINDONEANDDELETE',
  // Redis / Valkey
  'SET', 'SETNX', 'SETEX', 'PSETEX', 'MSET', 'MSETNX', 'GETSET', 'GETDEL', 'APPEND',
  'INCR', 'INCRBY', 'INCRBYFLOAT', 'DECR', 'DECRBY', 'DEL', 'UNLINK', 'EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT',
  'HSET', 'HSETNX', 'HMSET', 'HINCRBY', 'HINCRBYFLOAT', 'HDEL',
  'LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LINSERT', 'LSET', 'LREM', 'LTRIM',
  'SADD', 'SREM', 'ZADD', 'ZINCRBY', 'ZREM',
  'XADD', 'XACK', 'XDEL', 'XTRIM', 'PUBLISH',
]); // prettier-ignore
/**
 * Writes under names that mean something else elsewhere, so only for MongoDB: mongoose's `save` and `create` (in
 * Redis SAVE persists the dataset to disk; in SQL a CREATE without AS is schema, not data).
 */
const MONGODB_WRITE_OPS = new Set(['SAVE', 'CREATE']);
/**
 * Operations of the stores whose clients name each call after the store's API, by system: DynamoDB's (the aws-sdk
 * instrumentation's `db.operation.name` is the command: Query, PutItem…) and the search engines' (the Elasticsearch
 * and OpenSearch clients name the endpoint: `search`, `bulk`, `delete_by_query`, of which the first word is read).
 * Only for their systems: a SQL driver's `query` says nothing of a statement's direction.
 */
const STORE_OPS: ReadonlyMap<string, { read: ReadonlySet<string>; write: ReadonlySet<string> }> = new Map(
  [
    [
      'dynamodb',
      ['GETITEM', 'BATCHGETITEM', 'QUERY', 'SCAN', 'TRANSACTGETITEMS'],
      ['PUTITEM', 'UPDATEITEM', 'DELETEITEM', 'BATCHWRITEITEM', 'TRANSACTWRITEITEMS'],
    ],
    ['elasticsearch', ['SEARCH', 'MSEARCH', 'SCROLL', 'GET', 'MGET', 'COUNT', 'EXISTS'], ['INDEX', 'CREATE', 'UPDATE', 'DELETE', 'BULK', 'REINDEX']],
    ['opensearch', ['SEARCH', 'MSEARCH', 'SCROLL', 'GET', 'MGET', 'COUNT', 'EXISTS'], ['INDEX', 'CREATE', 'UPDATE', 'DELETE', 'BULK', 'REINDEX']],
  ].map(([sys, read, write]) => [sys as string, { read: new Set(read), write: new Set(write) }]),
);
const COMMAND_STORES = new Set(['redis', 'valkey', 'memcached']);
/** The stores whose clients send commands in a transaction (MULTI … EXEC) or a pipeline. */
const BATCHING_STORES = new Set(['redis', 'valkey']);
/** The prefixes the Redis instrumentations name a transaction's or pipeline's command by (`MULTI SET`, `PIPELINE lpush`). */
const BATCH_PREFIXES = new Set(['MULTI', 'PIPELINE']);

const FIRST_WORD = /^[\t\n\f\r (]*([A-Za-z]+)/;
/** The word after the first: the command of `MULTI SET`, `PIPELINE lpush`. */
const SECOND_WORD = /^[\t\n\f\r (]*[A-Za-z]+[\t\n\f\r ]+([A-Za-z]+)/;
/** Comments, string literals and quoted identifiers: what a tokenizer skips. */
const NOISE = /\/\*.*?\*\/|--[^\n]*|#[^\n]*|'(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*"|`[^`]*`|\$\$.*?\$\$/gs;
/** The same for PostgreSQL and its kin, where `#` is an operator (`payload #>> '{id}'`), not a comment. */
const NOISE_NO_HASH = /\/\*.*?\*\/|--[^\n]*|'(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*"|`[^`]*`|\$\$.*?\$\$/gs;
const HASH_IS_OPERATOR = new Set(['postgresql', 'cockroachdb', 'redshift']);
/** A row lock (`FOR UPDATE`, `FOR NO KEY UPDATE`) names no write: a CTE that only locks and reads is a read. */
const ROW_LOCK = /\bFOR[\t\n\f\r ]+(?:NO[\t\n\f\r ]+KEY[\t\n\f\r ]+)?UPDATE\b/g;
const LEADING = /^[\t\n\f\r (]+/;
const VERB = /^([A-Z]+)/;
const SELECT_INTO = /\bINTO[\t\n\f\r ]+(?:TEMP\w*[\t\n\f\r ]+|UNLOGGED[\t\n\f\r ]+|TABLE[\t\n\f\r ]+)*[A-Z_]/;
const INTO_FILE = /\bINTO[\t\n\f\r ]+(?:OUTFILE|DUMPFILE)\b/;
const CTE_WRITE = /\b(?:INSERT|UPDATE|DELETE|MERGE)\b/;
const COPY_FROM = /^COPY[\t\n\f\r ]+[^\t\n\f\r (]+(?:[\t\n\f\r ]*\([^)]*\))?[\t\n\f\r ]+FROM\b/;
const CREATE_AS = /^CREATE[\t\n\f\r ]+(?:\w+[\t\n\f\r ]+)*TABLE\b.*\bAS\b/s;
const READ_VERBS = new Set(['SELECT', 'SHOW', 'VALUES', 'TABLE', 'EXPLAIN', 'DESCRIBE', 'DESC']);
/** Each table a statement names after FROM or JOIN (counted; a quoted name is gone with the literals, and counts as a table). */
const FROM_OR_JOIN = /\b(?:FROM|JOIN)\b/g;
/**
 * A FROM or JOIN of a system catalog or a one-row dummy table, which hold no business data: the SQL standard's
 * `information_schema`, PostgreSQL's `pg_catalog` and its `pg_*` relations, SQL Server's and Oracle's `sys.*`, Oracle's
 * `v$*` views and `dual` (MySQL's too), Db2's `sysibm.*` and `syscat.*`, SQLite's `sqlite_master` and `sqlite_schema`.
 */
const FROM_CATALOG =
  /\b(?:FROM|JOIN)[\t\n\f\r ]+(?:(?:INFORMATION_SCHEMA|PG_CATALOG|SYS|SYSIBM|SYSCAT)\.[A-Z0-9_$]+|PG_[A-Z0-9_$]+|V\$[A-Z0-9_$]+|SQLITE_MASTER|SQLITE_SCHEMA|DUAL)\b/g;
const count = (q: string, re: RegExp) => (q.match(re) ?? []).length;
const WRITE_VERBS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'TRUNCATE', 'LOAD']);

/** ClickHouse `extract(s, re)`: the first group of the first match, '' when there is none. */
export function extract(s: string, re: RegExp): string {
  return re.exec(s)?.[1] ?? '';
}

/**
 * The operation a span names (`db_op`): the first word of db.operation.name, db.operation or
 * db.query.summary (the first that is set), or of the statement for a command store; upper-case.
 * A Redis or Valkey command sent in a transaction or a pipeline is the command: @opentelemetry/instrumentation-ioredis
 * and -redis (0.71) name it `MULTI set`, `PIPELINE SET` (the word after the prefix), or, for node-redis's batch of
 * different commands, `MULTI` or `PIPELINE` alone (then the statement's first word, `SET k [1 other arguments]`);
 * ioredis's own `multi` and `exec` commands stay what they are, with no direction (migration 139).
 */
export function dbOperation(named: string, dbSys: string, dbText: string): string {
  const source = validUtf8(named !== '' ? named : COMMAND_STORES.has(dbSys) ? dbText : '');
  const op = asciiUpper(extract(source, FIRST_WORD));
  if (!BATCHING_STORES.has(dbSys) || !BATCH_PREFIXES.has(op)) return op;
  const command = extract(source, SECOND_WORD);
  return asciiUpper(command !== '' ? command : extract(validUtf8(dbText), FIRST_WORD));
}

/** 'read', 'write' or '' for an operation name (`op_dir`) of database system `dbSys` (`db_sys`). */
export function operationDirection(op: string, dbSys: string): string {
  const store = STORE_OPS.get(dbSys);
  if (store) return store.read.has(op) ? 'read' : store.write.has(op) ? 'write' : '';
  return READ_OPS.has(op) ? 'read' : WRITE_OPS.has(op) || (dbSys === 'mongodb' && MONGODB_WRITE_OPS.has(op)) ? 'write' : '';
}

/**
 * 'read', 'write' or '' for a statement (`sql_dir`) of database system `dbSys` (`db_sys`); `text` is valid UTF-8. Several
 * statements in one (`BEGIN; INSERT …; COMMIT`, `SET …; UPDATE …`) write when one of them writes, else read when one
 * of them reads: the first alone named a write no direction, or a read. A stored procedure call reads or writes as its
 * name's verb says (`{call upsert_invoice(?)}` writes, `EXEC dbo.usp_GetCustomers` reads, `EXEC sp_executesql …` says
 * nothing).
 */
export function statementDirection(text: string, dbSys: string): string {
  const cased = text.replace(HASH_IS_OPERATOR.has(dbSys) ? NOISE_NO_HASH : NOISE, ' ').replace(LEADING, '');
  // A command store's one-word command is no procedure: Redis's SAVE persists the dataset, and says no direction.
  const procedures = !COMMAND_STORES.has(dbSys);
  const each = cased.split(';').flatMap((p) => {
    const o = p.replace(LEADING, '');
    return [oneStatementDirection(asciiUpper(o)), procedures ? nameDirection(procedureCalled(o)) : ''];
  });
  return each.includes('write') ? 'write' : each.includes('read') ? 'read' : '';
}

/**
 * A stored procedure call, as drivers send it (any case): JDBC's and ODBC's escape `{call name(?, ?)}` and
 * `{?= call name(?)}`, `CALL name(…)`, T-SQL's `EXEC name …`, `EXECUTE name …` and `EXEC @rc = name …`, a PL/SQL block
 * `BEGIN name(…); END;` — its first group the procedure's name, qualified as written (`billing_pkg.upsert_invoice`,
 * `[dbo].[usp_UpsertInvoice]`).
 */
const PROCEDURE_CALL =
  /^(?:\{[\t\n\f\r ]*(?:\?[\t\n\f\r ]*=[\t\n\f\r ]*)?)?(?:[Cc][Aa][Ll][Ll]|[Ee][Xx][Ee][Cc](?:[Uu][Tt][Ee])?|[Bb][Ee][Gg][Ii][Nn])[\t\n\f\r ]+(?:@[A-Za-z0-9_]+[\t\n\f\r ]*=[\t\n\f\r ]*)?([A-Za-z0-9_$#.[\]]+)/;
/** A statement that is only a name: what a SQL Server client's span holds for a stored procedure (CommandType.StoredProcedure). */
const BARE_NAME = /^([A-Za-z0-9_$#.[\]]+)[\t\n\f\r ]*$/;

/**
 * The procedure one statement calls (`o`: without comments, literals or leading parentheses, in its own case), or ''.
 * Its name's verb (name-verb.ts) gives the call's direction, which neither CALL nor EXEC does (migration 122).
 */
function procedureCalled(o: string): string {
  const called = extract(o, PROCEDURE_CALL);
  return called !== '' ? called : extract(o, BARE_NAME);
}

/** The direction of one statement, upper-case, without comments, literals or leading parentheses. */
function oneStatementDirection(q: string): string {
  const verb = extract(q, VERB);
  if (verb === 'SELECT' && SELECT_INTO.test(q) && !INTO_FILE.test(q)) return 'write';
  // A SELECT of no table but the system catalog's reads no data: a driver's or a pool's `select version()`, `SELECT 1`,
  // `SELECT 1 FROM DUAL`, Knex's `schema.hasTable` (`select * from information_schema.tables where …`).
  if (verb === 'SELECT' && count(q, FROM_OR_JOIN) === count(q, FROM_CATALOG)) return '';
  if (READ_VERBS.has(verb)) return 'read';
  if (verb === 'WITH') return CTE_WRITE.test(q.replace(ROW_LOCK, ' ')) ? 'write' : 'read';
  if (WRITE_VERBS.has(verb)) return 'write';
  if (verb === 'COPY') return COPY_FROM.test(q) ? 'write' : 'read';
  if (verb === 'CREATE' && CREATE_AS.test(q)) return 'write';
  return '';
}
