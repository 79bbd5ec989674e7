import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL, CONSUMER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: order-queue, kind: queue, owner: icoe, match: { destinations: [orders] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
flows:
  - { id: orders-to-billing, source: order-queue, target: billing, owner: icoe, runtime: { service: invoice-worker } }
`;

/** The Java agent's span of an AWS SDK v2 call that is not a message's: the RPC and its HTTP request, no messaging attribute. */
const awsCall = (service: string, method: string, host: string): SpanSpec => ({
  name: `${service}.${method}`,
  kind: CLIENT,
  attributes: {
    'rpc.system': 'aws-api',
    'rpc.service': service,
    'rpc.method': method,
    'http.method': 'POST',
    'http.url': `https://${host}`,
    'http.status_code': 200,
    'net.peer.name': host,
  },
});

describe('SQS and SNS management calls as the Java agent spans them (migration 122)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    await sendSpans({ url: h.collector.url, serviceName: 'invoice-worker' }, [
      // Its start: it looks its queue up and makes sure its notification topic exists.
      {
        name: 'start',
        kind: INTERNAL,
        start: t0,
        children: [awsCall('Sqs', 'GetQueueUrl', 'sqs.eu-west-1.amazonaws.com'), awsCall('Sns', 'CreateTopic', 'sns.eu-west-1.amazonaws.com')],
      },
      // A message processed: it reads its queue's attributes, then invoices.
      {
        name: 'orders process',
        kind: CONSUMER,
        start: t0 + 1000,
        attributes: { 'messaging.system': 'AmazonSQS', 'messaging.destination.name': 'orders', 'messaging.operation': 'process' },
        children: [
          awsCall('Sqs', 'GetQueueAttributes', 'sqs.eu-west-1.amazonaws.com'),
          {
            name: 'POST',
            kind: CLIENT,
            attributes: {
              'http.method': 'POST',
              'http.url': 'http://billing.internal/api/invoices',
              'net.peer.name': 'billing.internal',
              'http.status_code': 201,
            },
          },
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

  // Regression: `Unknown system sqs.eu-west-1.amazonaws.com is used by invoice-worker`, the same for SNS, and `Undocumented
  // flow unknown:sqs.eu-west-1.amazonaws.com → billing (invoice-worker)`: each management call was a call of the SQS or SNS host.
  it('takes the calls for no touch of the broker', async () => {
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system', 'unnamed-endpoint'])).toEqual([]);
    expect(await observedEdges(analyzer)).toEqual(['order-queue -> billing orders-to-billing']);
  });
});
