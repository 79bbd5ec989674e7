import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import { detectAll } from '../detectors/index.ts';
import { runPairing } from '../flows/pairing-job.ts';
import { senderLagsBefore } from '../test/estate-fixture.ts';
import { startPairingHarness, type PairingHarness } from '../test/pairing-harness.ts';

const MINUTE = 60_000;

const catalogYaml = `
owners: [{ id: icoe }]
systems:
  - { id: shop, owner: icoe, match: { hosts: [shop.internal] } }
  - { id: bus, kind: topic, owner: icoe, match: { destinations: [{ name: "customers", system: rabbitmq }] } }
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
domains:
  - { id: customer, systemOfRecord: shop, replicas: [crm], owner: icoe, drift: { settle: 1m } }
flows:
  - { id: publish, source: shop, target: bus, domain: customer, owner: icoe, runtime: { service: publisher } }
  - { id: consume, source: bus, target: crm, domain: customer, owner: icoe, runtime: { service: consumer } }
`;

const records = (n: number) => ({ 'integration.domain': 'customer', 'integration.records': n });
const messaging = (operation: string) => ({ 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'customers', 'messaging.operation.type': operation });

/** The publisher's run: it reads 100 customers from the shop and publishes them. */
const publish = (start: number): SpanSpec => ({
  name: 'publish customers',
  start,
  children: [
    {
      name: 'GET',
      kind: api.SpanKind.CLIENT,
      start,
      attributes: { 'http.request.method': 'GET', 'url.full': 'https://shop.internal/api/customers', ...records(100) },
    },
    { name: 'customers publish', kind: api.SpanKind.PRODUCER, start: start + 20, attributes: { ...messaging('publish'), ...records(100) } },
  ],
});

/** The consumer's run: it takes `n` customers from the topic and writes them to the CRM. */
const consume = (start: number, n: number): SpanSpec => ({
  name: 'customers process',
  kind: api.SpanKind.CONSUMER,
  start,
  attributes: { ...messaging('process'), ...records(n) },
  children: [
    {
      name: 'POST',
      kind: api.SpanKind.CLIENT,
      start: start + 5,
      attributes: { 'http.request.method': 'POST', 'url.full': 'https://crm.internal/api/customers', ...records(n) },
    },
  ],
});

// Regression: the records each hop moved are read from the endpoint rollups, keyed by each span's own minute. A consumer
// whose clock was 10 minutes behind took every minute the 100 customers published a second before, its runs stamped
// 10 minutes earlier: a 15-minute look-back held 1,200 written (its settled minutes) and 400 read, a high
// hop-record-loss finding ("800 customer records lost between bus and consumer") while every record was read.
describe('records through a topic whose consumer’s clock is 10 minutes behind (real SDK → collector → chDB)', () => {
  let harness: PairingHarness;
  beforeAll(async () => {
    harness = await startPairingHarness(catalogYaml);
    const url = harness.h.collector.url;
    const now = Date.now();
    const minute = Math.floor(now / MINUTE) * MINUTE;
    // The consumer's clock has been 10 minutes behind for the two minutes before this one (its spans' least lag).
    await senderLagsBefore(harness.h.store, now, { consumer: 10 * MINUTE + 2_000 });
    // Every minute of the last 14 (10 s into each, Weft's clock) the publisher published 100 customers and the consumer
    // took them a second later; their runs reach Weft now, beside the consumer's latest poll (it found nothing), sent as
    // it ended.
    const behind = 10 * MINUTE;
    const runs = Array.from({ length: 14 }, (_, k) => minute - (k + 1) * MINUTE + 10_000);
    await sendSpans({ url, serviceName: 'publisher' }, runs.map(publish));
    await sendSpans({ url, serviceName: 'consumer' }, [...runs.map((t) => consume(t + 1_000 - behind, 100)), consume(now - 2_000 - behind, 0)]);
    await harness.h.collector.flush();
    await runPairing(harness.h.store, new Date(), 0);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('reads the consumer’s records where it took them by Weft’s clock: no false hop-record-loss', async () => {
    const snapshot = await harness.analyzer.snapshot(15 * MINUTE);
    const handoff = snapshot.hopChains?.flatMap((c) => c.hops).find((h) => h.integration === 'consumer')?.handoff;
    expect(handoff).toMatchObject({ system: 'bus', judged: true, lost: false });
    // Written: the runs of the settled minutes (12 or so); read: every run of the window, the latest ones too.
    expect(handoff!.written).toBeGreaterThanOrEqual(1000);
    expect(handoff!.read).toBeGreaterThanOrEqual(handoff!.written!);
    expect(detectAll({ snapshot, now: new Date() }).candidates.filter((f) => f.kind === 'hop-record-loss')).toEqual([]);
  });
});
