import { formatDuration } from '../../core/time/index.ts';
import { count } from '../../core/text/index.ts';
import { describeStoppedPairing } from '../flows/pairing-job.ts';
import type { AuditReport } from './audit-report.ts';

const subjectText = (s: AuditReport['findings'][number]['subject']) =>
  [...s.flows, ...s.systems, ...s.domains].filter((x, i, a) => a.indexOf(x) === i).join(', ');

function summaryLines(r: AuditReport): string[] {
  const s = r.summary;
  return [
    `window ${r.window.since} .. ${r.window.until} (now; from the start of a minute: the rollups keep whole minutes); catalog ${r.catalog.files.join(', ') || '(none)'}`,
    ...(r.pairing.pairedWith ? [describeStoppedPairing(r.pairing.pairedWith, formatDuration)] : []),
    ...(r.pairing.pendingTraces > 0
      ? [
          `not yet paired: ${count(r.pairing.pendingTraces, 'trace')} (${count(r.pairing.pendingSpans, 'span')})${
            // Before the first pairing run the horizon is the window's end: nothing was paired, there is no "after".
            r.pairing.pairedUntil < r.window.until ? ` that arrived after ${r.pairing.pairedUntil}` : ''
          }; their runs are not in this audit`,
        ]
      : []),
    `systems: ${s.systems.total} (${s.systems.documented} documented, ${s.systems.unknown} unknown, ${s.systems.observed} observed)`,
    `flows: ${s.flows.total} (${s.flows.documented} documented, ${s.flows.undocumented} undocumented${s.flows.halves ? `, ${s.flows.halves} halves of documented flows (runs paired apart)` : ''}, ${s.flows.observed} observed, ${s.flows.neverObserved} never observed)`,
    `findings: ${s.findings.total} (${
      Object.entries(s.findings.bySeverity)
        .reverse()
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ') || 'none'
    })`,
  ];
}

/** A finding's title, and for one kept open without a verdict now, why and since when. */
const shownTitle = (f: AuditReport['findings'][number]) =>
  f.noVerdict ? `${f.title} (kept open as of ${f.noVerdict.lastSeen}: no verdict now, ${f.noVerdict.reason})` : f.title;

function table(r: AuditReport): string {
  const rows = r.findings.map((f) => [f.severity.toUpperCase(), f.kind, shownTitle(f)]);
  const widths = [8, Math.max(4, ...rows.map((x) => x[1].length))];
  const line = (cells: string[]) => `${cells[0].padEnd(widths[0])}  ${cells[1].padEnd(widths[1])}  ${cells[2]}`;
  return [...summaryLines(r), '', rows.length ? line(['SEVERITY', 'KIND', 'FINDING']) : 'No findings.', ...rows.map(line)].join('\n');
}

/**
 * Text as one table cell of Markdown that shows as itself: a system or flow name comes from telemetry, and a report
 * posted to a pull request would otherwise render what any sender put there (a link, an image, a heading on a new
 * line, raw HTML). Line breaks become spaces; Markdown's punctuation is escaped.
 */
const md = (s: string) => s.replace(/\s+/g, (w) => (/[\r\n]/.test(w) ? ' ' : w)).replace(/[\\`*_{}[\]<>()#+!|~]/g, '\\$&');

function markdown(r: AuditReport): string {
  return [
    '# Weft estate audit',
    '',
    ...summaryLines(r).map((l) => `- ${l}`),
    '',
    '## Findings',
    '',
    ...(r.findings.length
      ? [
          '| severity | kind | finding | subject | what to do |',
          '| --- | --- | --- | --- | --- |',
          ...r.findings.map((f) => `| ${f.severity} | ${f.kind} | ${md(shownTitle(f))} | ${md(subjectText(f.subject))} | ${md(f.hint)} |`),
        ]
      : ['No findings.']),
  ].join('\n');
}

export const auditFormats = {
  table,
  markdown,
  json: (r: AuditReport) => JSON.stringify(r, null, 2),
} as const;

export type AuditFormat = keyof typeof auditFormats;
