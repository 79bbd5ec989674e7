import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { INTERNAL, PRODUCER, CONSUMER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - id: order-events
    kind: queue
    owner: icoe
    match: { destinations: [{ name: "Contracts:OrderSubmitted", system: rabbitmq }, { name: order-submitted, system: rabbitmq }] }
  - { id: invoice-commands, kind: queue, owner: icoe, match: { destinations: [{ name: submit-invoice, system: rabbitmq }] } }
  - { id: invoice-events, kind: queue, owner: icoe, match: { destinations: [{ name: invoice-events, system: sqs }, { name: invoice-events, system: servicebus }] } }
flows:
  - { id: orders-out, source: crm, target: order-events, owner: icoe, runtime: { service: order-api } }
  - { id: invoices-out, source: crm, target: invoice-commands, owner: icoe, runtime: { service: order-api } }
  - { id: orders-in-v8, source: order-events, target: billing, owner: icoe, runtime: { service: worker-v8 } }
  - { id: orders-in-v9, source: order-events, target: billing, owner: icoe, runtime: { service: worker-v9 } }
  - { id: invoices-in-sqs, source: invoice-events, target: billing, owner: icoe, runtime: { service: worker-sqs } }
  - { id: invoices-in-asb, source: invoice-events, target: billing, owner: icoe, runtime: { service: worker-asb } }
`;

const MQ = 'rabbitmq://mq.internal/';

/**
 * MassTransit's send activity (ActivitySource "MassTransit", PRODUCER, named `<exchange> send`): the transport's system, the
 * exchange as messaging.destination.name (a message type's, `Namespace:Type`, for a publish), its own
 * messaging.masstransit.* tags; a temporary endpoint (the bus endpoint a response goes to) is named `bus`.
 */
const send = (exchange: string, address: string, type: string): SpanSpec => ({
  name: `${exchange} send`,
  kind: PRODUCER,
  attributes: {
    'messaging.operation': 'send',
    'messaging.system': 'rabbitmq',
    'messaging.destination.name': exchange,
    'messaging.masstransit.message_id': '0c5a0000-1d3e-0015-2c9b-08dd5a1b2c3d',
    'messaging.message.conversation_id': '0c5a0000-1d3e-0015-9ae1-08dd5a1b2c3e',
    'messaging.masstransit.source_address': `${MQ}order-api_bus_ybfoyyrq1ayfxsjpbdpcnjyfrh?temporary=true`,
    'messaging.masstransit.destination_address': address,
    'messaging.masstransit.message_types': `urn:message:Contracts:${type}`,
  },
});

/**
 * MassTransit's receive activity (CONSUMER, `<queue> receive`) and, under it, its consume activity (`<queue> process`): v8
 * names no messaging.system on either, nor a destination on the consume; v9 names the system on both.
 */
const consume = (queue: string, version: 'v8' | 'v9', children: SpanSpec[], address = `${MQ}${queue}`): SpanSpec => ({
  name: `${queue} receive`,
  kind: CONSUMER,
  attributes: {
    'messaging.operation': 'receive',
    ...(version === 'v9' ? { 'messaging.system': 'rabbitmq' } : {}),
    'messaging.destination.name': queue,
    'messaging.masstransit.input_address': address,
    'messaging.message.id': '0c5a0000-1d3e-0015-2c9b-08dd5a1b2c3d',
  },
  children: [
    {
      name: `${queue} process`,
      kind: CONSUMER,
      attributes: {
        'messaging.operation': 'process',
        ...(version === 'v9' ? { 'messaging.system': 'rabbitmq' } : {}),
        'messaging.masstransit.message_id': '0c5a0000-1d3e-0015-2c9b-08dd5a1b2c3d',
        'messaging.masstransit.source_address': `${MQ}order-api_bus_ybfoyyrq1ayfxsjpbdpcnjyfrh?temporary=true`,
        'messaging.masstransit.destination_address': `${MQ}Contracts:OrderSubmitted`,
        'messaging.masstransit.message_types': 'urn:message:Contracts:OrderSubmitted',
        'messaging.masstransit.consumer_type': 'OrderSubmittedConsumer',
        'peer.address': 'urn:message:Contracts:OrderSubmitted',
      },
      children,
    },
  ],
});

describe('MassTransit (.NET) over RabbitMQ, as its own ActivitySource spans it', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    // The API reads an order from the CRM, publishes OrderSubmitted and sends SubmitInvoice to a queue.
    await sendSpans({ url: h.collector.url, serviceName: 'order-api' }, [
      {
        name: 'POST /orders',
        kind: INTERNAL,
        start: t0,
        children: [
          httpCall('GET', 'http://crm.internal/api/orders/7'),
          send('Contracts:OrderSubmitted', `${MQ}Contracts:OrderSubmitted`, 'OrderSubmitted'),
          send('submit-invoice', `${MQ}submit-invoice`, 'SubmitInvoice'),
        ],
      },
    ]);
    // The workers consume it, invoice it, and answer a request on the requester's temporary bus endpoint (named `bus`).
    for (const version of ['v8', 'v9'] as const)
      await sendSpans({ url: h.collector.url, serviceName: `worker-${version}` }, [
        consume('order-submitted', version, [
          httpCall('POST', 'http://billing.internal/api/invoices', { status: 201 }),
          send('bus', `${MQ}order-api_bus_ybfoyyrq1ayfxsjpbdpcnjyfrh?temporary=true`, 'OrderAccepted'),
        ]),
      ]);
    // MassTransit 8 over Amazon SQS and Azure Service Bus: the receive names its transport only by its address's scheme.
    await sendSpans({ url: h.collector.url, serviceName: 'worker-sqs' }, [
      consume('invoice-events', 'v8', [httpCall('POST', 'http://billing.internal/api/invoices', { status: 201 })], 'amazonsqs://eu-west-1/invoice-events'),
    ]);
    await sendSpans({ url: h.collector.url, serviceName: 'worker-asb' }, [
      consume(
        'invoice-events',
        'v8',
        [httpCall('POST', 'http://billing.internal/api/invoices', { status: 201 })],
        'sb://acme.servicebus.windows.net/invoice-events',
      ),
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: the publish to the message type's exchange `Contracts:OrderSubmitted` was read as pika's
  // `<exchange>:<routing key>` and named `Contracts`; v8's receive named no system and touched nothing (the worker's flow
  // was never observed); v9's consume named no destination (an unnamed endpoint); the response to the requester's
  // temporary endpoint was a queue named `bus`.
  it('sees each documented flow, and no other', async () => {
    expect(await flowEdges(analyzer)).toEqual([
      'invoices-in-asb invoice-events -> billing',
      'invoices-in-sqs invoice-events -> billing',
      'invoices-out crm -> invoice-commands',
      'orders-in-v8 order-events -> billing',
      'orders-in-v9 order-events -> billing',
      'orders-out crm -> order-events',
    ]);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
