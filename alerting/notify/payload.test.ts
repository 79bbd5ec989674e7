import { describe, expect, it } from 'vitest';
import type { Alert } from '../model/alert.ts';
import type { Notification } from './groups.ts';
import { alertLink, amAlert, traceLink, webhookPayload } from './payload.ts';
import { emailBody } from './receivers/email.ts';
import { slackMessage } from './receivers/slack.ts';

const base = 'https://weft.example.com/';

function alert(over: Partial<Alert>): Alert {
  return {
    fingerprint: '0123456789abcdef',
    rule: 'sor-violation',
    labels: { alertname: 'sor-violation', severity: 'high', system: 'crm' },
    annotations: { summary: 'shop writes customer into crm', value: '1', threshold: '0' },
    state: 'firing',
    severity: 'high',
    value: 1,
    threshold: 0,
    activeSince: '2026-11-02T10:00:00.000Z',
    firedAt: '2026-11-02T10:00:00.000Z',
    lastTrueAt: '2026-11-02T10:00:00.000Z',
    falseSince: null,
    resolvedAt: null,
    lastEvalAt: '2026-11-02T10:00:00.000Z',
    acknowledgedBy: null,
    acknowledgedAt: null,
    ackNote: '',
    inhibitedBy: null,
    silencedBy: [],
    flow: null,
    systems: ['crm'],
    finding: 'f-sor-1',
    traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
    ...over,
  };
}

const note = (a: Alert): Notification => ({
  groupKey: 'g',
  receiver: 'team-hook',
  groupLabels: { alertname: a.rule },
  status: 'firing',
  alerts: [{ alert: a, status: 'firing' }],
  reason: 'first',
  after: {} as Notification['after'],
});

describe('alert links in notifications', () => {
  it('regression: an alert on a finding links to the finding (it linked to the Alerts page), a flow alert to its flow', () => {
    expect(alertLink(base, alert({}))).toBe('https://weft.example.com/findings/f-sor-1');
    expect(alertLink(base, alert({ finding: null, flow: 'customer-sync' }))).toBe('https://weft.example.com/flows/customer-sync');
    expect(alertLink(base, alert({ finding: null }))).toBe('https://weft.example.com/alerts');
  });

  it('the trace link opens the first sample trace; none without one, nor for an alert stored before traces were kept', () => {
    expect(traceLink(base, alert({}))).toBe('https://weft.example.com/traces/4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceLink(base, alert({ traceIds: [] }))).toBeNull();
    expect(traceLink(base, { ...alert({}), traceIds: undefined } as unknown as Alert)).toBeNull();
  });

  it('the webhook and Alertmanager payload carry the trace as the trace_url annotation, the finding as generatorURL', () => {
    const a = amAlert(alert({}), 'firing', base);
    expect(a.generatorURL).toBe('https://weft.example.com/findings/f-sor-1');
    expect(a.annotations.trace_url).toBe('https://weft.example.com/traces/4bf92f3577b34da6a3ce929d0e0e4736');
    expect(amAlert(alert({ traceIds: [] }), 'firing', base).annotations).not.toHaveProperty('trace_url');
    expect(webhookPayload(note(alert({})), base).alerts[0].annotations.trace_url).toMatch(/\/traces\/4bf9/);
  });

  it('the e-mail and the Slack message link the trace beside the alert', () => {
    const mail = emailBody(note(alert({})), base);
    expect(mail.text).toContain('trace https://weft.example.com/traces/4bf92f3577b34da6a3ce929d0e0e4736');
    expect(mail.html).toContain('<a href="https://weft.example.com/traces/4bf92f3577b34da6a3ce929d0e0e4736">trace</a>');
    expect(emailBody(note(alert({ traceIds: [] })), base).text).not.toContain('/traces/');
    const slack = JSON.stringify(slackMessage(note(alert({})), base));
    expect(slack).toContain('<https://weft.example.com/traces/4bf92f3577b34da6a3ce929d0e0e4736|Trace>');
    expect(slack).toContain('<https://weft.example.com/findings/f-sor-1|Open in Weft>');
  });
});

// Regression (break test): an unknown system named in telemetry ("<!channel> <https://evil.example|Open in Weft>") went
// into the Slack message's mrkdwn as it was: Slack would notify the whole channel and show a link to evil.example
// as "Open in Weft". Names and summaries are now text; only Weft's own links are links.
describe('a Slack message of names from telemetry', () => {
  it('escapes &, < and > in every field and summary, and keeps its own links', () => {
    const name = 'unknown:<!channel> <https://evil.example|Open in Weft> & co';
    const msg = slackMessage(
      note(
        alert({ labels: { alertname: 'unknown-system', severity: 'medium', system: name }, annotations: { summary: `Unknown system ${name}`, value: '1' } }),
      ),
      base,
    );
    const texts = JSON.stringify(msg.blocks);
    expect(texts).not.toContain('<!channel>');
    expect(texts).not.toContain('<https://evil.example');
    expect(texts).toContain('unknown:&lt;!channel&gt; &lt;https://evil.example|Open in Weft&gt; &amp; co');
    expect(texts).toContain('<https://weft.example.com/findings/f-sor-1|Open in Weft>');
  });
});

// Regression (break test): alerts on a finding about a flow (hop-record-loss, deprecated-in-use) and remediation
// escalations name a flow but not its ends; their e-mails said "flow lake-load (undefined → undefined)", and an
// escalation, which has no threshold, "value — (threshold )".
describe('a flow alert whose labels do not name its ends', () => {
  const onFlow = alert({
    rule: 'remediation-failed',
    labels: { alertname: 'remediation-failed', severity: 'critical', flow: 'lake-load', action: 'rerun' },
    annotations: { summary: 'Remediation rerun failed', value: '', threshold: '' },
  });
  it('is about the flow, without made-up ends, and shows a dash for what it has no number of', () => {
    const mail = emailBody(note(onFlow), base);
    expect(mail.text).toContain('\n  flow lake-load\n  value — (threshold —)');
    expect(mail.text + mail.html).not.toContain('undefined');
    const slack = JSON.stringify(slackMessage(note(onFlow), base));
    expect(slack).toContain('*Flow*\\nlake-load"');
    expect(slack).toContain('(threshold —)');
    expect(slack).not.toContain('undefined');
    const withEnds = alert({ labels: { alertname: 'flow-stale', severity: 'high', flow: 'f', source: 'crm', target: 'erp' } });
    expect(emailBody(note(withEnds), base).text).toContain('flow f (crm → erp)');
  });
});
