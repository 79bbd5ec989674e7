import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, CONSUMER, INTERNAL, PRODUCER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: erp, owner: icoe, match: { hosts: ["erp.internal:80"] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal], databases: ["postgresql://billing-db/billing"] } }
  - { id: order-events, owner: icoe, match: { destinations: [{ name: orders.created, system: kafka }] } }
  - { id: order-queue, owner: icoe, match: { destinations: [{ name: orders-queue, system: aws_sqs }] } }
  - { id: order-exchange, owner: icoe, match: { destinations: [{ name: orders, system: rabbitmq }] } }
  - { id: order-topic, owner: icoe, match: { destinations: [{ name: "arn:aws:sns:eu-west-1:123456789012:orders", system: aws.sns }] } }
flows:
  - { id: events-to-billing, source: order-events, target: billing, owner: icoe, runtime: { service: billing-batch } }
  - { id: queue-to-erp, source: order-queue, target: erp, owner: icoe, runtime: { service: sqs-worker } }
  - { id: exchange-to-erp, source: order-exchange, target: erp, owner: icoe, runtime: { service: amqp-worker } }
  - { id: erp-to-topic, source: erp, target: order-topic, owner: icoe, runtime: { service: sns-publisher } }
`;

const kafka = (operation: 'receive' | 'process') => ({
  'messaging.system': 'kafka',
  'messaging.destination.name': 'orders.created',
  'messaging.operation.type': operation,
  'messaging.operation.name': operation === 'receive' ? 'poll' : 'process',
  'messaging.destination.partition.id': '0',
});
const sqsHost = 'https://sqs.eu-west-1.amazonaws.com';
const queueUrl = `${sqsHost}/123456789012/orders-queue`;
/** instrumentation-http's span of the request the aws-sdk sends to `host` for a call. */
const awsPost = (host: string): SpanSpec => ({
  name: 'POST',
  kind: CLIENT,
  attributes: { 'http.request.method': 'POST', 'url.full': `https://${host}/`, 'server.address': host, 'http.response.status_code': 200 },
});
const sqsPost = awsPost('sqs.eu-west-1.amazonaws.com');
const snsPost = awsPost('sns.eu-west-1.amazonaws.com');
const aws = (service: string, method: string, system: string) => ({
  'rpc.system': 'aws-api',
  'rpc.service': service,
  'rpc.method': method,
  'cloud.region': 'eu-west-1',
  'messaging.system': system,
});
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:orders';
const sqs = (method: string) => ({
  ...aws('SQS', method, 'aws_sqs'),
  'messaging.destination.name': 'orders-queue',
  'url.full': queueUrl,
});

