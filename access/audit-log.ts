import { randomBytes } from 'node:crypto';
import type { Store } from '../clickhouse/index.ts';
import { claimSettings, fromChTime, settingsClause, toChTime } from '../clickhouse/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { ChainVerifier, rowHash, type AuditEntry, type ChainVerdict } from './audit-chain.ts';

/** Who acted: an Identity (token name and role), or Weft itself (`systemActor`). */
export interface Actor {
  name: string;
  role: string;
}

/** Weft's own actions (scheduled reports, alert transitions, start-up). */
export const systemActor: Actor = { name: 'weft', role: 'system' };

/** A window of the log; times are inclusive, ISO or Date. */
export interface AuditRange {
  since?: Date;
  until?: Date;
  /** Rows after this seq (paging). */
  afterSeq?: number;
  /** At most this many rows (default 1000, at most 10000). */
  limit?: number;
}

/**
 * The audit log: every state-changing action, appended as a hash-chained row. Other parts
 * (alerting, reports) take this interface; the composition root passes the one instance.
 */
export interface AuditLog {
  /**
   * Appends one row; resolves once it is stored. `detail` is stored as JSON text (keep it small,
   * and never put a secret in it). Appends from one process are serialised.
   */
  append(actor: Actor, action: string, subject: string, detail?: Record<string, unknown>): Promise<AuditEntry>;
  /** Rows in seq order within the range. */
  list(range?: AuditRange): Promise<AuditEntry[]>;
  /** Reads the whole chain, page by page, and checks it (see ChainVerifier). */
  verify(): Promise<ChainVerdict>;
}

interface Row {
  seq: string | number;
  at: string;
  actor: string;
  role: string;
  action: string;
  subject: string;
  detail: string;
  prev_hash: string;
  nonce: string;
  hash: string;
}

const toEntry = (r: Row): AuditEntry => ({
  seq: Number(r.seq),
  at: fromChTime(r.at),
  actor: r.actor,
  role: r.role,
  action: r.action,
  subject: r.subject,
  detail: r.detail,
  prevHash: r.prev_hash,
  nonce: r.nonce,
  hash: r.hash,
});

const COLUMNS = 'seq, toString(at) AS at, actor, role, action, subject, detail, prev_hash, nonce, hash';

/** The insert deduplication token of the row that takes seq `seq` of the audit log. */
export const auditClaimToken = (seq: number) => `weft-audit-${seq}`;

/**
 * Appends in a row that lose their seq to another process before one is stored: then the append fails. Each lost
 * claim is another process's row stored, so this bounds a starved appender, not a stuck log. Of k appenders claiming
 * at once one wins, and an appender loses n claims in a row with a chance near ((k-1)/k)^n: at 20, 5 processes
 * appending 20 rows each at once lost 1 to 3 rows of 100; at 200, eight appenders lose one with a chance below 1e-11.
 */
const MAX_CLAIMS = 200;
/** Reads of a claimed seq that found no row, and the wait between them (ms), before the seq is taken as spent. */
const EMPTY_REREADS = 3;
const EMPTY_REREAD_MS = 200;

/**
 * The audit log in ClickHouse (`weft_audit_log`). Several processes may append (a server's store split with
 * `--only`: the API's people, the analyzer's automatic remediations and scheduled reports): each row claims the
 * next seq as the lease claims a version (clickhouse/lease.ts). It is inserted with the deduplication token
 * {@link auditClaimToken}(seq); of two processes that read the same head and claim the same seq, the engine keeps
 * the first row and drops the other as a duplicate (`non_replicated_deduplication_window`, migration 097; Keeper
 * on a replicated table, whose rows of one seq meet on one shard). Each appender reads its seq back and, when
 * the row there is not its own, appends again after it. Without this, two rows took one seq, and `verify`
 * reported an untouched log as altered.
 */
