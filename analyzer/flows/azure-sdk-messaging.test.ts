import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, PRODUCER, CONSUMER, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: order-queue, kind: queue, owner: icoe, match: { destinations: [{ name: orders, system: servicebus }] } }
  - { id: order-events, kind: topic, owner: icoe, match: { destinations: [{ name: orders-hub, system: eventhubs }] } }
flows:
  - { id: sb-out, source: crm, target: order-queue, owner: icoe, runtime: { service: sb-out } }
  - { id: sb-in, source: order-queue, target: billing, owner: icoe, runtime: { service: sb-in } }
  - { id: sb-pull, source: order-queue, target: billing, owner: icoe, runtime: { service: sb-pull } }
  - { id: eh-out, source: crm, target: order-events, owner: icoe, runtime: { service: eh-out } }
  - { id: eh-in, source: order-events, target: billing, owner: icoe, runtime: { service: eh-in } }
`;

/**
 * A span of the Azure SDKs' tracing from before they took up the messaging conventions: the service's az.namespace, the
 * entity's path as message_bus.destination, the namespace's host as peer.address, no messaging.system.
 */
const azure = (
  name: string,
  kind: api.SpanKind,
  namespace: 'Microsoft.ServiceBus' | 'Microsoft.EventHub',
  entity: string,
  children?: SpanSpec[],
): SpanSpec => ({
  name,
  kind,
  attributes: { 'az.namespace': namespace, 'message_bus.destination': entity, 'peer.address': 'ns1.servicebus.windows.net' },
  children,
});

describe("the Azure SDKs' older Service Bus and Event Hubs spans", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    const run = (children: SpanSpec[]): SpanSpec => ({ name: 'sync', kind: INTERNAL, start: t0, children });
    const readCrm = httpCall('GET', 'https://crm.internal/api/orders');
    const invoice = httpCall('POST', 'https://billing.internal/api/invoices', { status: 201 });
    // .NET: the send (CLIENT) with a span per message (PRODUCER) under it.
    await send('sb-out', [
      run([readCrm, azure('ServiceBusSender.Send', CLIENT, 'Microsoft.ServiceBus', 'orders', [azure('Message', PRODUCER, 'Microsoft.ServiceBus', 'orders')])]),
    ]);
    // A processor's span of a message handled, its settlement under it.
    await send('sb-in', [
      {
        ...azure('ServiceBusProcessor.ProcessMessage', CONSUMER, 'Microsoft.ServiceBus', 'orders', [
          invoice,
          azure('ServiceBusReceiver.Complete', CLIENT, 'Microsoft.ServiceBus', 'orders'),
        ]),
        start: t0,
      },
    ]);
    // A receiver pulled by the integration's own loop: the receive is a CLIENT span beside what the loop does.
    await send('sb-pull', [run([azure('ServiceBusReceiver.Receive', CLIENT, 'Microsoft.ServiceBus', 'orders'), invoice])]);
    // JavaScript's Event Hubs client.
    await send('eh-out', [
      run([
        readCrm,
        azure('Azure.EventHubs.send', CLIENT, 'Microsoft.EventHub', 'orders-hub', [
          azure('Azure.EventHubs.message', PRODUCER, 'Microsoft.EventHub', 'orders-hub'),
        ]),
      ]),
    ]);
    await send('eh-in', [{ ...azure('Azure.EventHubs.process', CONSUMER, 'Microsoft.EventHub', 'orders-hub', [invoice]), start: t0 }]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('sees the queue or event hub each sends to and receives from', async () => {
    expect(await flowEdges(analyzer)).toEqual([
      'eh-in order-events -> billing',
      'eh-out crm -> order-events',
      'sb-in order-queue -> billing',
      'sb-out crm -> order-queue',
      'sb-pull order-queue -> billing',
    ]);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
