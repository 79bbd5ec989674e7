import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { SERVER, PRODUCER, CONSUMER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: orders-topic, kind: topic, owner: icoe, match: { destinations: [{ name: orders, system: gcp_pubsub }, { name: orders-sub, system: gcp_pubsub }] } }
flows:
  - { id: publisher, source: crm, target: orders-topic, owner: icoe, runtime: { service: publisher } }
  - { id: subscriber, source: orders-topic, target: billing, owner: icoe, runtime: { service: subscriber } }
`;

/**
 * A Pub/Sub client library's span of a message published to `topic` (`<topic> create`, PRODUCER): messaging.system
 * gcp_pubsub, the topic as messaging.destination.name, gcp.project_id.
 */
const publish = (topic: string): SpanSpec => ({
  name: `${topic.split('/').pop()} create`,
  kind: PRODUCER,
  attributes: {
    'messaging.system': 'gcp_pubsub',
    'messaging.destination.name': topic,
    'messaging.operation': 'create',
    'gcp.project_id': 'acme',
    'code.function': 'publishMessage',
  },
});

/** Its span of a message delivered through `subscription` (`<subscription> subscribe`, CONSUMER), the work under it. */
const subscribe = (subscription: string, start: number, children: SpanSpec[]): SpanSpec => ({
  name: `${subscription.split('/').pop()} subscribe`,
  kind: CONSUMER,
  start,
  attributes: {
    'messaging.system': 'gcp_pubsub',
    'messaging.destination.name': subscription,
    'messaging.operation': 'receive',
    'gcp.project_id': 'acme',
    'messaging.message.id': '4817209581',
    'messaging.gcp_pubsub.message.ack_id': 'ack-1',
  },
  children,
});

describe('Google Cloud Pub/Sub topics and subscriptions named by their full resource names', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    await send('publisher', [
      { name: 'POST /orders', kind: SERVER, start: t0, children: [httpCall('GET', 'https://crm.internal/api/orders/7'), publish('orders')] },
      {
        name: 'POST /orders',
        kind: SERVER,
        start: t0 + 500,
        children: [httpCall('GET', 'https://crm.internal/api/orders/8'), publish('projects/acme/topics/orders')],
      },
    ]);
    // Regression: a subscription (or topic) named by its full resource name was a destination of its own, `Unknown
    // system gcp_pubsub:projects/acme/subscriptions/orders-sub`, beside the topic's system that documents `orders-sub`.
    await send('subscriber', [
      subscribe('orders-sub', t0 + 1000, [httpCall('POST', 'https://billing.internal/api/invoices')]),
      subscribe('projects/acme/subscriptions/orders-sub', t0 + 2000, [httpCall('POST', 'https://billing.internal/api/invoices')]),
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('touches the topic’s documented system from the publisher and through the subscription, and reports nothing misread', async () => {
    expect(await flowEdges(analyzer)).toEqual(['publisher crm -> orders-topic', 'subscriber orders-topic -> billing']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