// The spans of consumers as the official instrumentations make them.
describe('calls under a receive (transport-spans.ts)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    // instrumentation-kafkajs, eachBatch: the batch's `poll <topic>` is a CLIENT span (operation receive) at the root of
    // its trace, a `process` CONSUMER span per message under it, and the batch handler runs inside the poll span.
    await sendSpans({ url: h.collector.url, serviceName: 'billing-batch' }, [
      {
        name: 'poll orders.created',
        kind: CLIENT,
        start: t0,
        durationMs: 100,
        attributes: { ...kafka('receive'), 'messaging.batch.message_count': 2 },
        children: [
          { name: 'process orders.created', kind: CONSUMER, attributes: { ...kafka('process'), 'messaging.kafka.offset': '1' } },
          { name: 'process orders.created', kind: CONSUMER, attributes: { ...kafka('process'), 'messaging.kafka.offset': '2' } },
          {
            name: 'pg.query:INSERT billing',
            kind: CLIENT,
            start: t0 + 20,
            attributes: {
              'db.system': 'postgresql',
              'db.name': 'billing',
              'db.statement': 'INSERT INTO invoices (order_id, total) VALUES ($1, $2)',
              'net.peer.name': 'billing-db',
              'net.peer.port': 5432,
              'db.connection_string': 'postgresql://billing-db:5432/billing',
            },
          },
          {
            name: 'POST',
            kind: CLIENT,
            start: t0 + 40,
            attributes: {
              'http.request.method': 'POST',
              'url.full': 'http://billing.internal/api/invoices',
              'server.address': 'billing.internal',
              'http.response.status_code': 201,
            },
          },
        ],
      },
    ]);
    // The aws-sdk's SQS ReceiveMessage is a CONSUMER span with the POST that carries it under it; the worker then writes
    // the ERP and deletes the message (a CLIENT span, with its POST).
    await sendSpans({ url: h.collector.url, serviceName: 'sqs-worker' }, [
      // At start: the queue's URL by its name (the instrumentation names no destination: the input has no QueueUrl).
      { name: 'SQS.GetQueueUrl', kind: CLIENT, start: t0 + 900, attributes: aws('SQS', 'GetQueueUrl', 'aws_sqs'), children: [sqsPost] },
      {
        name: 'worker.poll',
        kind: INTERNAL,
        start: t0 + 1000,
        durationMs: 200,
        children: [
          {
            name: 'orders-queue receive',
            kind: CONSUMER,
            attributes: { ...sqs('ReceiveMessage'), 'messaging.operation.type': 'receive', 'messaging.batch.message_count': 1 },
            children: [sqsPost],
          },
          {
            name: 'POST',
            kind: CLIENT,
            start: t0 + 1050,
            attributes: { 'http.request.method': 'POST', 'url.full': 'http://erp.internal/api/orders', 'http.response.status_code': 201 },
          },
          { name: 'SQS.DeleteMessage', kind: CLIENT, start: t0 + 1100, attributes: sqs('DeleteMessage'), children: [sqsPost] },
        ],
      },
    ]);
    // instrumentation-amqplib: the consumer's handler runs in its CONSUMER span; the broker runs on the ERP's machine.
    await sendSpans({ url: h.collector.url, serviceName: 'amqp-worker' }, [
      {
        name: 'orders process',
        kind: CONSUMER,
        start: t0 + 2000,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.destination.name': 'orders',
          'messaging.operation.type': 'process',
          'net.peer.name': 'erp.internal',
          'net.peer.port': 5672,
        },
        children: [
          {
            name: 'PUT',
            kind: CLIENT,
            attributes: { 'http.request.method': 'PUT', 'url.full': 'http://erp.internal/api/orders/42', 'http.response.status_code': 200 },
          },
        ],
      },
    ]);
    // The aws-sdk's SNS: a publisher that makes sure of its topic (CreateTopic is idempotent) and publishes to it.
    await sendSpans({ url: h.collector.url, serviceName: 'sns-publisher' }, [
      { name: 'SNS CreateTopic', kind: CLIENT, start: t0 + 3000, attributes: aws('SNS', 'CreateTopic', 'aws.sns'), children: [snsPost] },
      {
        name: 'publish-orders',
        kind: INTERNAL,
        start: t0 + 3100,
        children: [
          {
            name: 'GET',
            kind: CLIENT,
            attributes: { 'http.request.method': 'GET', 'url.full': 'http://erp.internal/api/orders', 'http.response.status_code': 200 },
          },
          {
            name: 'orders send',
            kind: PRODUCER,
            attributes: {
              ...aws('SNS', 'Publish', 'aws.sns'),
              'messaging.destination.kind': 'topic',
              'messaging.destination': 'orders',
              'messaging.destination.name': topicArn,
              'aws.sns.topic.arn': topicArn,
            },
            children: [snsPost],
          },
        ],
      },
    ]);
    // A message sent without any destination is still an endpoint Weft cannot name.
    await sendSpans({ url: h.collector.url, serviceName: 'nameless-producer' }, [
      { name: 'send', kind: PRODUCER, start: t0 + 4000, attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send' } },
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: the kafkajs batch handler's INSERT and POST were taken as the transport of its `poll` span, and
  // events-to-billing was never observed (a `flow-never-observed` finding once Weft had watched for a day); the SQS
  // ReceiveMessage's POST was a call of its own: `Unknown system sqs.eu-west-1.amazonaws.com` and `Undocumented flow
  // order-queue → unknown:sqs.eu-west-1.amazonaws.com`.
  it('observes each documented flow, and no unknown system or undocumented flow', async () => {
    expect(await openFindingTitles(analyzer, ['unknown-system', 'undocumented-flow'])).toEqual([]);
    const edges = await observedEdges(analyzer, (e) => `${e.source} -> ${e.target} ${e.flowId ?? ''} ${e.traces}`);
    expect(edges).toEqual([
      'erp -> order-topic erp-to-topic 1',
      'order-events -> billing events-to-billing 1',
      'order-exchange -> erp exchange-to-erp 1',
      'order-queue -> erp queue-to-erp 1',
    ]);
  });

  // Regression: `sqs-worker touched messaging endpoints without a usable name (1 span)` for the SQS GetQueueUrl, and its
  // POST a call of its own: `Unknown system sqs.eu-west-1.amazonaws.com`, `Undocumented flow integration:sqs-worker →
  // unknown:sqs.eu-west-1.amazonaws.com`; likewise SNS CreateTopic.
  it('takes a broker’s management call (no destination, neither sent nor received) for no unnamed endpoint, and its request for its transport', async () => {
    const unnamed = await analyzer.findings.list({ status: ['open'], kind: ['unnamed-endpoint'] });
    expect(unnamed.map((f) => f.title)).toEqual(['nameless-producer touched messaging endpoints without a usable name (1 span)']);
  });

  it('takes only the receive’s own request back out of the endpoint rollups', async () => {
    const rows = await h.rows<{ ep: string; n: string }>(
      `SELECT concat(service, ' ', direction, ' ', ep_kind, ' ', ep_host, ' ', ep_name) AS ep, toString(sum(spans)) AS n
       FROM weft_endpoint_rollup_1m WHERE ep_kind = 'http' OR ep_kind = 'db' GROUP BY ep HAVING sum(spans) > 0 AND sum(spans) < 1000000 ORDER BY ep`,
    );
    expect(rows.map((r) => `${r.ep} ${r.n}`)).toEqual([
      'amqp-worker write http erp.internal /api/orders 1',
      'billing-batch write db billing-db billing 1',
      'billing-batch write http billing.internal /api/invoices 1',
      'sns-publisher read http erp.internal /api/orders 1',
      'sqs-worker write http erp.internal /api/orders 1',
    ]);
  });
});
