import { deliveryOf, deliveryProblem } from '../../../core/mail/smtp-delivery.ts';
import type { Notification } from '../groups.ts';
import { alertLink, alertSubject, alertValueText, traceLink } from '../payload.ts';
import type { ReceiverKind } from './receiver-kind.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Subject, plain text and HTML of a notification e-mail. */
export function emailBody(n: Notification, externalUrl: string): { subject: string; text: string; html: string } {
  const subject = `[${n.status.toUpperCase()}${n.status === 'firing' ? `:${n.alerts.filter((a) => a.status === 'firing').length}` : ''}] ${Object.values(n.groupLabels).join(' ') || n.receiver}`;
  const lines = n.alerts.map(({ alert, status }) => {
    const l = alert.labels;
    return {
      status,
      summary: alert.annotations.summary ?? alert.rule,
      subject: alertSubject(l),
      value: alertValueText(alert),
      link: alertLink(externalUrl, alert),
      trace: traceLink(externalUrl, alert),
      since: alert.firedAt ?? '',
    };
  });
  const text = [
    subject,
    '',
    ...lines.map(
      (x) =>
        `${x.status.toUpperCase()}  ${x.summary}\n  ${x.subject}\n  value ${x.value}, since ${x.since}\n  ${x.link}${x.trace ? `\n  trace ${x.trace}` : ''}`,
    ),
  ].join('\n');
  const html = `<h2>${esc(subject)}</h2><table border="1" cellpadding="4" cellspacing="0"><tr><th>status</th><th>alert</th><th>subject</th><th>value</th><th>since</th><th>trace</th></tr>${lines
    .map(
      (x) =>
        `<tr><td>${esc(x.status)}</td><td><a href="${esc(x.link)}">${esc(x.summary)}</a></td><td>${esc(x.subject)}</td><td>${esc(x.value)}</td><td>${esc(x.since)}</td><td>${x.trace ? `<a href="${esc(x.trace)}">trace</a>` : ''}</td></tr>`,
    )
    .join('')}</table>`;
  return { subject, text, html };
}

/** E-mail over SMTP (nodemailer), plain text and HTML; the password is an env:NAME reference. */
export const emailReceiver: ReceiverKind = async (spec, n, ctx) => {
  const smtp = spec.smtp!;
  // Loaded by the first e-mail, not by every Weft.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ? ctx.secrets.resolve(smtp.password, `receiver ${spec.id} smtp.password`) : '' } : undefined,
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  try {
    const body = emailBody(n, ctx.externalUrl);
    const info = await transport.sendMail({
      from: spec.from ?? 'weft@localhost',
      to: spec.to!.join(', '),
      subject: body.subject,
      text: body.text,
      html: body.html,
    });
    // Some recipients refused, others accepted: delivered, but the refused ones are named (nodemailer throws only when all are).
    const problem = deliveryProblem(deliveryOf(info));
    return problem ? { httpStatus: 0, partial: problem } : { httpStatus: 0 };
  } finally {
    transport.close();
  }
};
