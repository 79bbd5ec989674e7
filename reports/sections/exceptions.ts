import type { Cell, Section } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { findingStatusAtEnd, fmtTime, list, table } from './helpers.ts';
import { count } from '../../core/text/index.ts';

const hours = (from: string | null, to: string | null) => (from && to ? Math.round(((Date.parse(to) - Date.parse(from)) / 3_600_000) * 100) / 100 : null);

/**
 * Exceptions and their handling: every finding and alert open in the period, when it was opened,
 * acknowledged (who, when, note) and resolved, with remediation attempts, in time order; and the
 * population as one table (its CSV is what an auditor samples from).
 */
export function exceptionsSection(data: ReportData): Section {
  const timeline: Array<{ at: string; what: string; id: string; title: string; actor: string; note: string }> = [];
  const titleOf = new Map(data.findings.map((f) => [f.id, `${f.kind}: ${f.title}`]));
  for (const e of data.findingEvents) {
    timeline.push({ at: e.at, what: `finding ${e.action}`, id: e.findingId, title: titleOf.get(e.findingId) ?? '', actor: e.actor, note: e.note });
  }
  const alerts = data.alerts.recorded ? data.alerts.rows : [];
  const remediations = data.remediations.recorded ? data.remediations.rows : [];
  const inPeriod = (at: string | null) => Boolean(at) && at! >= data.period.since && at! < data.period.until;
  for (const a of alerts) {
    if (inPeriod(a.openedAt)) timeline.push({ at: a.openedAt, what: 'alert opened', id: a.id, title: a.title, actor: 'weft', note: '' });
    if (inPeriod(a.acknowledgedAt))
      timeline.push({ at: a.acknowledgedAt!, what: 'alert acknowledged', id: a.id, title: a.title, actor: a.acknowledgedBy ?? '', note: a.note });
    if (inPeriod(a.resolvedAt)) timeline.push({ at: a.resolvedAt!, what: 'alert resolved', id: a.id, title: a.title, actor: 'weft', note: '' });
  }
  for (const r of remediations)
    timeline.push({ at: r.at, what: `remediation attempt ${r.attempt}: ${r.outcome}`, id: r.subject, title: r.action, actor: r.actor, note: r.detail });
  timeline.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));

  const remediationCount = (id: string) => remediations.filter((r) => r.subject === id).length;
  // Figures and statuses are as at the period's end: a resolution or acknowledgement after it (the report made later)
  // is shown with its time, but does not count as resolved or acknowledged in the period.
  const beforeEnd = (at: string | null) => Boolean(at) && at! < data.period.until;
  const findingAtEnd = findingStatusAtEnd(data);
  // A finding's row holds its latest state: a reopening clears its acknowledgement and resolution, so one acknowledged
  // (or resolved) in the period and reopened since shows neither. The period's own events say who and when.
  const lastEvent = (action: string) => {
    const last = new Map<string, (typeof data.findingEvents)[number]>();
    for (const e of data.findingEvents) if (e.action === action && beforeEnd(e.at) && !(e.at < (last.get(e.findingId)?.at ?? ''))) last.set(e.findingId, e);
    return last;
  };
  const ackEvents = lastEvent('acknowledged');
  const resolveEvents = lastEvent('resolved');
  const findingAck = (f: (typeof data.findings)[number]): { by: string | null; at: string | null } => {
    const e = ackEvents.get(f.id);
    return !beforeEnd(f.acknowledgedAt) && e ? { by: e.actor, at: e.at } : { by: f.acknowledgedBy, at: f.acknowledgedAt };
  };
  const findingResolvedAt = (f: (typeof data.findings)[number]): string | null =>
    f.resolvedAt ?? (findingAtEnd(f) === 'resolved' ? (resolveEvents.get(f.id)?.at ?? null) : null);
  const alertAtEnd = (a: (typeof alerts)[number]): string => (beforeEnd(a.resolvedAt) ? 'resolved' : beforeEnd(a.acknowledgedAt) ? 'acknowledged' : 'open');
  const population: Cell[][] = [
    ...data.findings.map((f) => [
      'finding',
      f.id,
      f.kind,
      f.severity,
      f.title,
      list([...f.subject.systems, ...f.subject.flows, ...f.subject.domains]),
      fmtTime(f.firstSeen),
      findingAck(f).by ?? '',
      fmtTime(findingAck(f).at),
      f.note,
      fmtTime(findingResolvedAt(f)),
      findingAtEnd(f),
      hours(f.firstSeen, findingAck(f).at),
      remediationCount(f.id),
    ]),
    ...alerts.map((a) => [
      'alert',
      a.id,
      a.rule,
      a.severity,
      a.title,
      a.subject || 'estate',
      fmtTime(a.openedAt),
      a.acknowledgedBy ?? '',
      fmtTime(a.acknowledgedAt),
      a.note,
      fmtTime(a.resolvedAt),
      alertAtEnd(a),
      hours(a.openedAt, a.acknowledgedAt),
      remediationCount(a.id),
    ]),
  ];
  // Acknowledged by the period's end: its acknowledgement is before the end, or its history says so (one reopened since).
  const acknowledged =
    data.findings.filter((f) => beforeEnd(findingAck(f).at) || findingAtEnd(f) === 'acknowledged').length +
    alerts.filter((a) => beforeEnd(a.acknowledgedAt)).length;
  const resolved = data.findings.filter((f) => findingAtEnd(f) === 'resolved').length + alerts.filter((a) => alertAtEnd(a) === 'resolved').length;
  const bySeverity = ['critical', 'high', 'medium', 'low', 'info'].map((s) => ({
    s,
    n: data.findings.filter((f) => f.severity === s).length + alerts.filter((a) => a.severity === s).length,
  }));
  const notes = [data.alerts, data.remediations].filter((r) => !r.recorded).map((r) => (r.recorded ? '' : r.reason));
  return {
    id: 'exceptions',
    title: 'Exceptions and their handling',
    summary: [
      `Every finding${data.alerts.recorded ? ' and alert' : ''} open at any time in the period, with who acknowledged it, when and with which note, when it was resolved, and the remediation attempts made; then every event in time order.`,
      `${count(population.length, 'exception')}: ${acknowledged} acknowledged, ${resolved} resolved, ${population.length - resolved} still open or acknowledged at the end of the period. ${count(remediations.length, 'remediation attempt')}.`,
      ...(notes.length ? [`Alerts and remediation attempts: ${notes[0]}.`] : []),
    ],
    figures: [
      { label: 'exceptions', value: population.length },
      { label: 'acknowledged', value: acknowledged },
      { label: 'resolved', value: resolved },
      { label: 'remediation attempts', value: data.remediations.recorded ? remediations.length : 'not recorded' },
    ],
    charts: [
      {
        id: 'exceptions-by-severity',
        title: 'Exceptions by severity',
        height: 160,
        option: {
          grid: { left: 80, right: 40, top: 10, bottom: 25 },
          xAxis: { type: 'value', minInterval: 1 },
          yAxis: { type: 'category', data: bySeverity.map((b) => b.s), inverse: true },
          series: [
            {
              type: 'bar',
              data: bySeverity.map((b) => ({
                value: b.n,
                itemStyle: { color: { critical: '#8b1a1a', high: '#c0392b', medium: '#e67e22', low: '#f1c40f', info: '#7f8c8d' }[b.s] },
              })),
              label: { show: true, position: 'right' },
            },
          ],
        },
      },
    ],
    tables: [
      {
        ...table(
          'population',
          'Population of exceptions',
          [
            ['type', 'Type', 0.6],
            ['id', 'Id', 1.35],
            ['kind', 'Kind / rule', 1.2],
            ['severity', 'Severity', 0.7],
            ['title', 'Title', 3],
            ['subject', 'Subject', 1.5],
            ['opened', 'Opened', 1.05],
            ['ackBy', 'Acknowledged by', 1.05],
            ['ackAt', 'Acknowledged at', 1.05],
            ['note', 'Note', 1.5],
            ['resolved', 'Resolved', 1.05],
            ['status', 'Status at the end of the period', 0.9],
            ['hoursToAck', 'Hours to ack', 0.6],
            ['remediations', 'Remediations', 0.8],
          ],
          population,
          'No finding or alert was open in the period.',
        ),
        pdfOmit: ['hoursToAck'],
        landscape: true,
      },
      table(
        'timeline',
        'Events in time order',
        [
          ['at', 'When', 1.1],
          ['what', 'Event', 1.1],
          ['id', 'Id', 0.8],
          ['title', 'Subject', 2.4],
          ['actor', 'By', 0.8],
          ['note', 'Note', 1.2],
        ],
        timeline.map((t) => [fmtTime(t.at), t.what, t.id, t.title, t.actor, t.note]),
        'No event in the period.',
      ),
    ],
  };
}
