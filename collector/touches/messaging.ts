import { asciiLower, validUtf8 } from './byte-text.ts';
import { extract } from './sql-direction.ts';
import { A, type SpanRecord } from './span-record.ts';

/**
 * The destination a messaging span touched, as migration 033 names it (byte strings in and out; SNS as 119 does):
 * RabbitMQ's default exchange (however named) is its routing key (the queue), pika's "<exchange>:<routing key>" is
 * the exchange, older pika's "(temporary)" is read from the span name, an SQS span naming none its queue's URL's last part
 * (125), a JMS URI (`queue:///ORDERS.IN`, IBM MQ's and ActiveMQ's way of writing a Destination) the queue or topic it
 * names (128); reply destinations (temporary, anonymous, NATS `_INBOX.*`, RabbitMQ direct reply-to and server-named
 * `amq.gen-*` queues, ActiveMQ's `temp-queue://…`) are their template or nothing.
 */
const SEND_SUFFIX = /(?<![\t\n\f\r ])[\t\n\f\r ]+(send|publish)$/;

/** `msg_temporary` and `dest` of a messaging span; `system` is lower(toValidUTF8(messaging.system)). */
export function messagingDestination(s: SpanRecord, system: string): { temporary: boolean; destination: string } {
  const name = s.attr(A['messaging.destination.name']);
  const older = s.attr(A['messaging.destination']);
  // the Azure SDKs' tracing before they took up the messaging conventions: the entity's path (migration 128)
  const raw = name !== '' ? name : older !== '' ? older : s.attr(A['message_bus.destination']);
  const mtAddress = massTransitAddress(s);
  const named = validUtf8(
    system === 'rabbitmq'
      ? rabbitmqDestination(s, raw, mtAddress !== '')
      : SNS.has(system)
        ? snsDestination(raw)
        : SQS.has(system) && raw === ''
          ? sqsQueue(s)
          : SNS.has(system) || SQS.has(system)
            ? raw
            : jmsUriName(raw, system),
  );
  const temporary =
    s.attr(A['messaging.destination.temporary']) === 'true' ||
    // MassTransit's temporary endpoints (a bus's own, where responses go) by their address (migration 126)
    MT_TEMPORARY.test(mtAddress) ||
    // the names the Java agent gives a temporary or anonymous destination (its JMS reply queues), with only the older
    // messaging.temp_destination beside them in its 1.x versions (migration 126)
    named === '(temporary)' ||
    named === '(anonymous)' ||
    // a JMS provider's temporary queue or topic by its URI (ActiveMQ's `temp-queue://ID:…`; migration 128)
    JMS_TEMPORARY_URI.test(raw) ||
    s.attr(A['messaging.destination.anonymous']) === 'true' ||
    (system === 'nats' && raw.startsWith('_INBOX.')) ||
    // RabbitMQ's reply queues, whichever exchange reached them (amqplib replies through the default exchange: the
    // queue is the routing key): direct reply-to, and the server-named queues (`amq.gen-…`) RPC clients declare.
    (system === 'rabbitmq' && (named.startsWith('amq.rabbitmq.reply-to') || named.startsWith('amq.gen-')));
  return { temporary, destination: temporary ? validUtf8(s.attr(A['messaging.destination.template'])) : named };
}

/**
 * A destination written as a JMS URI (IBM MQ's `queue://[queue manager]/<queue>[?name=value…]` and
 * `topic://<topic>[?name=value…]`, as IBM MQ classes for JMS and XMS write a Destination; ActiveMQ's `queue://<queue>`,
 * `topic://<topic>`): its first group the queue or topic. The scheme in any case; a queue's queue manager (the first
 * segment, empty in `queue:///ORDERS.IN`) is where the queue lives, not its name.
 */
