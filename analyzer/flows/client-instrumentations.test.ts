import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL, PRODUCER, CONSUMER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: orders-db, owner: icoe, match: { databases: [{ system: postgresql, namespace: orders }] } }
  - { id: shop-db, owner: icoe, match: { databases: [{ system: mongodb, namespace: shop }] } }
  - { id: cache, owner: icoe, match: { hosts: [cache.internal] } }
  - { id: order-topic, kind: queue, owner: icoe, match: { destinations: [{ name: orders, system: kafka }] } }
  - { id: order-exchange, kind: queue, owner: icoe, match: { destinations: [{ name: orders-x, system: rabbitmq }] } }
flows:
  - { id: java-jdbc, source: orders-db, target: order-topic, owner: icoe, runtime: { service: java-jdbc } }
  - { id: spring-kafka, source: order-topic, target: billing, owner: icoe, runtime: { service: spring-kafka } }
  - { id: node-amqp-out, source: shop-db, target: order-exchange, owner: icoe, runtime: { service: node-amqp-out } }
  - { id: node-amqp-in, source: order-exchange, target: orders-db, owner: icoe, runtime: { service: node-amqp-in } }
  - { id: node-cache, source: crm, target: cache, owner: icoe, runtime: { service: node-cache } }
  - { id: ruby-sync, source: crm, target: billing, owner: icoe, runtime: { service: ruby-sync } }
`;

const client = (name: string, attributes: api.Attributes, kind: api.SpanKind = CLIENT): SpanSpec => ({ name, kind, attributes });
const run = (start: number, children: SpanSpec[]): SpanSpec => ({ name: 'run', kind: INTERNAL, start, children });

describe('client spans of the Java agent 1.x, Node contrib and Ruby instrumentations, as they name their attributes', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    // Java agent 1.x: JDBC (no db.connection_string), Kafka producer and Spring Kafka listener.
    await send('java-jdbc', [
      run(t0, [
        client('SELECT orders.orders', {
          'db.system': 'postgresql',
          'db.name': 'orders',
          'db.user': 'app',
          'db.statement': 'SELECT id, total FROM orders WHERE updated_at > ?',
          'db.operation': 'SELECT',
          'db.sql.table': 'orders',
          'net.peer.name': 'pg01',
          'net.peer.port': 5432,
        }),
        client('orders send', { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.destination.kind': 'topic' }, PRODUCER),
      ]),
    ]);
    await send('spring-kafka', [
      {
        ...client(
          'orders process',
          {
            'messaging.system': 'kafka',
            'messaging.destination.name': 'orders',
            'messaging.operation': 'process',
            'messaging.kafka.consumer.group': 'billing',
          },
          CONSUMER,
        ),
        start: t0,
        children: [
          client('POST', {
            'http.method': 'POST',
            'http.url': 'http://billing.internal/api/invoices',
            'net.peer.name': 'billing.internal',
            'http.status_code': 201,
          }),
        ],
      },
    ]);
    // Node: mongodb, amqplib (the default exchange's publish names the exchange ''; a consume the exchange and key), pg, ioredis.
    await send('node-amqp-out', [
      // mongoose's index creation at start, a trace of its own
      run(t0 - MIN, [
        client('mongodb.createIndexes', {
          'db.system': 'mongodb',
          'db.name': 'shop',
          'db.mongodb.collection': 'orders',
          'db.operation': 'createIndexes',
          'net.peer.name': 'mongo.internal',
          'net.peer.port': 27017,
        }),
      ]),
      run(t0, [
        client('mongodb.find', {
          'db.system': 'mongodb',
          'db.name': 'shop',
          'db.mongodb.collection': 'orders',
          'db.operation': 'find',
          'net.peer.name': 'mongo.internal',
          'net.peer.port': 27017,
        }),
        client(
          'publish orders-x',
          {
            'messaging.system': 'rabbitmq',
            'messaging.destination': 'orders-x',
            'messaging.destination_kind': 'topic',
            'messaging.rabbitmq.routing_key': 'new',
            'messaging.protocol': 'AMQP',
            'messaging.url': 'amqp://mq.internal',
            'net.peer.name': 'mq.internal',
            'net.peer.port': 5672,
          },
          PRODUCER,
        ),
      ]),
    ]);
    await send('node-amqp-in', [
      {
        ...client(
          'orders-q process',
          {
            'messaging.system': 'rabbitmq',
            'messaging.destination': 'orders-x',
            'messaging.rabbitmq.routing_key': 'new',
            'messaging.operation': 'process',
            'net.peer.name': 'mq.internal',
            'net.peer.port': 5672,
          },
          CONSUMER,
        ),
        start: t0,
        children: [
          client('pg.connect', {
            'db.system': 'postgresql',
            'db.name': 'orders',
            'db.connection_string': 'postgresql://pg01:5432/orders',
            'net.peer.name': 'pg01',
            'net.peer.port': 5432,
          }),
          client('pg.query:INSERT orders', {
            'db.system': 'postgresql',
            'db.name': 'orders',
            'db.user': 'app',
            'db.connection_string': 'postgresql://pg01:5432/orders',
            'net.peer.name': 'pg01',
            'net.peer.port': 5432,
            'db.statement': 'INSERT INTO orders (id) VALUES ($1)',
          }),
        ],
      },
    ]);
    await send('node-cache', [
      run(t0 - MIN, [client('info', { 'db.system': 'redis', 'db.statement': 'info', 'net.peer.name': 'cache.internal', 'net.peer.port': 6379 })]),
      run(t0, [
        client('GET', { 'http.method': 'GET', 'http.url': 'https://crm.internal/api/customers', 'net.peer.name': 'crm.internal', 'http.status_code': 200 }),
        client('set', {
          'db.system': 'redis',
          'db.statement': 'set customer:7 ?',
          'db.connection_string': 'redis://cache.internal:6379',
          'net.peer.name': 'cache.internal',
          'net.peer.port': 6379,
        }),
      ]),
    ]);
    // Ruby: Net::HTTP names no URL (scheme, target and peer), Faraday does.
    await send('ruby-sync', [
      run(t0, [
        client('HTTP GET', {
          'http.method': 'GET',
          'http.scheme': 'https',
          'http.target': '/api/orders?page=2',
          'net.peer.name': 'crm.internal',
          'net.peer.port': 443,
          'http.status_code': 200,
        }),
        client('HTTP POST', {
          'http.method': 'POST',
          'http.url': 'https://billing.internal/api/invoices',
          'net.peer.name': 'billing.internal',
          'http.status_code': 201,
        }),
      ]),
    ]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('sees each documented flow, and no other', async () => {
    expect(await flowEdges(analyzer)).toEqual([
      'java-jdbc orders-db -> order-topic',
      'node-amqp-in order-exchange -> orders-db',
      'node-amqp-out shop-db -> order-exchange',
      'node-cache crm -> cache',
      'ruby-sync crm -> billing',
      'spring-kafka order-topic -> billing',
    ]);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
