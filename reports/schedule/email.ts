import { basename } from 'node:path';
import nodemailer from 'nodemailer';
import type { ReportSchedule } from '../../core/catalog/index.ts';
import type { ReportRun } from '../runs/report-runs.ts';

/** Sends one bundle by e-mail; throws with the SMTP server's answer when it fails. */
export type SendReport = (email: NonNullable<ReportSchedule['email']>, smtpUrl: string, run: ReportRun, zip: Uint8Array) => Promise<void>;

/** E-mail over SMTP with nodemailer: the bundle attached, the period and manifest hash in the text. */
export const sendReportEmail: SendReport = async (email, smtpUrl, run, zip) => {
  const transport = nodemailer.createTransport(smtpUrl);
  try {
    await transport.sendMail({
      from: email.from ?? 'weft@localhost',
      to: email.to,
      subject: `Weft compliance report ${run.since.slice(0, 16)} – ${run.until.slice(0, 16)} UTC`,
      text: [
        `The Weft compliance report for ${run.since} to ${run.until} (schedule ${run.scheduleId}) is attached.`,
        '',
        `SHA-256 of its signed manifest: ${run.manifestSha256}`,
        'Check it with: weft report verify ' + basename(run.file),
      ].join('\n'),
      attachments: [{ filename: basename(run.file), content: Buffer.from(zip), contentType: 'application/zip' }],
    });
  } finally {
    transport.close();
  }
};
