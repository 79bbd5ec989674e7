import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;
const LAMBDA = 'https://lambda.us-east-1.amazonaws.com';

// The AWS resources as they are documented for AWS: a bucket (as OpenLineage names it), a function by its Invoke URL.
const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: archive, kind: object-store, owner: icoe, match: { hosts: [orders-archive] } }
  - { id: orders-fn, owner: icoe, match: { urlPrefixes: ["${LAMBDA}/2015-03-31/functions/orders-fn"] } }
  - { id: invoices-fn, owner: icoe, match: { urlPrefixes: ["${LAMBDA}/2015-03-31/functions/invoices-fn"] } }
flows:
  - { id: path-archiver, source: crm, target: archive, owner: icoe, runtime: { service: path-archiver } }
  - { id: host-archiver, source: crm, target: archive, owner: icoe, runtime: { service: host-archiver } }
  - { id: java1-archiver, source: crm, target: archive, owner: icoe, runtime: { service: java1-archiver } }
  - { id: java-orders, source: crm, target: orders-fn, owner: icoe, runtime: { service: java-orders } }
  - { id: java-invoices, source: crm, target: invoices-fn, owner: icoe, runtime: { service: java-invoices } }
  - { id: java1-orders, source: crm, target: orders-fn, owner: icoe, runtime: { service: java1-orders } }
`;

/** An aws-sdk span of `service`'s `method` with its HTTP request (the Java agent's: one span for both). */
const aws = (service: string, method: string, http: api.Attributes): SpanSpec => ({
  name: `${service}.${method}`,
  kind: CLIENT,
  attributes: { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': method, 'aws.region': 'us-east-1', ...http },
});
const run = (start: number, children: SpanSpec[]): SpanSpec => ({ name: 'run', kind: INTERNAL, start, children });

// Regression: an aws-sdk call to LocalStack was an HTTP call to `localhost:4566`, `Unknown system localhost:4566` and
// undocumented flows into it, beside the bucket and functions documented for AWS.
describe('aws-sdk calls to LocalStack touch the AWS resource they name', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, call: SpanSpec) =>
      sendSpans({ url: h.collector.url, serviceName: service }, [run(t0, [httpCall('GET', 'https://crm.internal/api/orders'), call])]);
    const put = (url: string, more: api.Attributes = {}) =>
      aws('S3', 'PutObject', { 'http.request.method': 'PUT', 'url.full': url, 'server.address': new URL(url).hostname, ...more });
    // Path style to the edge port (the aws-sdk with an endpoint of http://localhost:4566), virtual-hosted style to its host.
    await send('path-archiver', put('http://localhost:4566/orders-archive/invoices/2026/inv-1.pdf'));
    await send('host-archiver', put('http://orders-archive.s3.localhost.localstack.cloud:4566/invoices/2026/inv-1.pdf'));
    // The Java agent's aws-sdk 1.11 span: the endpoint as URL, the bucket in aws.bucket.name.
    await send(
      'java1-archiver',
      aws('Amazon S3', 'PutObject', {
        'http.method': 'PUT',
        'http.url': 'http://localhost:4566',
        'net.peer.name': 'localhost',
        'aws.bucket.name': 'orders-archive',
      }),
    );
    // Lambda: the function in the Invoke path (aws-sdk 2.x), or the Java agent's aws.lambda.function.name (1.11).
    const invoke = (fn: string) =>
      aws('Lambda', 'Invoke', {
        'http.request.method': 'POST',
        'url.full': `http://localhost.localstack.cloud:4566/2015-03-31/functions/${fn}/invocations`,
        'server.address': 'localhost.localstack.cloud',
      });
    await send('java-orders', invoke('orders-fn'));
    await send('java-invoices', invoke('arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ainvoices-fn'));
    await send(
      'java1-orders',
      aws('AWSLambda', 'Invoke', {
        'http.method': 'POST',
        'http.url': 'http://127.0.0.1:4566',
        'net.peer.name': '127.0.0.1',
        'aws.lambda.function.name': 'orders-fn',
      }),
    );
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('observes the flows documented for the bucket and the functions, and reports nothing misread', async () => {
    expect(await flowEdges(analyzer)).toEqual([
      'host-archiver crm -> archive',
      'java-invoices crm -> invoices-fn',
      'java-orders crm -> orders-fn',
      'java1-archiver crm -> archive',
      'java1-orders crm -> orders-fn',
      'path-archiver crm -> archive',
    ]);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
