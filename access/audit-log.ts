import type { Store } from '../clickhouse/index.ts';
import { fromChTime, toChTime } from '../clickhouse/index.ts';
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
  hash: r.hash,
});

const COLUMNS = 'seq, toString(at) AS at, actor, role, action, subject, detail, prev_hash, hash';

/**
 * The audit log in ClickHouse (`weft_audit_log`). One writer process is assumed (the one that
 * runs the API); each append reads the head again first, so a second writer shows up in
 * `verify` as a repeated seq rather than going unnoticed.
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
        const prev = await head();
        // DateTime64(3): keep milliseconds only, so the hashed time is the stored one.
        const at = new Date(Math.floor(now().getTime()));
        const base = {
          seq: prev.seq + 1,
          at: at.toISOString(),
          actor: actor.name,
          role: actor.role,
          action,
          subject,
          detail: JSON.stringify(detail),
          prevHash: prev.hash,
        };
        const entry: AuditEntry = { ...base, hash: rowHash(base) };
        await store.client.insert({
          table: 'weft_audit_log',
          values: [
            {
              seq: entry.seq,
              at: toChTime(at),
              actor: entry.actor,
              role: entry.role,
              action,
              subject,
              detail: entry.detail,
              prev_hash: entry.prevHash,
              hash: entry.hash,
            },
          ],
          format: 'JSONEachRow',
        });
        return entry;
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
