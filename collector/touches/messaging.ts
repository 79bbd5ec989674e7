import { validUtf8 } from './byte-text.ts';
import { A, type SpanRecord } from './span-record.ts';

/**
 * The destination a messaging span touched, as migration 033 names it (byte strings in and out):
 * RabbitMQ's default exchange is its routing key (the queue), pika's "<exchange>:<routing key>" is
 * the exchange, older pika's "(temporary)" is read from the span name; reply destinations
 * (temporary, anonymous, NATS `_INBOX.*`, RabbitMQ direct reply-to and server-named `amq.gen-*` queues) are their
 * template or nothing.
 */
const SEND_SUFFIX = /[\t\n\f\r ]+(send|publish)$/;

/** `msg_temporary` and `dest` of a messaging span; `system` is lower(toValidUTF8(messaging.system)). */
export function messagingDestination(s: SpanRecord, system: string): { temporary: boolean; destination: string } {
  const name = s.attr(A['messaging.destination.name']);
  const raw = name !== '' ? name : s.attr(A['messaging.destination']);
  const named = validUtf8(system === 'rabbitmq' ? rabbitmqDestination(s, raw) : raw);
  const temporary =
    s.attr(A['messaging.destination.temporary']) === 'true' ||
    s.attr(A['messaging.destination.anonymous']) === 'true' ||
    (system === 'nats' && raw.startsWith('_INBOX.')) ||
    // RabbitMQ's reply queues, whichever exchange reached them (amqplib replies through the default exchange: the
    // queue is the routing key): direct reply-to, and the server-named queues (`amq.gen-…`) RPC clients declare.
    (system === 'rabbitmq' && (named.startsWith('amq.rabbitmq.reply-to') || named.startsWith('amq.gen-')));
  return { temporary, destination: temporary ? validUtf8(s.attr(A['messaging.destination.template'])) : named };
}

/** The destination a RabbitMQ span names: the exchange, or for the default exchange the routing key (the queue). */
function rabbitmqDestination(s: SpanRecord, raw: string): string {
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
