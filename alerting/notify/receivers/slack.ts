import { alertSeverityText } from '../../model/alert.ts';
import type { Notification } from '../groups.ts';
import { alertLink, alertSubject, alertValueText, traceLink } from '../payload.ts';
import { postJson, type ReceiverKind } from './receiver-kind.ts';
import { count } from '../../../core/text/index.ts';

const icon = (status: string, severity: string) =>
  status === 'resolved' ? ':white_check_mark:' : severity === 'critical' || severity === 'high' ? ':red_circle:' : ':large_orange_circle:';

/**
 * Text for a Slack mrkdwn field as it is: `&`, `<` and `>` escaped as Slack asks. Labels and summaries carry names from
 * telemetry (an unknown system's peer.service), in which `<!channel>` would notify the whole channel and
 * `<https://…|Open in Weft>` would be a link that says something else than where it goes.
 */
const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack Block Kit message: a header, one section per alert with its flow and numbers, a link into Weft. */
export function slackMessage(n: Notification, externalUrl: string) {
  const title = `${n.status === 'firing' ? 'Firing' : 'Resolved'}: ${count(n.alerts.length, 'alert')} (${Object.values(n.groupLabels).join(', ') || n.receiver})`;
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } }];
  for (const { alert, status } of n.alerts.slice(0, 20)) {
    const l = alert.labels;
    const trace = traceLink(externalUrl, alert);
    const fields = [
      `*Rule*\n${text(l.alertname ?? alert.rule)}`,
      `*Severity*\n${text(alertSeverityText(alert))}`,
      l.flow ? `*Flow*\n${text(alertSubject(l).slice('flow '.length))}` : `*Subject*\n${text(alertSubject(l))}`,
      `*Value*\n${text(alertValueText(alert))}`,
    ];
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `${icon(status, alert.severity)} *${status.toUpperCase()}* ${text(alert.annotations.summary ?? '')}`.slice(0, 3000) },
      fields: fields.map((text) => ({ type: 'mrkdwn', text })),
    });
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `<${alertLink(externalUrl, alert)}|Open in Weft>${trace ? ` · <${trace}|Trace>` : ''}${alert.annotations.runbook_url ? ` · <${alert.annotations.runbook_url}|Runbook>` : ''}`,
        },
      ],
    });
  }
  return { text: title, blocks: blocks.slice(0, 50) };
}

/** A Slack incoming webhook (its URL is a secret: give it as env:NAME). */
export const slackReceiver: ReceiverKind = (spec, n, ctx) =>
  postJson(ctx.secrets.resolveUrl(spec.url!, `receiver ${spec.id} url`), slackMessage(n, ctx.externalUrl), {}, ctx.timeoutMs);
