import { validUtf8 } from './byte-text.ts';
import { A, type SpanRecord } from './span-record.ts';

/**
 * The destination a messaging span touched, as migration 033 names it (byte strings in and out):
 * RabbitMQ's default exchange is its routing key (the queue), pika's "<exchange>:<routing key>" is
 * the exchange, older pika's "(temporary)" is read from the span name; reply destinations
 * (temporary, anonymous, NATS `_INBOX.*`, RabbitMQ direct reply-to) are their template or nothing.
 */
const SEND_SUFFIX = /[\t\n\f\r ]+(send|publish)$/;

/** `msg_temporary` and `dest` of a messaging span; `system` is lower(toValidUTF8(messaging.system)). */
export function messagingDestination(s: SpanRecord, system: string): { temporary: boolean; destination: string } {
  const name = s.attr(A['messaging.destination.name']);
  const raw = name !== '' ? name : s.attr(A['messaging.destination']);
  const temporary =
    s.attr(A['messaging.destination.temporary']) === 'true' ||
    s.attr(A['messaging.destination.anonymous']) === 'true' ||
    (system === 'nats' && raw.startsWith('_INBOX.')) ||
    (system === 'rabbitmq' && raw.startsWith('amq.rabbitmq.reply-to'));
  return { temporary, destination: validUtf8(destinationOf(s, system, raw, temporary)) };
}

function destinationOf(s: SpanRecord, system: string, raw: string, temporary: boolean): string {
  if (temporary) return s.attr(A['messaging.destination.template']);
  if (system !== 'rabbitmq') return raw;
  if (raw === '' || raw === 'amq.default') {
    const key = s.attr(A['messaging.rabbitmq.destination.routing_key']);
    if (key !== '') return key;
    const older = s.attr(A['rabbitmq.destination.routing_key']);
    return older !== '' ? older : s.attr(A['messaging.rabbitmq.routing_key']);
  }
  if (raw === '(temporary)') return validUtf8(s.spanName()).replace(SEND_SUFFIX, '');
  const colon = raw.indexOf(':');
  if (colon > 0) return raw.slice(0, colon);
  if (colon === 0) return raw.slice(1);
  return raw;
}
