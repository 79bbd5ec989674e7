import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { INTERNAL, PRODUCER, CONSUMER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: order-requests, kind: queue, owner: icoe, match: { destinations: [{ name: orders.requests, system: jms }] } }
flows:
  - { id: requester, source: crm, target: order-requests, owner: icoe, runtime: { service: requester } }
  - { id: responder, source: order-requests, target: billing, owner: icoe, runtime: { service: responder } }
  - { id: requester-2x, source: crm, target: order-requests, owner: icoe, runtime: { service: requester-2x } }
`;

/**
 * The Java agent's JMS span (1.x, older messaging conventions): `messaging.destination` and its kind, and for a temporary
 * queue the name `(temporary)` with messaging.temp_destination; the 2.x conventions name it messaging.destination.name
 * with messaging.destination.temporary.
 */
const jms = (kind: api.SpanKind, queue: string, operation: string, version: '1.x' | '2.x' = '1.x'): SpanSpec => {
  const temporary = queue === '(temporary)';
  return {
    name: `${queue} ${operation}`,
    kind,
    attributes:
      version === '1.x'
        ? {
            'messaging.system': 'jms',
            'messaging.destination': queue,
            'messaging.destination_kind': 'queue',
            ...(temporary ? { 'messaging.temp_destination': true } : {}),
            ...(operation === 'send' ? {} : { 'messaging.operation': operation }),
            'messaging.message_id': 'ID:broker-1-1',
          }
        : {
            'messaging.system': 'jms',
            'messaging.destination.name': queue,
            ...(temporary ? { 'messaging.destination.temporary': true } : {}),
            'messaging.operation': operation === 'send' ? 'publish' : operation,
            'messaging.message.id': 'ID:broker-1-1',
          },
  };
};

describe("JMS request and reply over a temporary queue, as the Java agent's 1.x versions span it", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    // The requester reads the CRM, sends the request and waits for the reply on its temporary queue.
    for (const version of ['1.x', '2.x'] as const)
      await sendSpans({ url: h.collector.url, serviceName: version === '1.x' ? 'requester' : 'requester-2x' }, [
        {
          name: 'request',
          kind: INTERNAL,
          start: t0,
          children: [
            httpCall('GET', 'http://crm.internal/api/orders/7'),
            jms(PRODUCER, 'orders.requests', 'send', version),
            jms(CONSUMER, '(temporary)', 'receive', version),
          ],
        },
      ]);
    // The responder takes the request, invoices it and replies to the temporary queue named in JMSReplyTo.
    await sendSpans({ url: h.collector.url, serviceName: 'responder' }, [
      {
        ...jms(CONSUMER, 'orders.requests', 'process'),
        start: t0,
        children: [httpCall('POST', 'http://billing.internal/api/invoices', { status: 201 }), jms(PRODUCER, '(temporary)', 'send')],
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

  // Regression: 'Unknown system jms:(temporary)' with an undocumented flow from the requester's and to the responder's.
  it('takes the reply queue for a temporary destination', async () => {
    expect(await flowEdges(analyzer)).toEqual(['requester crm -> order-requests', 'requester-2x crm -> order-requests', 'responder order-requests -> billing']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
