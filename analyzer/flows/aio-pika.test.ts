import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { PRODUCER, CONSUMER, SERVER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: order-exchange, kind: queue, owner: icoe, match: { destinations: [{ name: orders-x, system: rabbitmq }] } }
  - { id: invoice-queue, kind: queue, owner: icoe, match: { destinations: [{ name: invoices-q, system: rabbitmq }] } }
flows:
  - { id: orders-out, source: crm, target: order-exchange, owner: icoe, runtime: { service: orders-out } }
  - { id: orders-in, source: order-exchange, target: billing, owner: icoe, runtime: { service: orders-in } }
  - { id: invoices-out, source: crm, target: invoice-queue, owner: icoe, runtime: { service: invoices-out } }
`;

/**
 * opentelemetry-instrumentation-aio-pika's span of a publish: `<exchange>,<routing key>` as messaging.destination (and
 * the span's name), no operation (so messaging.temp_destination true), the connection's host and port.
 */
const publish = (exchange: string, routingKey: string): SpanSpec => ({
  name: `${exchange},${routingKey} send`,
  kind: PRODUCER,
  attributes: {
    'messaging.system': 'rabbitmq',
    'messaging.destination': `${exchange},${routingKey}`,
    'messaging.temp_destination': true,
    'net.peer.name': 'mq.internal',
    'net.peer.port': 5672,
  },
});

describe("aio-pika's publish, which names its destination <exchange>,<routing key>", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    const handler = (children: SpanSpec[]): SpanSpec => ({ name: 'POST /sync', kind: SERVER, start: t0, children });
    await send('orders-out', [handler([httpCall('GET', 'https://crm.internal/api/orders'), publish('orders-x', 'order.created')])]);
    // Through the default exchange: the routing key is the queue.
    await send('invoices-out', [handler([httpCall('GET', 'https://crm.internal/api/invoices'), publish('', 'invoices-q')])]);
    // Its consume names the exchange alone.
    await send('orders-in', [
      {
        name: 'orders-x receive',
        kind: CONSUMER,
        start: t0,
        attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination': 'orders-x', 'messaging.operation': 'receive', 'net.peer.name': 'mq.internal' },
        children: [httpCall('POST', 'https://billing.internal/api/invoices', { status: 201 })],
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

  it('publishes to the exchange, or through the default exchange to the queue', async () => {
    expect(await flowEdges(analyzer)).toEqual(['invoices-out crm -> invoice-queue', 'orders-in order-exchange -> billing', 'orders-out crm -> order-exchange']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
