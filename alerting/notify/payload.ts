import type { Alert, Labels } from '../model/alert.ts';
import type { Notification } from './groups.ts';

/** The zero time Alertmanager's webhook sends as endsAt of a firing alert. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert as Alertmanager's webhook (v4) and its /api/v2/alerts show it. */
export interface AmAlert {
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook payload, version 4 (the contract of every webhook receiver built for it). */
export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  alerts: AmAlert[];
}

/**
 * The link into Weft's UI for an alert: its finding's page (alerts on a finding), else its flow's page,
 * else the Alerts page.
 */
export function alertLink(externalUrl: string, a: Alert): string {
  const base = externalUrl.replace(/\/$/, '');
  if (a.finding) return `${base}/findings/${encodeURIComponent(a.finding)}`;
  return a.flow ? `${base}/flows/${encodeURIComponent(a.flow)}` : `${base}/alerts`;
}

/** The trace view of the alert's first sample trace, or null when it has none (alerts stored before traces were kept have none). */
export function traceLink(externalUrl: string, a: Alert): string | null {
  const id = a.traceIds?.[0];
  return id ? `${externalUrl.replace(/\/$/, '')}/traces/${encodeURIComponent(id)}` : null;
}

/**
 * What an alert is about, for a human: `flow F (S → T)` for a flow alert (`flow F` when its labels do not name both ends:
 * an alert on a finding about a flow, an escalation), else its system, domain or the estate.
 */
export function alertSubject(labels: Labels): string {
  if (labels.flow) return labels.source && labels.target ? `flow ${labels.flow} (${labels.source} → ${labels.target})` : `flow ${labels.flow}`;
  return labels.system ?? labels.domain ?? 'estate';
}

/** `value (threshold t)` for a human, `—` for either one the alert has none of (an escalation has neither). */
export function alertValueText(a: Alert): string {
  return `${a.annotations.value || '—'} (threshold ${a.annotations.threshold || '—'})`;
}

/** The annotation that carries the trace link (`trace_url`) to Alertmanager and webhook receivers. */
export const TRACE_ANNOTATION = 'trace_url';

/**
 * One alert as Alertmanager shows it. `generatorURL` opens the alert's finding or flow in Weft; the
 * annotation `trace_url` opens a sample trace of it, when one is known.
 */
export function amAlert(a: Alert, status: 'firing' | 'resolved', externalUrl: string): AmAlert {
  const trace = traceLink(externalUrl, a);
  return {
    status,
    labels: a.labels,
    annotations: trace ? { ...a.annotations, [TRACE_ANNOTATION]: trace } : a.annotations,
    startsAt: a.firedAt ?? a.activeSince ?? a.lastEvalAt,
    endsAt: status === 'resolved' ? (a.resolvedAt ?? a.lastEvalAt) : ZERO_TIME,
    generatorURL: alertLink(externalUrl, a),
    fingerprint: a.fingerprint,
  };
}

function common(maps: Labels[]): Labels {
  if (maps.length === 0) return {};
  const out: Labels = {};
  for (const [k, v] of Object.entries(maps[0])) if (maps.every((m) => Object.hasOwn(m, k) && m[k] === v)) out[k] = v;
  return out;
}

/** A notification as the Alertmanager v4 webhook payload. */
export function webhookPayload(n: Notification, externalUrl: string): WebhookPayload {
  const alerts = n.alerts.map((x) => amAlert(x.alert, x.status, externalUrl));
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: 0,
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: externalUrl,
    alerts,
  };
}
