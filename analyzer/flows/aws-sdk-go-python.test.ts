import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: order-queue, kind: queue, owner: icoe, match: { destinations: [orders] } }
  - { id: orders-db, owner: icoe, match: { databases: [{ system: dynamodb, namespace: Orders }] } }
flows:
  - { id: go-intake, source: crm, target: order-queue, owner: icoe, runtime: { service: go-intake } }
  - { id: go-invoicer, source: order-queue, target: billing, owner: icoe, runtime: { service: go-invoicer } }
  - { id: go-store, source: crm, target: orders-db, owner: icoe, runtime: { service: go-store } }
  - { id: go-export, source: orders-db, target: billing, owner: icoe, runtime: { service: go-export } }
  - { id: py-intake, source: crm, target: order-queue, owner: icoe, runtime: { service: py-intake } }
  - { id: py-invoicer, source: order-queue, target: billing, owner: icoe, runtime: { service: py-invoicer } }
`;

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders';

/** The RPC attributes every aws-sdk instrumentation puts on a call's CLIENT span, named `<service>.<method>`. */
const awsCall = (service: string, method: string, more: api.Attributes, children: SpanSpec[] = []): SpanSpec => ({
  name: `${service}.${method}`,
  kind: CLIENT,
  attributes: { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': method, 'aws.region': 'eu-west-1', 'http.status_code': 200, ...more },
  children,
});

/**
 * otelaws' (aws-sdk-go-v2) SQS call, as its versions name the queue: only by its URL, in `messaging.url` (semconv 1.12),
 * `net.peer.name` (1.21) or `server.address` (1.36), with no destination and no operation; the newest (1.39) names the
 * queue, the operation and the host.
 */
const goSqs = (method: string, version: '1.12' | '1.21' | '1.36' | '1.39'): SpanSpec =>
  awsCall(
    'SQS',
    method,
    version === '1.12'
      ? { 'messaging.system': 'AmazonSQS', 'messaging.url': QUEUE_URL }
      : version === '1.21'
        ? { 'messaging.system': 'AmazonSQS', 'net.peer.name': QUEUE_URL }
        : version === '1.36'
          ? { 'messaging.system': 'aws_sqs', 'server.address': QUEUE_URL }
          : {
              'messaging.system': 'aws_sqs',
              'aws.sqs.queue.url': QUEUE_URL,
              'server.address': 'sqs.eu-west-1.amazonaws.com',
              'messaging.destination.name': 'orders',
              ...(method === 'SendMessage' ? { 'messaging.operation.type': 'send' } : {}),
              ...(method === 'ReceiveMessage' ? { 'messaging.operation.type': 'receive' } : {}),
              ...(method === 'DeleteMessage' ? { 'messaging.operation.type': 'settle' } : {}),
            },
  );

/** otelaws' DynamoDB call: db.system and the tables, the operation only as the RPC method (no db.operation, no host). */
const goDynamodb = (method: string, tables: string[], children: SpanSpec[] = []): SpanSpec =>
  awsCall('DynamoDB', method, { 'db.system': 'dynamodb', ...(tables.length ? { 'aws.dynamodb.table_names': tables } : {}) }, children);

/**
 * opentelemetry-instrumentation-botocore's SQS call (Python): a CLIENT span with the queue's URL and its name in the older
 * `messaging.destination`, no operation.
 */
const pySqs = (method: string): SpanSpec =>
  awsCall('SQS', method, {
    'aws.queue_url': QUEUE_URL,
    'messaging.system': 'aws.sqs',
    'messaging.url': QUEUE_URL,
    'messaging.destination': 'orders',
    retry_attempts: 0,
  });

const run = (start: number, children: SpanSpec[]): SpanSpec => ({ name: 'run', kind: INTERNAL, start, children });

describe('aws-sdk calls as Go (otelaws) and Python (botocore) span them', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    const crm = httpCall('GET', 'http://crm.internal/api/orders');
    const invoice = httpCall('POST', 'http://billing.internal/api/invoices', { status: 201 });
    // Go: new CRM orders go to the queue (each otelaws version's span), a worker invoices them.
    await send(
      'go-intake',
      (['1.12', '1.21', '1.36', '1.39'] as const).map((v, i) => run(t0 + i * 1000, [crm, goSqs('SendMessage', v)])),
    );
    await send(
      'go-invoicer',
      (['1.12', '1.21', '1.36', '1.39'] as const).map((v, i) =>
        run(t0 + i * 1000, [goSqs('GetQueueAttributes', v), goSqs('ReceiveMessage', v), invoice, goSqs('DeleteMessage', v)]),
      ),
    );
    // Go: CRM orders stored in DynamoDB (the HTTP client wrapped by otelhttp too), exported to billing.
    await send('go-store', [
      run(t0, [
        goDynamodb('DescribeTable', ['Orders']),
        crm,
        goDynamodb('PutItem', ['Orders'], [httpCall('POST', 'https://dynamodb.eu-west-1.amazonaws.com/')]),
      ]),
    ]);
    await send('go-export', [run(t0, [goDynamodb('ListTables', []), goDynamodb('Query', ['Orders']), invoice])]);
    // Python: the same queue.
    await send('py-intake', [run(t0, [crm, pySqs('SendMessage')])]);
    await send('py-invoicer', [run(t0, [pySqs('GetQueueAttributes'), pySqs('ReceiveMessage'), invoice, pySqs('DeleteMessage')])]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('sees each documented flow, and no other', async () => {
    expect(await observedEdges(analyzer, (e) => `${e.source} -> ${e.target} ${e.flowId ?? ''} traces=${e.traces}`)).toEqual([
      'crm -> order-queue go-intake traces=4',
      'crm -> order-queue py-intake traces=1',
      'crm -> orders-db go-store traces=1',
      'order-queue -> billing go-invoicer traces=4',
      'order-queue -> billing py-invoicer traces=1',
      'orders-db -> billing go-export traces=1',
    ]);
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system', 'sor-violation', 'unnamed-endpoint', 'flow-never-observed'])).toEqual([]);
  });

  // Regression: otelaws' semconv 1.21 and 1.36 spans give the queue's URL as net.peer.name or server.address, and the
  // queue's host was shown as `[https://sqs.eu-west-1.amazonaws.com/123456789012/orders]`, which no hosts rule matched.
  it("shows an SQS queue's host as the host of the URL a host attribute gives", async () => {
    const rows = await h.rows<{ ep: string }>(
      `SELECT DISTINCT concat(ep_sys, ' ', ep_host, ' ', ep_name) AS ep FROM weft_endpoint_rollup_1m WHERE ep_kind = 'messaging' ORDER BY ep`,
    );
    expect(rows.map((r) => r.ep)).toEqual([
      'amazonsqs  orders',
      'amazonsqs sqs.eu-west-1.amazonaws.com orders',
      'aws.sqs  orders',
      'aws_sqs sqs.eu-west-1.amazonaws.com orders',
    ]);
  });
});
