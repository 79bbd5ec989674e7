import { checkedRegExp } from '../../core/text/checked-regexp.ts';

/**
 * Whether a called procedure or remote method reads or writes, from the verb its name starts (else ends) with: what a
 * stored procedure call (`{call billing_pkg.upsert_invoice(?, ?)}`, `EXEC dbo.usp_UpsertInvoice`) or an RPC method
 * (`GetCustomer`, `UpdateOrder`) says of its direction when the statement or protocol does not (migration 122). A name
 * is split into words at `_`, `-`, digits and a lower-case letter followed by an upper-case one (`UpsertInvoice`,
 * `upsert_invoice`, `UPSERT_INVOICE`); an upper-case run is a word only up to a separator (`ADDRESS_GET` reads and does not add; `GETCUSTOMERS` says
 * nothing). A conventional prefix (`usp_`, `sp_`, `p_`, `pr_`, `prc_`, `proc_`, `up_`, `uspX…`,
 * `spX…`, a batch or bulk form `BatchGetX`) is skipped first. Names with neither verb (`sp_executesql`, `Check`,
 * `Watch`, `Invoke`) say nothing: ''. Byte strings in and out; every expression is written for RE2 too (no look-around,
 * no inline flags), so that migration 122 states the same ones.
 */

/** Verbs of a read: the name fetches records and changes none. */
export const READ_VERBS = [
  'get', 'select', 'sel', 'read', 'fetch', 'list', 'find', 'search', 'lookup', 'query', 'qry', 'retrieve', 'count', 'export', 'extract',
]; // prettier-ignore
/** Verbs of a write: the name stores, changes or removes records (`load`, `import` and `sync` load into the callee). */
export const WRITE_VERBS = [
  'insert', 'ins', 'update', 'upd', 'upsert', 'merge', 'delete', 'del', 'remove', 'create', 'add', 'save', 'set', 'put', 'write',
  'import', 'load', 'sync', 'post', 'store', 'append', 'replace', 'patch', 'purge', 'truncate', 'archive', 'register', 'submit',
  'apply', 'mark', 'cancel', 'send', 'publish', 'enqueue', 'push',
]; // prettier-ignore

const title = (v: string) => v[0].toUpperCase() + v.slice(1);
/** The verbs as words: followed by a non-letter or the end in any of three spellings, or by a capital when not all upper-case. */
const startsWith = (verbs: string[]) =>
  checkedRegExp(
    `^(?:(?:${verbs.flatMap((v) => [v, title(v), v.toUpperCase()]).join('|')})(?:[^A-Za-z]|$)|(?:${verbs.flatMap((v) => [v, title(v)]).join('|')})[A-Z])`,
  );
/** The verbs as the last word: after a non-letter in any spelling, or after a lower-case letter or digit capitalised. */
const endsWith = (verbs: string[]) =>
  checkedRegExp(`(?:[^A-Za-z](?:${verbs.flatMap((v) => [v, title(v), v.toUpperCase()]).join('|')})|[a-z0-9](?:${verbs.map(title).join('|')}))$`);

const READ_FIRST = startsWith(READ_VERBS);
const WRITE_FIRST = startsWith(WRITE_VERBS);
const READ_LAST = endsWith(READ_VERBS);
const WRITE_LAST = endsWith(WRITE_VERBS);
/**
 * The last part of a dotted path (`billing_pkg.upsert_invoice`, `[dbo].[usp_Upsert]`), without brackets: what follows the
 * last `.`, `[` or `]` once the closing brackets at its end are taken off, as `/([^.[\]]*)\]*$/` reads it (read by hand:
 * that expression, tried from each place, took the square of a name's length).
 */
function lastPart(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x5d) end--;
  let start = end;
  while (start > 0) {
    const c = path.charCodeAt(start - 1);
    if (c === 0x2e || c === 0x5b || c === 0x5d) break;
    start--;
  }
  return path.slice(start, end);
}
/** A conventional prefix followed by `_`, in any case. */
const SNAKE_PREFIX = /^(?:[Uu][Ss][Pp]|[Ss][Pp]|[Uu][Pp]|[Pp][Rr][Oo][Cc]|[Pp][Rr][Cc]|[Pp][Rr]|[Pp]|[Bb][Aa][Tt][Cc][Hh]|[Bb][Uu][Ll][Kk])_+/;
/** A conventional prefix written onto a capitalised word (`uspUpsertInvoice`, `BatchGetCustomers`): the capital is kept. */
const CAMEL_PREFIX = /^(?:usp|sp|up|proc|prc|pr|batch|Batch|bulk|Bulk)([A-Z])/;

/**
 * 'read', 'write' or '' for the name of a procedure or method, possibly qualified (`schema.name`, `[dbo].[name]`); a byte
 * string (byte-text.ts). clickhouse/migrations/122 states the same expressions (`name_dirs`).
 */
export function nameDirection(path: string): string {
  const name = lastPart(path).replace(SNAKE_PREFIX, '').replace(CAMEL_PREFIX, '$1');
  if (READ_FIRST.test(name)) return 'read';
  if (WRITE_FIRST.test(name)) return 'write';
  if (READ_LAST.test(name)) return 'read';
  if (WRITE_LAST.test(name)) return 'write';
  return '';
}
