import type { Section } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { fmtTime, table } from './helpers.ts';
import { count } from '../../core/text/index.ts';

/** The audit log for the period (access/: weft_audit_log, hash-chained), or why it is not there. */
export function auditLogSection(data: ReportData): Section {
  const log = data.auditLog;
  const rows = log.recorded ? log.rows : [];
  const actors = new Set(rows.map((r) => r.actor));
  return {
    id: 'audit-log',
    title: 'Audit log',
    summary: log.recorded
      ? [
          'Every state-changing action taken through Weft in the period (acknowledgements, silences, remediations, catalog reloads, exports), with the name of the token that took it. Rows are hash-chained; `weft audit-log verify` checks the chain.',
          `${count(rows.length, 'action')} by ${count(actors.size, 'actor')}.`,
        ]
      : [`The audit log is ${log.reason}.`],
    figures: log.recorded
      ? [
          { label: 'actions', value: rows.length },
          { label: 'actors', value: actors.size },
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