const JMS_URI = /^(?:[Qq][Uu][Ee][Uu][Ee]:\/\/(?:[^/?#]*\/)?|[Tt][Oo][Pp][Ii][Cc]:\/\/)([^?#]+)/;
/** A JMS provider's temporary destination by its URI (ActiveMQ's `temp-queue://ID:host-1234-1/1/1`, `temp-topic://…`). */
const JMS_TEMPORARY_URI = /^[Tt][Ee][Mm][Pp]-(?:[Qq][Uu][Ee][Uu][Ee]|[Tt][Oo][Pp][Ii][Cc]):\/\//;

/**
 * A Google Cloud Pub/Sub topic's or subscription's full resource name (`projects/<project>/topics/<topic>`,
 * `projects/<project>/subscriptions/<subscription>`): its group the topic's or subscription's id.
 */
const PUBSUB_RESOURCE = /^projects\/[^/]+\/(?:topics|subscriptions)\/([^/]+)$/;

/**
 * The queue or topic a destination written as a JMS URI names (`queue://QM1/ORDERS.IN?targetClient=1` is `ORDERS.IN`,
 * migration 128); for Pub/Sub (`system` gcp_pubsub) the id of a topic or subscription given by its full resource name
 * (`projects/acme/subscriptions/orders-sub` is `orders-sub`, the name Google's client libraries give it: migration 130);
 * else the destination as given. Byte strings in and out; a URI or name is read as valid UTF-8.
 */
function jmsUriName(raw: string, system: string): string {
  const m = JMS_URI.exec(validUtf8(raw));
  if (m) return m[1];
  const pubsub = system === 'gcp_pubsub' ? PUBSUB_RESOURCE.exec(validUtf8(raw)) : null;
  return pubsub ? pubsub[1] : raw;
}

/** A MassTransit endpoint address of a temporary endpoint (`rabbitmq://mq/app_bus_…?temporary=true`). */
const MT_TEMPORARY = /[?&]temporary=true(?:[&#]|$)/;
/** A URL's scheme. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * The endpoint address MassTransit's ActivitySource puts on its spans (valid UTF-8): the destination's
 * (`messaging.masstransit.destination_address`: a send, a consume) else the receiving endpoint's (`…input_address`: a
 * receive); '' on any other span.
 */
function massTransitAddress(s: SpanRecord): string {
  const destination = s.attr(A['messaging.masstransit.destination_address']);
  return validUtf8(destination !== '' ? destination : s.attr(A['messaging.masstransit.input_address']));
}

/**
 * The messaging system MassTransit's send activity names (its transport's ActivitySystem) by the scheme of the
 * transport's endpoint addresses, where they differ: RabbitMQ over TLS, Azure Service Bus, Amazon SQS, the in-memory
 * transport (`rabbitmq`, `activemq`, `db` are their own).
 */
const MT_SCHEME_SYSTEMS = new Map([
  ['rabbitmqs', 'rabbitmq'],
  ['sb', 'servicebus'],
  ['amazonsqs', 'sqs'],
  ['loopback', 'in-memory'],
]);

/**
 * The messaging system of a span that names none (lower-case, valid UTF-8): `servicebus` and `eventhubs` for the Azure
 * SDKs' older spans, which name an entity's path (`message_bus.destination`) and their `az.namespace` (128); `celery` for the spans of
 * opentelemetry-instrumentation-celery (Python), which name a task's publish (`apply_async/<task>`, PRODUCER) and run
 * (`run/<task>`, CONSUMER) by `celery.action` and its queue's routing key by `messaging.destination`, and no system
 * (migration 128); MassTransit 8's receive activity names only its endpoint's address
 * (`messaging.masstransit.input_address`, `rabbitmq://mq.internal/orders`), whose scheme names the transport
 * (`MT_SCHEME_SYSTEMS`), as its send activity names it (126); '' when it has none.
 */
export function impliedMessagingSystem(s: SpanRecord): string {
  const celery = s.attr(A['celery.action']);
  if (celery === 'apply_async' || celery === 'run') return 'celery';
  if (s.has(A['message_bus.destination'])) {
    const azure = AZURE_MESSAGING.get(s.attr(A['az.namespace']));
    if (azure !== undefined) return azure;
  }
  const scheme = asciiLower(extract(validUtf8(s.attr(A['messaging.masstransit.input_address'])), SCHEME));
  return MT_SCHEME_SYSTEMS.get(scheme) ?? scheme;
}

/**
 * The messaging systems of the Azure SDKs' resource provider namespaces (`az.namespace`), for their spans from before
 * they took up the messaging conventions: `message_bus.destination` (the entity's path) and no messaging.system.
 */
const AZURE_MESSAGING = new Map([
  ['Microsoft.ServiceBus', 'servicebus'],
  ['Microsoft.EventHub', 'eventhubs'],
]);

/**
 * The direction the Azure SDKs' older tracing gives a messaging call only by its span's name (`ServiceBusSender.Send`,
 * `ServiceBusReceiver.Receive`, `Azure.EventHubs.send`, `Azure.Servicebus.receive_deferred`…): its last part, lower-case;
 * a settlement (`Complete`, `Abandon`…) says none. '' for a span that is none of theirs (migration 128).
 */
export function azureMessagingDirection(s: SpanRecord): string {
  if (!s.has(A['message_bus.destination']) || !AZURE_MESSAGING.has(s.attr(A['az.namespace']))) return '';
  const name = validUtf8(s.spanName());
  const op = asciiLower(name.slice(name.lastIndexOf('.') + 1));
  return AZURE_WRITES.has(op) ? 'write' : AZURE_READS.has(op) ? 'read' : '';
}
const AZURE_WRITES = new Set(['send', 'schedule', 'sendmessages', 'schedulemessages']);
const AZURE_READS = new Set([
  'receive',
  'receivedeferred',
  'receive_deferred',
  'peek',
  'peekmessages',
  'receivemessages',
  'process',
  'processmessage',
  'processsessionmessage',
  'readevents',
]);

/** Amazon SNS as the aws-sdk instrumentations name it in `messaging.system` (lower-case: JavaScript and Python `aws.sns`, Java `AmazonSNS`). */
const SNS = new Set(['aws.sns', 'aws_sns', 'amazonsns', 'sns']);
/** Amazon SQS as the aws-sdk instrumentations name it in `messaging.system` (lower-case: JavaScript and Python `aws.sqs`, Go `aws_sqs` or `AmazonSQS`). */
const SQS = new Set(['aws.sqs', 'aws_sqs', 'amazonsqs', 'sqs']);
/** A queue's URL (`https://sqs.eu-west-1.amazonaws.com/123456789012/orders`, LocalStack's `http://localhost:4566/000000000000/orders`): its name. */
const QUEUE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*\/[^/?#]+\/([^/?#]+)\/*(?:[?#]|$)/;

/**
 * The queue an SQS span that names no destination calls (migration 125): the last part of its queue's URL, which otelaws
 * (aws-sdk-go-v2) puts in `messaging.url` (semconv 1.12), `net.peer.name` (1.21) or `server.address` (1.36), the
 * stable conventions in `aws.sqs.queue.url`; '' when none holds one.
 */
function sqsQueue(s: SpanRecord): string {
  for (const key of [A['messaging.url'], A['aws.sqs.queue.url'], A['server.address'], A['net.peer.name']]) {
    const m = QUEUE_URL.exec(validUtf8(s.attr(key)));
    if (m) return m[1];
  }
  return '';
}

/** A phone number in E.164 form: what an SNS Publish straight to a phone (`PhoneNumber`, a text message) names. */
const PHONE_NUMBER = /^\+[0-9]{7,15}$/;
/** A platform endpoint (one device of a push application), as an ARN or the older messaging.destination's last part. */
const PLATFORM_ENDPOINT = /^(arn:[^:]*:sns:[^:]*:[^:]*:)?endpoint\/([^/]+\/[^/]+)\/[^/]+$/;

/**
 * The destination an SNS span names (migration 119): a phone number is `phone_number` (one endpoint for every text
 * message sent, never a person's number), a platform endpoint is its platform application (`…:app/<platform>/<app>`),
 * anything else (a topic's ARN) itself.
 */
function snsDestination(raw: string): string {
  if (PHONE_NUMBER.test(raw)) return 'phone_number';
  return raw.replace(PLATFORM_ENDPOINT, (_, arn: string | undefined, app: string) => `${arn ?? ''}app/${app}`);
}

/**
 * The names instrumentations give RabbitMQ's default exchange: none (amqplib), `amq.default` (the stable conventions) and
 * `<default>` (the Java agent's RabbitMQ and Spring instrumentations, on both the publish and the delivery: Spring's
 * `rabbitTemplate.convertAndSend("erp-orders", …)` publishes to it with the queue as routing key) — migration 122.
 */
const DEFAULT_EXCHANGE = new Set(['', 'amq.default', '<default>']);

/**
 * The destination a RabbitMQ span names: the exchange, or for the default exchange the routing key (the queue); pika's
 * `<exchange>:<routing key>` and aio-pika's `<exchange>,<routing key>` the exchange, or the routing key when the exchange
 * is the default one (`:orders-q`, `,orders-q`; 128). A MassTransit span's (`massTransit`) is its exchange or queue
 * whole: MassTransit names a message type's exchange `<namespace>:<type>` (`Contracts:OrderSubmitted`), which is not
 * pika's `<exchange>:<routing key>` (migration 126).
 */
function rabbitmqDestination(s: SpanRecord, raw: string, massTransit: boolean): string {
  if (DEFAULT_EXCHANGE.has(raw)) {
    const key = s.attr(A['messaging.rabbitmq.destination.routing_key']);
    if (key !== '') return key;
    const older = s.attr(A['rabbitmq.destination.routing_key']);
    return older !== '' ? older : s.attr(A['messaging.rabbitmq.routing_key']);
  }
  if (raw === '(temporary)') return validUtf8(s.spanName()).replace(SEND_SUFFIX, '');
  if (massTransit) return raw;
  const cut = separator(raw);
  if (cut > 0) return raw.slice(0, cut);
  if (cut === 0) return raw.slice(1);
  return raw;
}

/**
 * Where a RabbitMQ destination written `<exchange><separator><routing key>` is cut: at the first `:` (pika under the
 * stable conventions) or `,` (aio-pika's publish, `orders-x,order.created`, and `,orders-q` for the default exchange:
 * migration 128); -1 when it has neither.
 */
function separator(raw: string): number {
  const colon = raw.indexOf(':');
  const comma = raw.indexOf(',');
  return colon < 0 ? comma : comma < 0 ? colon : Math.min(colon, comma);
}
