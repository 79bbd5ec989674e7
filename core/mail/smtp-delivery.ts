/**
 * What an SMTP server did with each recipient of one message, as nodemailer reports it (`info.accepted`,
 * `info.rejected`, `info.rejectedErrors`; the same on the error it throws when every recipient was refused), and how
 * Weft says it. Used by the report e-mail and the alert e-mail receiver.
 */

/** A recipient the SMTP server refused, with its answer (`550 5.1.1 <x@y>: no such user`). */
export interface RefusedRecipient {
  address: string;
  response: string;
}

/** What the SMTP server did with each recipient of one message. */
export interface Delivery {
  /** The recipients the server accepted: the only ones the message reached. */
  accepted: string[];
  refused: RefusedRecipient[];
}

/** One recipient as nodemailer lists it: an address, or an object holding one. */
type Recipient = string | { address: string };

/** nodemailer's answer to one refused RCPT TO. */
interface RcptError {
  recipient?: string;
  response?: string;
  message?: string;
}

const address = (a: Recipient) => (typeof a === 'string' ? a : a.address);

/** Each refused recipient with the server's answer to its RCPT TO (`rejectedErrors`); 'refused' when none is known. */
function refusedOf(rejected: Recipient[], errors: RcptError[] | undefined): RefusedRecipient[] {
  return rejected.map(address).map((a) => {
    const e = errors?.find((x) => x.recipient === a);
    return { address: a, response: e?.response ?? e?.message ?? 'refused' };
  });
}

/** The delivery nodemailer's `sendMail` resolved with (`info`): who was accepted, who refused and why. */
export function deliveryOf(info: { accepted: Recipient[]; rejected: Recipient[] }): Delivery {
  const errors = (info as { rejectedErrors?: RcptError[] }).rejectedErrors;
  return { accepted: info.accepted.map(address), refused: refusedOf(info.rejected, errors) };
}

/**
 * The delivery an error `sendMail` threw stands for when the server refused every recipient (nodemailer throws then,
 * with each RCPT TO answer on the error): none accepted, each refused with its answer; undefined for any other error.
 */
export function refusedDeliveryOf(err: unknown): Delivery | undefined {
  const e = err as { rejected?: Recipient[]; rejectedErrors?: RcptError[] } | null;
  return e?.rejected?.length ? { accepted: [], refused: refusedOf(e.rejected, e.rejectedErrors) } : undefined;
}

/**
 * What a delivery says when not everyone got the message: `e-mailed to a@x; refused by the server: b@y (550 …)`, or
 * `written, but not e-mailed: refused by the server: …` when nobody accepted it; '' when everyone accepted it.
 */
export function deliveryProblem(delivery: Delivery): string {
  if (!delivery.refused.length) return '';
  const refused = `refused by the server: ${delivery.refused.map((r) => `${r.address} (${r.response})`).join('; ')}`;
  return delivery.accepted.length ? `e-mailed to ${delivery.accepted.join(', ')}; ${refused}` : `written, but not e-mailed: ${refused}`;
}
