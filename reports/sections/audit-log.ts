import type { Section } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { fmtTime, table } from './helpers.ts';
import { count } from '../../core/text/index.ts';
import { ChainVerifier } from '../../access/audit-chain.ts';
import type { AuditLogRow } from '../source/report-data.ts';

/**
 * Whether the period's rows of the hash chain hold together, as read when the report was made, with the rows either
 * side of them (`AuditLogRead`): each row's content matches its hash, its seq follows the row before and its prev_hash
 * is that row's hash (`ChainVerifier`, the rule `weft audit-log verify` applies to the whole chain). Rows removed at
 * the period's start or end, or all of its rows, show as a gap beside the rows that remain; rows removed from the end
 * of the whole log cannot be seen from the rows alone (the text says so when the period reaches it). A sentence for the
 * summary, and one line per problem (altered, removed, added twice or not following). `since`: the period's start (ISO),
 * which tells, in a period without rows, the row before it from the row after it.
 */
export function auditChainCheck(
  rows: readonly AuditLogRow[],
  around: readonly AuditLogRow[] = [],
  since?: string,
): { ok: boolean; text: string; problems: string[] } {
  const checked = [...rows, ...around].sort((a, b) => a.seq - b.seq || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  if (checked.length === 0) return { ok: true, text: '', problems: [] };
  // Where the check starts: at the first row read when it comes before the period's (the rows before it are not read,
  // so its prev_hash is taken as it is); else at seq 1, so that rows removed before the period's first show.
  const anchor = checked[0];
  const before = rows.length > 0 ? anchor.seq < rows[0].seq : since !== undefined && Date.parse(anchor.at) < Date.parse(since);
  const v = new ChainVerifier(before && anchor.seq > 1 ? { seq: anchor.seq - 1 } : undefined);
  v.add(checked);
  const problems = v.verdict().problems.map((p) => p.problem);
  const last = checked[checked.length - 1];
  const sideSeqs = around.map((r) => `seq ${r.seq}`).join(', ');
  // The rows read beside the period's: before its first, after its last, or both (and any stamped outside it between).
  const them = rows.length === 1 ? 'it' : 'them';
  const side = () => (around[0].seq < rows[0].seq ? 'before' : 'after');
  const beside =
    around.length === 0 || rows.length === 0 || (around.some((r) => r.seq < rows[0].seq) && around.some((r) => r.seq > rows[0].seq))
      ? `the rows either side of ${them}`
      : `the row${around.length === 1 ? '' : 's'} ${side()} ${them}`;
  const sides = around.length > 0 ? `, with ${beside} (${sideSeqs}),` : '';
  const atHead = rows.length > 0 && last.seq === rows[rows.length - 1].seq;
  const head = atHead
    ? " No row follows the period's last: rows removed from the end of the log cannot be seen from the rows alone; compare its hash with a later report's, or run weft audit-log verify."
    : '';
  if (rows.length === 0)
    return problems.length === 0
      ? { ok: true, text: `No row was stamped in the period; the rows either side of it (${sideSeqs}) follow one another: none was removed from it.`, problems }
      : {
          ok: false,
          text: `No row was stamped in the period, and the rows either side of it (${sideSeqs}) do NOT hold together as a hash chain (${count(problems.length, 'problem')}): ${problems.join('; ')}. Run weft audit-log verify.`,
          problems,
        };
  const first = rows[0];
  const lastInPeriod = rows[rows.length - 1];
  const one = first.seq === lastInPeriod.seq;
  const which = one ? `The period's one row (seq ${first.seq})` : `The period's rows (seq ${first.seq} to ${lastInPeriod.seq})`;
  return problems.length === 0
    ? {
        ok: true,
        text: `${which}${sides} ${one ? 'was' : 'were'} checked when this report was made: ${one ? 'it matches' : 'each matches'} its hash and follows the one before; the period's last row's hash is ${lastInPeriod.hash}.${head}`,
        problems,
      }
    : {
        ok: false,
        text: `${which}${sides} ${one ? 'does' : 'do'} NOT hold together as a hash chain (${count(problems.length, 'problem')}): ${problems.join('; ')}. Run weft audit-log verify.`,
        problems,
      };
}

/** The audit log for the period (access/: weft_audit_log, hash-chained), or why it is not there. */
export function auditLogSection(data: ReportData): Section {
  const log = data.auditLog;
  const rows = log.recorded ? log.rows : [];
  const actors = new Set(rows.map((r) => r.actor));
  const chain = auditChainCheck(rows, log.recorded ? log.around : [], data.period.since);
  return {
    id: 'audit-log',
    title: 'Audit log',
    summary: log.recorded
      ? [
          'Every state-changing action taken through Weft in the period (acknowledgements, silences, remediations, catalog reloads, report exports and downloads), with the name of the token that took it. Rows are hash-chained; `weft audit-log verify` checks the whole chain.',
          `${count(rows.length, 'action')} by ${count(actors.size, 'actor')}.`,
          ...(chain.text ? [chain.text] : []),
        ]
      : [`The audit log is ${log.reason}.`],
    figures: log.recorded
      ? [
          { label: 'actions', value: rows.length },
          { label: 'actors', value: actors.size },
          { label: 'chain of the period', value: !chain.ok ? 'BROKEN' : rows.length === 0 ? 'no row' : 'intact' },
        ]
      : [],
    charts: [],
    tables: log.recorded
      ? [
          {
            ...table(
              'entries',
              'Audit log entries',
              [
                ['seq', 'Seq', 0.4],
                ['at', 'When', 1.1],
                ['actor', 'Actor', 0.9],
                ['role', 'Role', 0.6],
                ['action', 'Action', 0.9],
                ['subject', 'Subject', 1.1],
                ['detail', 'Detail', 1.8],
                ['hash', 'Hash', 1.2],
              ],
              rows.map((r) => [r.seq, fmtTime(r.at), r.actor, r.role, r.action, r.subject, r.detail, r.hash]),
              'No action was recorded in the period.',
            ),
            landscape: true,
          },
        ]
      : [],
    ...(log.recorded ? {} : { notRecorded: log.reason }),
  };
}
