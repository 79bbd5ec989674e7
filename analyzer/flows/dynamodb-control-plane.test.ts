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
  - { id: orders-db, owner: icoe, match: { databases: [{ system: dynamodb, namespace: Orders }] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
flows:
  - { id: crm-to-orders, source: crm, target: orders-db, owner: icoe, runtime: { service: order-import } }
  - { id: orders-to-billing, source: orders-db, target: billing, owner: icoe, runtime: { service: order-export } }
`;

/**
 * The Java agent's span of an AWS SDK v2 DynamoDB call: one CLIENT span with the RPC, the HTTP request (a POST, as every
 * DynamoDB call is) and the DynamoDB attributes.
 */
const dynamodb = (operation: string): SpanSpec => ({
  name: `DynamoDb.${operation}`,
  kind: CLIENT,
  attributes: {
    'rpc.system': 'aws-api',
    'rpc.service': 'DynamoDb',
    'rpc.method': operation,
    'http.method': 'POST',
    'http.url': 'https://dynamodb.eu-west-1.amazonaws.com',
    'http.status_code': 200,
    'net.peer.name': 'dynamodb.eu-west-1.amazonaws.com',
    'db.system': 'dynamodb',
    'db.operation': operation,
    'aws.dynamodb.table_names': ['Orders'],
  },
});
const call = (method: string, url: string): SpanSpec => httpCall(method, url, { conventions: 'old' });

describe('DynamoDB control-plane calls, a POST each in the Java agent (migration 122)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const run = (service: string, children: SpanSpec[], at: number) =>
      sendSpans({ url: h.collector.url, serviceName: service }, [{ name: 'sync', kind: INTERNAL, start: at, children }]);
    // Imports CRM orders into DynamoDB, checking the table first (the enhanced client's describeTable).
    await run('order-import', [dynamodb('DescribeTable'), call('GET', 'http://crm.internal/api/orders'), dynamodb('PutItem')], t0);
    // Exports them to billing: lists the tables, queries Orders, posts invoices.
    await run(
      'order-export',
      [dynamodb('ListTables'), dynamodb('DescribeTable'), dynamodb('Query'), call('POST', 'http://billing.internal/api/invoices')],
      t0 + 1000,
    );
    // A service's start: it waits for the table to exist (DescribeTable) and does nothing else in that trace.
    await run('order-export', [dynamodb('DescribeTable'), dynamodb('DescribeTimeToLive')], t0 + 2000);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `Undocumented flow integration:order-export → orders-db (order-export)`: each of these was a POST, and a
  // trace of a service's start that only described its table wrote the table.
  it('takes a describe or a list of tables for no read or write', async () => {
    expect(await observedEdges(analyzer)).toEqual(['crm -> orders-db crm-to-orders', 'orders-db -> billing orders-to-billing']);
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system', 'sor-violation', 'unnamed-endpoint'])).toEqual([]);
  });
});
