import { validUtf8 } from './byte-text.ts';

/**
 * The destination a messaging span touched, as migration 033 names it (byte strings in and out):
 * RabbitMQ's default exchange is its routing key (the queue), pika's "<exchange>:<routing key>" is
 * the exchange, older pika's "(temporary)" is read from the span name; reply destinations
 * (temporary, anonymous, NATS `_INBOX.*`, RabbitMQ direct reply-to) are their template or nothing.
 */
export interface MessagingAttributes {
  /** lower(toValidUTF8(messaging.system)) */
  system: string;
  destinationName: string;
  destination: string;
  routingKeys: readonly [string, string, string];
  temporary: string;
  anonymous: string;
  template: string;
  spanName: () => string;
}

const SEND_SUFFIX = /[\t\n\f\r ]+(send|publish)$/;

/** `msg_temporary` and `dest`. */
export function messagingDestination(m: MessagingAttributes): { temporary: boolean; destination: string } {
  const raw = m.destinationName !== '' ? m.destinationName : m.destination;
  const temporary =
    m.temporary === 'true' ||
    m.anonymous === 'true' ||
    (m.system === 'nats' && raw.startsWith('_INBOX.')) ||
    (m.system === 'rabbitmq' && raw.startsWith('amq.rabbitmq.reply-to'));
  return { temporary, destination: validUtf8(destinationOf(m, raw, temporary)) };
}

function destinationOf(m: MessagingAttributes, raw: string, temporary: boolean): string {
  if (temporary) return m.template;
  if (m.system !== 'rabbitmq') return raw;
  if (raw === '' || raw === 'amq.default') return m.routingKeys.find((k) => k !== '') ?? '';
  if (raw === '(temporary)') return validUtf8(m.spanName()).replace(SEND_SUFFIX, '');
  const colon = raw.indexOf(':');
  if (colon > 0) return raw.slice(0, colon);
  if (colon === 0) return raw.slice(1);
  return raw;
}
