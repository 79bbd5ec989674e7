import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL, PRODUCER, CONSUMER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
  - { id: order-cache, owner: icoe, match: { hosts: [cache.internal] } }
  - { id: billing, owner: icoe, match: { peerServices: [billing-api] } }
flows:
  - { id: ioredis-out, source: crm, target: order-cache, owner: icoe, runtime: { service: ioredis-out } }
  - { id: ioredis-in, source: order-cache, target: erp, owner: icoe, runtime: { service: ioredis-in } }
  - { id: node-redis-out, source: crm, target: order-cache, owner: icoe, runtime: { service: node-redis-out } }
  - { id: node-redis-in, source: order-cache, target: erp, owner: icoe, runtime: { service: node-redis-in } }
  - { id: peer-publisher, source: crm, target: billing, owner: icoe, runtime: { service: peer-publisher } }
  - { id: peer-consumer, source: billing, target: erp, owner: icoe, runtime: { service: peer-consumer } }
  - { id: service-peer-publisher, source: crm, target: billing, owner: icoe, runtime: { service: service-peer-publisher } }
`;

/**
 * A Redis command as @opentelemetry/instrumentation-ioredis 0.71 records it: a CLIENT span named by the command (in
 * lower case, as ioredis names it), db.operation.name `MULTI <cmd>` in a transaction, `PIPELINE <cmd>` in a pipeline,
 * the bare command for ioredis's own `multi` and `exec`, db.query.text by its default serializer.
 */
const ioredis = (command: string, operation: string, text: string): SpanSpec => ({
  name: command,
  kind: CLIENT,
  attributes: {
    'db.operation.name': operation,
    'db.system.name': 'redis',
    'db.query.text': text,
    'server.address': 'cache.internal',
    'server.port': 6379,
  },
});
/**
 * The same as -redis 0.71 records it for node-redis 4/5: named `redis-<CMD>`, db.operation.name `MULTI <CMD>` or
 * `PIPELINE <CMD>` when every command of the batch is the same, `MULTI` or `PIPELINE` alone otherwise.
 */
const nodeRedis = (command: string, operation: string, text: string): SpanSpec => ({
  name: `redis-${command}`,
  kind: CLIENT,
  attributes: {
    'db.system.name': 'redis',
    'server.address': 'cache.internal',
    'server.port': 6379,
    'db.operation.name': operation,
    'db.query.text': text,
  },
});
const run = (start: number, children: SpanSpec[]): SpanSpec => ({ name: 'run', kind: INTERNAL, start, children });

// Regression: a Redis command in a transaction or a pipeline (db.operation.name `MULTI lpush`, `PIPELINE`) said no
// direction, so a queue in Redis between two integrations was `crm -> integration:ioredis-out` and
// `integration:ioredis-in -> erp`; a PRODUCER or CONSUMER span naming only peer.service touched nothing, its flow
// `crm -> integration:peer-publisher`.
describe('a Redis command in a transaction or pipeline, and a producer or consumer naming only its peer service', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    // ioredis: `redis.multi().lpush(…).lpush(…).exec()`, then `redis.pipeline().rpop(…).rpop(…).exec()`.
    await send('ioredis-out', [
      run(t0, [
        httpCall('GET', 'https://crm.internal/api/orders'),
        ioredis('multi', 'multi', 'multi'),
        ioredis('lpush', 'MULTI lpush', 'lpush orders [1 other arguments]'),
        ioredis('lpush', 'MULTI lpush', 'lpush orders [1 other arguments]'),
        ioredis('exec', 'exec', 'exec'),
      ]),
    ]);
    await send('ioredis-in', [
      run(t0 + MIN, [
        ioredis('rpop', 'PIPELINE rpop', 'rpop orders'),
        ioredis('rpop', 'PIPELINE rpop', 'rpop orders'),
        httpCall('POST', 'https://erp.internal/api/orders'),
      ]),
    ]);
    // node-redis: `client.multi().set(…).set(…).exec()`, then `client.multi().lRange(…).get(…).execAsPipeline()`.
    await send('node-redis-out', [
      run(t0, [
        httpCall('GET', 'https://crm.internal/api/orders'),
        nodeRedis('SET', 'MULTI SET', 'SET order:1 [1 other arguments]'),
        nodeRedis('SET', 'MULTI SET', 'SET order:2 [1 other arguments]'),
      ]),
    ]);
    await send('node-redis-in', [
      run(t0 + MIN, [
        nodeRedis('LRANGE', 'PIPELINE', 'LRANGE orders 0 -1'),
        nodeRedis('GET', 'PIPELINE', 'GET order:1'),
        httpCall('POST', 'https://erp.internal/api/orders'),
      ]),
    ]);
    // A publisher and a consumer whose messaging spans name only the service they reach.
    await send('peer-publisher', [
      run(t0, [
        httpCall('GET', 'https://crm.internal/api/invoices'),
        { name: 'invoices publish', kind: PRODUCER, attributes: { 'peer.service': 'billing-api' } },
      ]),
    ]);
    await send('peer-consumer', [
      {
        name: 'invoices process',
        kind: CONSUMER,
        start: t0 + MIN,
        attributes: { 'peer.service': 'billing-api' },
        children: [httpCall('POST', 'https://erp.internal/api/invoices')],
      },
    ]);
    await send('service-peer-publisher', [
      run(t0, [
        httpCall('GET', 'https://crm.internal/api/invoices'),
        { name: 'invoices publish', kind: PRODUCER, attributes: { 'service.peer.name': 'billing-api' } },
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

  it('reads and writes the Redis queue by the command in the batch, and the peer service by the span kind', async () => {
    expect(await flowEdges(analyzer)).toEqual([
      'ioredis-in order-cache -> erp',
      'ioredis-out crm -> order-cache',
      'node-redis-in order-cache -> erp',
      'node-redis-out crm -> order-cache',
      'peer-consumer billing -> erp',
      'peer-publisher crm -> billing',
      'service-peer-publisher crm -> billing',
    ]);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
