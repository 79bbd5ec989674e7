import { basename } from 'node:path';
import type { ReportSchedule } from '../../core/catalog/index.ts';
import { deliveryOf, refusedDeliveryOf, type Delivery } from '../../core/mail/smtp-delivery.ts';
import type { ReportRun } from '../runs/report-runs.ts';

/**
 * Sends one bundle by e-mail and resolves with who the server accepted and who it refused (every
 * recipient refused is a delivery with none accepted, not an error). Throws with the SMTP server's
 * answer when the message itself fails (connection, sender, DATA).
 */
export type SendReport = (email: NonNullable<ReportSchedule['email']>, smtpUrl: string, run: ReportRun, zip: Uint8Array) => Promise<Delivery>;

/** E-mail over SMTP with nodemailer: the bundle attached, the period and manifest hash in the text. */
export const sendReportEmail: SendReport = async (email, smtpUrl, run, zip) => {
  // Loaded by the first e-mail, not by every Weft.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport(smtpUrl);
  try {
    const info = await transport.sendMail({
      from: email.from ?? 'weft@localhost',
      to: email.to,
      subject: `Weft compliance report ${run.since.slice(0, 16)} – ${run.until.slice(0, 16)} UTC`,
      text: [
        `The Weft compliance report for ${run.since} to ${run.until} (schedule ${run.scheduleId}) is attached.`,
        '',
        `SHA-256 of its signed manifest: ${run.manifestSha256}`,
        // The key that checks it comes from Weft, not from this message: a changed bundle can carry a key of its own.
        `Check it with: weft report verify ${basename(run.file)} --key weft-report.pub.pem (the key "weft report key" prints on this Weft)`,
      ].join('\n'),
      attachments: [{ filename: basename(run.file), content: Buffer.from(zip), contentType: 'application/zip' }],
    });
    return deliveryOf(info);
  } catch (err) {
    // Every recipient refused: a delivery with none accepted, not an error.
    const refused = refusedDeliveryOf(err);
    if (refused) return refused;
    throw err;
  } finally {
    transport.close();
  }
};
