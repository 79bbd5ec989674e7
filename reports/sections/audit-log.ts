import type { Section } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { fmtTime, table } from './helpers.ts';
import { count } from '../../core/text/index.ts';
import { rowHash } from '../../access/audit-chain.ts';
import type { AuditLogRow } from '../source/report-data.ts';

/**
 * Whether the period's rows of the hash chain hold together, as read when the report was made: each row's content
 * matches its hash, its seq follows the row before and its prev_hash is that row's hash. A sentence for the summary,
 * and one line per problem (altered, removed, added twice or not following). The rows before the period are not read:
 * `weft audit-log verify` checks the whole chain.
 */
export function auditChainCheck(rows: readonly AuditLogRow[]): { ok: boolean; text: string; problems: string[] } {
  const problems: string[] = [];
  rows.forEach((r, i) => {
    if (rowHash(r) !== r.hash) problems.push(`row ${r.seq} was altered: its content does not match its hash`);
    const prev = rows[i - 1];
    if (!prev) return;
    if (r.seq <= prev.seq) problems.push(`row ${r.seq} appears again after row ${prev.seq}`);
    else if (r.seq !== prev.seq + 1)
      problems.push(`${r.seq - prev.seq === 2 ? `row ${prev.seq + 1} is` : `rows ${prev.seq + 1}–${r.seq - 1} are`} missing (removed)`);
    else if (r.prevHash !== prev.hash) problems.push(`row ${r.seq} does not follow row ${prev.seq}: prev_hash differs`);
  });
  if (rows.length === 0) return { ok: true, text: '', problems };
  const first = rows[0];
  const last = rows[rows.length - 1];
  return problems.length === 0
    ? {
        ok: true,
        text: `The period's rows (seq ${first.seq} to ${last.seq}) were checked when this report was made: each matches its hash and follows the one before; the last row's hash is ${last.hash}.`,
        problems,
      }
    : {
        ok: false,
        text: `The period's rows (seq ${first.seq} to ${last.seq}) do NOT hold together as a hash chain (${count(problems.length, 'problem')}): ${problems.join('; ')}. Run weft audit-log verify.`,
        problems,
      };
}

/** The audit log for the period (access/: weft_audit_log, hash-chained), or why it is not there. */
export function auditLogSection(data: ReportData): Section {
  const log = data.auditLog;
  const rows = log.recorded ? log.rows : [];
  const actors = new Set(rows.map((r) => r.actor));
  const chain = auditChainCheck(rows);
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
          { label: 'chain of the period', value: rows.length === 0 ? 'no row' : chain.ok ? 'intact' : 'BROKEN' },
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
