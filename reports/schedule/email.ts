import { basename } from 'node:path';
import type { ReportSchedule } from '../../core/catalog/index.ts';
import type { ReportRun } from '../runs/report-runs.ts';

/** A recipient the SMTP server refused, with its answer (`550 5.1.1 <x@y>: no such user`). */
export interface RefusedRecipient {
  address: string;
  response: string;
}

/** What the SMTP server did with each recipient of one message. */
export interface Delivery {
  /** The recipients the server accepted: the only ones the report reached. */
  accepted: string[];
  refused: RefusedRecipient[];
}

/**
 * Sends one bundle by e-mail and resolves with who the server accepted and who it refused (every
 * recipient refused is a delivery with none accepted, not an error). Throws with the SMTP server's
 * answer when the message itself fails (connection, sender, DATA).
 */
export type SendReport = (email: NonNullable<ReportSchedule['email']>, smtpUrl: string, run: ReportRun, zip: Uint8Array) => Promise<Delivery>;

interface RcptError {
  recipient?: string;
  response?: string;
  message?: string;
}

const address = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);

/** Each refused recipient with the server's answer to its RCPT TO (nodemailer's `rejectedErrors`). */
function refusedOf(rejected: Array<string | { address: string }>, errors: RcptError[] | undefined): RefusedRecipient[] {
  return rejected.map(address).map((a) => {
    const e = errors?.find((x) => x.recipient === a);
    return { address: a, response: e?.response ?? e?.message ?? 'refused' };
  });
}

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
        'Check it with: weft report verify ' + basename(run.file),
      ].join('\n'),
      attachments: [{ filename: basename(run.file), content: Buffer.from(zip), contentType: 'application/zip' }],
    });
    const rejectedErrors = (info as { rejectedErrors?: RcptError[] }).rejectedErrors;
    return { accepted: info.accepted.map(address), refused: refusedOf(info.rejected, rejectedErrors) };
  } catch (err) {
    // Every recipient refused: nodemailer throws, with each RCPT TO answer on the error.
    const e = err as { rejected?: string[]; rejectedErrors?: RcptError[] };
    if (e.rejected?.length) return { accepted: [], refused: refusedOf(e.rejected, e.rejectedErrors) };
    throw err;
  } finally {
    transport.close();
  }
};

/**
 * What a run says about its e-mail: `e-mailed to a@x; refused by the server: b@y (550 …)`, or
 * `not e-mailed: refused by the server: …` when nobody accepted it; '' when everyone accepted it.
 */
export function deliveryProblem(delivery: Delivery): string {
  if (!delivery.refused.length) return '';
  const refused = `refused by the server: ${delivery.refused.map((r) => `${r.address} (${r.response})`).join('; ')}`;
  return delivery.accepted.length ? `e-mailed to ${delivery.accepted.join(', ')}; ${refused}` : `written, but not e-mailed: ${refused}`;
}
