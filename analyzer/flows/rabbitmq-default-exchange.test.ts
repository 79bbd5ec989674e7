import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL, PRODUCER, CONSUMER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: order-queue, kind: queue, owner: icoe, match: { destinations: [{ name: erp-orders, system: rabbitmq }] } }
  - { id: invoice-queue, kind: queue, owner: icoe, match: { destinations: [{ name: erp-invoices, system: rabbitmq }] } }
flows:
  - { id: crm-to-orders, source: crm, target: order-queue, owner: icoe, runtime: { service: order-publisher } }
  - { id: crm-to-invoices, source: crm, target: invoice-queue, owner: icoe, runtime: { service: order-publisher } }
  - { id: orders-to-billing, source: order-queue, target: billing, owner: icoe, runtime: { service: order-consumer } }
`;

const call = (method: string, url: string): SpanSpec => httpCall(method, url, { status: method === 'GET' ? 200 : 201, conventions: 'old' });
/** A channel command the Java agent spans (queue.declare, basic.ack…): messaging.system and the broker, no destination. */
const command = (name: string): SpanSpec => ({
  name,
  kind: CLIENT,
  attributes: { 'messaging.system': 'rabbitmq', 'net.peer.name': 'mq.internal', 'net.peer.port': 5672 },
});

describe('RabbitMQ default exchange as the Java agent names it: `<default>` (migration 122)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    // A Spring service publishes through the default exchange to two queues (`rabbitTemplate.convertAndSend(queue, …)`):
    // the Java agent 1.x names the publish messaging.destination `<default>` with the queue in messaging.rabbitmq.routing_key,
    // 2.x messaging.destination.name `<default>` with messaging.rabbitmq.destination.routing_key.
    await sendSpans({ url: h.collector.url, serviceName: 'order-publisher' }, [
      {
        name: 'sync',
        kind: INTERNAL,
        start: t0,
        children: [
          call('GET', 'http://crm.internal/api/orders'),
          command('queue.declare'),
          {
            name: '<default> send',
            kind: PRODUCER,
            attributes: {
              'messaging.system': 'rabbitmq',
              'messaging.destination': '<default>',
              'messaging.destination_kind': 'queue',
              'messaging.rabbitmq.routing_key': 'erp-orders',
              'net.peer.name': 'mq.internal',
              'net.peer.port': 5672,
            },
          },
          {
            name: '<default> publish',
            kind: PRODUCER,
            attributes: {
              'messaging.system': 'rabbitmq',
              'messaging.destination.name': '<default>',
              'messaging.operation': 'publish',
              'messaging.rabbitmq.destination.routing_key': 'erp-invoices',
              'server.address': 'mq.internal',
              'server.port': 5672,
            },
          },
        ],
      },
    ]);
    // Its consumer: the delivery is `<default> process` with the queue as routing key.
    await sendSpans({ url: h.collector.url, serviceName: 'order-consumer' }, [
      {
        name: '<default> process',
        kind: CONSUMER,
        start: t0 + 1000,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.destination.name': '<default>',
          'messaging.operation': 'process',
          'messaging.rabbitmq.destination.routing_key': 'erp-orders',
        },
        children: [call('POST', 'http://billing.internal/api/invoices'), command('basic.ack')],
      },
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `Unknown system rabbitmq:<default> is used by order-consumer, order-publisher`, `Undocumented flow crm →
  // unknown:rabbitmq:<default> (order-publisher)` and `… unknown:rabbitmq:<default> → billing (order-consumer)`: every queue
  // reached through the default exchange was one endpoint, `<default>`.
  it('names each queue reached through the default exchange by its routing key', async () => {
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system', 'unnamed-endpoint'])).toEqual([]);
    expect(await observedEdges(analyzer)).toEqual([
      'crm -> invoice-queue crm-to-invoices',
      'crm -> order-queue crm-to-orders',
      'order-queue -> billing orders-to-billing',
    ]);
  });
});
