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
  - { id: order-queue, kind: queue, owner: icoe, match: { destinations: [{ name: ORDERS.IN, system: jms }] } }
  - { id: price-topic, kind: topic, owner: icoe, match: { destinations: [{ name: prices/eu, system: activemq }] } }
flows:
  - { id: mq-out, source: crm, target: order-queue, owner: icoe, runtime: { service: mq-out } }
  - { id: mq-in, source: order-queue, target: billing, owner: icoe, runtime: { service: mq-in } }
  - { id: prices-out, source: crm, target: price-topic, owner: icoe, runtime: { service: prices-out } }
`;

const message = (destination: string, kind: api.SpanKind, system = 'jms', more: api.Attributes = {}): SpanSpec => ({
  name: `${destination} ${kind === PRODUCER ? 'publish' : 'process'}`,
  kind,
  attributes: {
    'messaging.system': system,
    'messaging.destination.name': destination,
    'messaging.operation': kind === PRODUCER ? 'publish' : 'process',
    ...more,
  },
});

describe('destinations written as JMS URIs (IBM MQ classes for JMS and XMS, ActiveMQ)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    // IBM MQ: the queue manager the connection names (empty), then one named in the URI, with properties after `?`.
    await send('mq-out', [
      { name: 'run', kind: INTERNAL, start: t0, children: [httpCall('GET', 'https://crm.internal/api/orders'), message('queue:///ORDERS.IN', PRODUCER)] },
      {
        name: 'run',
        kind: INTERNAL,
        start: t0 + 1000,
        children: [httpCall('GET', 'https://crm.internal/api/orders'), message('queue://QM1/ORDERS.IN?targetClient=1&persistence=2', PRODUCER)],
      },
    ]);
    await send('mq-in', [{ ...message('queue://QM1/ORDERS.IN', CONSUMER), start: t0, children: [httpCall('POST', 'https://billing.internal/api/invoices')] }]);
    // ActiveMQ: a topic, and the temporary queue a request-reply client sends its replies to.
    await send('prices-out', [
      {
        name: 'run',
        kind: INTERNAL,
        start: t0,
        children: [
          httpCall('GET', 'https://crm.internal/api/prices'),
          message('topic://prices/eu', PRODUCER, 'activemq'),
          message('temp-queue://ID:mq-41234-1700000000000-1:1:1', CONSUMER, 'activemq'),
        ],
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

  it('reads the queue or topic the URI names, and a temporary queue as no system', async () => {
    expect(await flowEdges(analyzer)).toEqual(['mq-in order-queue -> billing', 'mq-out crm -> order-queue', 'prices-out crm -> price-topic']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
