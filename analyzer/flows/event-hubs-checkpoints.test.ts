import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CONSUMER, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: archive, owner: icoe, match: { urlPrefixes: ["https://acct.blob.core.windows.net/archive/"] } }
  - { id: order-events, kind: topic, owner: icoe, match: { destinations: [{ name: orders-hub, system: eventhubs }] } }
flows:
  - { id: invoicer, source: order-events, target: billing, owner: icoe, runtime: { service: invoicer } }
  - { id: archiver, source: order-events, target: archive, owner: icoe, runtime: { service: archiver } }
  - { id: tracker, source: order-events, target: billing, owner: icoe, runtime: { service: tracker } }
`;

const STORE = 'https://acct.blob.core.windows.net/checkpoints';
const PREFIX = 'ns1.servicebus.windows.net/orders-hub/$default';

/** An Azure SDK HTTP span of a Blob Storage request (Azure.Core: the method as name, az.namespace Microsoft.Storage). */
const blob = (method: string, url: string, status = 201): SpanSpec => {
  const call = httpCall(method, url, { status });
  return { ...call, attributes: { ...call.attributes, 'az.namespace': 'Microsoft.Storage' } };
};

/** The Event Hubs processor's span of an event processed (Azure.Messaging.EventHubs), with what the handler did. */
const processed = (start: number, children: SpanSpec[]): SpanSpec => ({
  name: 'EventProcessor.Process',
  kind: CONSUMER,
  start,
  attributes: {
    'az.namespace': 'Microsoft.EventHub',
    'messaging.system': 'eventhubs',
    'messaging.destination.name': 'orders-hub',
    'messaging.operation': 'process',
    'server.address': 'ns1.servicebus.windows.net',
    'messaging.eventhubs.consumer.group': '$Default',
  },
  children,
});

describe("an Event Hubs processor's blob checkpoint store", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    // The handler writes the invoice, then its checkpoint (UpdateCheckpointAsync) in the same trace; the load balancer
    // lists and claims partitions in traces of its own.
    await send('invoicer', [
      processed(t0, [httpCall('POST', 'https://billing.internal/api/invoices', { status: 201 }), blob('PUT', `${STORE}/${PREFIX}/checkpoint/0`)]),
      processed(t0 + 1000, [
        httpCall('POST', 'https://billing.internal/api/invoices', { status: 201 }),
        blob('PUT', `${STORE}/${PREFIX}/checkpoint/1?comp=metadata`, 200),
      ]),
      {
        name: 'EventProcessor.LoadBalance',
        kind: INTERNAL,
        start: t0,
        children: [
          blob('GET', `${STORE}?restype=container&comp=list&prefix=${encodeURIComponent(`${PREFIX}/ownership/`)}`, 200),
          blob('PUT', `${STORE}/${PREFIX}/ownership/0`),
        ],
      },
    ]);
    // Another blob of the same account is data: an archive written from the events.
    await send('archiver', [
      processed(t0, [blob('PUT', 'https://acct.blob.core.windows.net/archive/2026/05/orders-1.json'), blob('PUT', `${STORE}/${PREFIX}/checkpoint/0`)]),
    ]);
    // A path shaped like a checkpoint's under a host that is no Event Hubs namespace is an API's, and data.
    await send('tracker', [processed(t0, [httpCall('PUT', 'https://billing.internal/api/v1.2/orders/42/checkpoint/3')])]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('is no system the events flow into: its checkpoints and ownership claims touch nothing', async () => {
    expect(await flowEdges(analyzer)).toEqual(['archiver order-events -> archive', 'invoicer order-events -> billing', 'tracker order-events -> billing']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
