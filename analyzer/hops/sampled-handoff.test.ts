import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp } from '../../api/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import { detectAll } from '../detectors/index.ts';
import { runPairing } from '../flows/pairing-job.ts';
import { startPairingHarness, type PairingHarness } from '../test/pairing-harness.ts';
import type { HopChain } from './hop-chain.ts';

const MINUTE = 60_000;

const catalogYaml = `
owners: [{ id: icoe }]
systems:
  - { id: shop, owner: icoe, match: { hosts: [shop.internal] } }
  - { id: bus-a, kind: topic, owner: icoe, match: { destinations: [{ name: "customers.a", system: rabbitmq }] } }
  - { id: bus-b, kind: topic, owner: icoe, match: { destinations: [{ name: "customers.b", system: rabbitmq }] } }
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
domains:
  - { id: customer, systemOfRecord: shop, replicas: [crm], owner: icoe, drift: { settle: 1m } }
flows:
  - { id: publish-a, source: shop, target: bus-a, domain: customer, owner: icoe, runtime: { service: publisher-a } }
  - { id: consume-a, source: bus-a, target: crm, domain: customer, owner: icoe, runtime: { service: consumer-a } }
  - { id: publish-b, source: shop, target: bus-b, domain: customer, owner: icoe, runtime: { service: publisher-b } }
  - { id: consume-b, source: bus-b, target: crm, domain: customer, owner: icoe, runtime: { service: consumer-b } }
`;

const records = (n: number) => ({ 'integration.domain': 'customer', 'integration.records': n });
const messaging = (queue: string, operation: string) => ({
  'messaging.system': 'rabbitmq',
  'messaging.destination.name': queue,
  'messaging.operation.type': operation,
});

/** A publisher's run: it reads 100 customers from the shop and publishes them to `queue`. */
const publish = (queue: string, start: number): SpanSpec => ({
  name: 'publish customers',
  start,
  children: [
    {
      name: 'GET',
      kind: api.SpanKind.CLIENT,
      attributes: { 'http.request.method': 'GET', 'url.full': 'https://shop.internal/api/customers', ...records(100) },
    },
    { name: `${queue} publish`, kind: api.SpanKind.PRODUCER, attributes: { ...messaging(queue, 'publish'), ...records(100) } },
  ],
});

/** A consumer's run: it takes `n` customers from `queue` and writes them to the CRM. */
const consume = (queue: string, start: number, n: number): SpanSpec => ({
  name: `${queue} process`,
  kind: api.SpanKind.CONSUMER,
  start,
  attributes: { ...messaging(queue, 'process'), ...records(n) },
  children: [
    { name: 'POST', kind: api.SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'url.full': 'https://crm.internal/api/customers', ...records(n) } },
  ],
});

// Regression: a consumer whose traces are sampled at 10% (OpenTelemetry probability sampling) reports the records of
// a tenth of its runs; against what an unsampled publisher wrote into the topic, that was a high hop-record-loss
// finding ("90 customer records lost between bus-a and consumer-a") while every record was read.
describe('records through a topic whose consumer samples its traces (real SDK → collector → chDB)', () => {
  let harness: PairingHarness;
  beforeAll(async () => {
    harness = await startPairingHarness(catalogYaml);
    const url = harness.h.collector.url;
    const t = Date.now() - 10 * MINUTE;
    // Each topic: 100 written, 10 read. Through bus-a the consumer's runs reach Weft sampled at 10%: it read them all.
    await sendSpans({ url, serviceName: 'publisher-a' }, [publish('customers.a', t)]);
    await sendSpans({ url, serviceName: 'consumer-a' }, [consume('customers.a', t + 1000, 10)], { traceState: 'ot=th:e666666666666' });
    // Through bus-b, unsampled, 90 records were not read: a loss.
    await sendSpans({ url, serviceName: 'publisher-b' }, [publish('customers.b', t)]);
    await sendSpans({ url, serviceName: 'consumer-b' }, [consume('customers.b', t + 1000, 10)]);
    await harness.h.collector.flush();
    await runPairing(harness.h.store, new Date(), 0);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('finds the loss of an unsampled consumer, and shows without judging the counts of a sampled one', async () => {
    const snapshot = await harness.analyzer.snapshot(60 * MINUTE);
    const losses = detectAll({ snapshot, now: new Date() }).candidates.filter((f) => f.kind === 'hop-record-loss');
    expect(losses.map((f) => f.title)).toEqual([expect.stringMatching(/^90 customer records lost between bus-b and consumer-b/)]);
    const handoff = snapshot.hopChains?.flatMap((c) => c.hops).find((h) => h.integration === 'consumer-a')?.handoff;
    expect(handoff).toMatchObject({ system: 'bus-a', written: 100, read: 10, judged: false, lost: false, sampled: ['consumer-a'] });
    // The API says why it is not compared.
    const app = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      logger: silentLogger(),
      services: { store: harness.h.store, analyzer: harness.analyzer },
    });
    try {
      const hops = (await app.inject({ method: 'GET', url: '/api/v1/hops?since=1h' })).json<{ chains: HopChain[] }>();
      expect(hops.chains.flatMap((c) => c.hops).find((h) => h.integration === 'consumer-a')?.handoff).toMatchObject({ judged: false, sampled: ['consumer-a'] });
    } finally {
      await app.close();
    }
  });
});
