import { createHash } from 'node:crypto';

/**
 * One audit-log row as stored in `weft_audit_log` (migration 051) and returned by
 * GET /api/v1/audit-log. `detail` is the JSON text exactly as stored, so a copy of the rows
 * (from the API, a report bundle) verifies the same way as the table.
 */
export interface AuditEntry {
  /** 1, 2, 3… with no gaps. */
  seq: number;
  /** ISO 8601 time, millisecond precision (UTC). */
  at: string;
  /** The token's name, `local` in no-token loopback mode, `weft` for Weft's own actions. */
  actor: string;
  role: string;
  /** e.g. `finding.acknowledge`, `catalog.reload`, `token.create`. */
  action: string;
  /** What was acted on: a finding id, a probe id, a token id… */
  subject: string;
  /** JSON text. */
  detail: string;
  /** The previous row's hash ('' for seq 1). */
  prevHash: string;
  /**
   * 16 random hex digits drawn by the appender (migration 100), so that two processes appending the same action in the
   * same millisecond write two different rows; '' (or absent, in a copy made before 100) for rows stored before.
   */
  nonce?: string;
  /** sha256 (hex) of the canonical row, see canonicalRow. */
  hash: string;
}

/**
 * The text hashed for a row: a JSON array of every column but `hash`, in table order
 * (`[seq, at, actor, role, action, subject, detail, prev_hash, nonce]`, without the nonce when it is empty: the rows
 * stored before it existed, migration 100, keep their hash); JSON escaping makes the fields unambiguous whatever they
 * contain.
 */
export function canonicalRow(e: Omit<AuditEntry, 'hash'>): string {
  const fields: unknown[] = [e.seq, e.at, e.actor, e.role, e.action, e.subject, e.detail, e.prevHash];
  if (e.nonce) fields.push(e.nonce);
  return JSON.stringify(fields);
}

export const rowHash = (e: Omit<AuditEntry, 'hash'>): string => createHash('sha256').update(canonicalRow(e)).digest('hex');

export interface ChainProblem {
  /** The row the problem shows at (for a gap: the first row after it). */
  seq: number;
  problem: string;
}

export interface ChainVerdict {
  ok: boolean;
  rows: number;
  /** The last row's seq and hash: the head a report can sign. */
  head: { seq: number; hash: string } | null;
  problems: ChainProblem[];
}

/**
 * Checks a chain, fed in seq order (in pages, for large logs): each row's hash matches its
 * content (else it was altered), seq follows on (else rows were removed, or a row was added twice)
 * and each prev_hash is the hash of the row before (else a row before it was removed or altered).
 * Removing rows at the end cannot be seen from the rows alone: compare `head` with a signed copy.
 */
export class ChainVerifier {
  private last: { seq: number; hash: string } | null;
  /** The first row fed follows a row whose hash was not given: its prev_hash is not compared. */
  private unknownPrev: boolean;
  private count = 0;
  private readonly problems: ChainProblem[] = [];

  /**
   * `after`: where the rows fed start, for a check of part of the chain (a report's period): the seq of the row
   * before the first one fed, and its hash when known (unknown: the first row's prev_hash is taken as it is). Absent:
   * the whole chain, from seq 1.
   */
  constructor(after?: { seq: number; hash?: string }) {
    this.last = after && after.seq > 0 ? { seq: after.seq, hash: after.hash ?? '' } : null;
    this.unknownPrev = after !== undefined && after.seq > 0 && after.hash === undefined;
  }

  add(rows: readonly AuditEntry[]): void {
    for (const r of rows) {
      this.count++;
      const expectedSeq = (this.last?.seq ?? 0) + 1;
      if (r.seq < expectedSeq)
        this.problems.push({ seq: r.seq, problem: `row ${r.seq} appears again after row ${this.last?.seq} (a second writer, or a copied row)` });
      else if (r.seq > expectedSeq) {
        const missing = r.seq - 1 === expectedSeq ? `row ${expectedSeq} is` : `rows ${expectedSeq}–${r.seq - 1} are`;
        this.problems.push({ seq: r.seq, problem: `${missing} missing (removed)` });
      }
      const computed = rowHash(r);
      if (computed !== r.hash) this.problems.push({ seq: r.seq, problem: `row ${r.seq} was altered: its content does not match its hash` });
      const wantPrev = this.last?.hash ?? '';
      const prevKnown = !this.unknownPrev;
      this.unknownPrev = false;
      if (prevKnown && r.prevHash !== wantPrev && r.seq === expectedSeq) {
        this.problems.push({
          seq: r.seq,
          problem: `row ${r.seq} does not follow row ${this.last?.seq ?? 0}: prev_hash differs (a row before it was altered or replaced)`,
        });
      }
      this.last = { seq: r.seq, hash: r.hash };
    }
  }

  verdict(): ChainVerdict {
    return { ok: this.problems.length === 0, rows: this.count, head: this.count > 0 ? this.last : null, problems: [...this.problems] };
  }
}

/** Verifies a whole chain held in memory. */
export function verifyChain(rows: readonly AuditEntry[]): ChainVerdict {
  const v = new ChainVerifier();
  v.add(rows);
  return v.verdict();
}