export function createAuditLog(store: Store, options: { logger?: Logger; now?: () => Date } = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  let queue: Promise<unknown> = Promise.resolve();

  const head = async (): Promise<{ seq: number; hash: string }> => {
    const [row] = await store.client
      .query({ query: 'SELECT seq, hash FROM weft_audit_log ORDER BY seq DESC LIMIT 1', format: 'JSONEachRow' })
      .then((r) => r.json<{ seq: string | number; hash: string }>());
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: '' };
  };

  /** The hashes stored at `seq` (one, unless rows were written by a version without claims). */
  const hashesAt = async (seq: number): Promise<string[]> =>
    (
      await store.client
        .query({ query: 'SELECT hash FROM weft_audit_log WHERE seq = {seq:UInt64}', query_params: { seq }, format: 'JSONEachRow' })
        .then((r) => r.json<{ hash: string }>())
    ).map((r) => r.hash);

  /** Inserts `entry` as the claim of its seq (the settings in the statement: the embedded engine would keep them for its session). */
  const claim = async (entry: AuditEntry) => {
    const settings = settingsClause(claimSettings(auditClaimToken(entry.seq)));
    await store.client.command({
      query: `INSERT INTO weft_audit_log (seq, at, actor, role, action, subject, detail, prev_hash, nonce, hash)${settings}
        SELECT {seq:UInt64}, toDateTime64({at:String}, 3, 'UTC'), {actor:String}, {role:String}, {action:String}, {subject:String},
          {detail:String}, {prevHash:String}, {nonce:String}, {hash:String}`,
      query_params: { ...entry, at: toChTime(new Date(entry.at)) },
    });
  };

  const list = async (range: AuditRange = {}): Promise<AuditEntry[]> => {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (range.since) (where.push('weft_audit_log.at >= {since:DateTime64(3)}'), (params.since = toChTime(range.since)));
    if (range.until) (where.push('weft_audit_log.at <= {until:DateTime64(3)}'), (params.until = toChTime(range.until)));
    if (range.afterSeq !== undefined) (where.push('seq > {after:UInt64}'), (params.after = range.afterSeq));
    const limit = Math.min(Math.max(range.limit ?? 1000, 1), 10_000);
    const rows = await store.client
      .query({
        query: `SELECT ${COLUMNS} FROM weft_audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ${limit}`,
        query_params: params,
        format: 'JSONEachRow',
      })
      .then((r) => r.json<Row>());
    return rows.map(toEntry);
  };

  return {
    append(actor, action, subject, detail = {}) {
      const run = queue.then(async () => {
        // This append's own: two processes appending the same action in the same millisecond write different rows. Without
        // it the rows were the same bytes under the same claim token: the engine kept one, both appenders read their hash
        // back, and one action was not recorded.
        const nonce = randomBytes(8).toString('hex');
        /** The lowest seq to claim: past one whose claim was spent by a row no longer there (see below). */
        let from = 0;
        for (let attempt = 1; ; attempt++) {
          const prev = await head();
          // DateTime64(3): keep milliseconds only, so the hashed time is the stored one.
          const at = new Date(Math.floor(now().getTime()));
          const base = {
            seq: Math.max(prev.seq + 1, from),
            at: at.toISOString(),
            actor: actor.name,
            role: actor.role,
            action,
            subject,
            detail: JSON.stringify(detail),
            prevHash: prev.hash,
            nonce,
          };
          const entry: AuditEntry = { ...base, hash: rowHash(base) };
          await claim(entry);
          let there = await hashesAt(entry.seq);
          // A replica the read reaches may not have the row yet (a replicated table): read again before taking it as gone.
          for (let i = 0; there.length === 0 && i < EMPTY_REREADS; i++) {
            await new Promise((r) => setTimeout(r, EMPTY_REREAD_MS));
            there = await hashesAt(entry.seq);
          }
          if (there.includes(entry.hash)) return entry;
          // Another process's row took this seq first: ours was dropped as its duplicate; append after it. No row there at
          // all: the seq's claim was spent by a row since removed (the log's last rows deleted): the next row takes the
          // seq after it, and `verify` goes on naming the removed one.
          if (there.length === 0) from = entry.seq + 1;
          if (attempt >= MAX_CLAIMS)
            throw new Error(`audit log: ${MAX_CLAIMS} appends in a row lost their seq to other processes; ${action} on ${subject} is not recorded`);
        }
      });
      queue = run.catch((err: unknown) => options.logger?.error({ err, action }, 'audit-log append failed'));
      return run;
    },
    list,
    async verify() {
      const v = new ChainVerifier();
      let after = 0;
      for (;;) {
        // Page by seq, without the time filter, so every row is seen (duplicates included).
        const rows = await store.client
          .query({
            query: `SELECT ${COLUMNS} FROM weft_audit_log WHERE seq > {after:UInt64} ORDER BY seq, hash LIMIT 10000`,
            query_params: { after },
            format: 'JSONEachRow',
          })
          .then((r) => r.json<Row>());
        if (rows.length === 0) break;
        v.add(rows.map(toEntry));
        after = Number(rows[rows.length - 1].seq);
        if (rows.length < 10_000) break;
      }
      return v.verdict();
    },
  };
}
