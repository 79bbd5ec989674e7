import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { SERVER, PRODUCER, CONSUMER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: invoice-tasks, kind: queue, owner: icoe, match: { destinations: [{ name: invoices, system: celery }] } }
  - { id: default-tasks, kind: queue, owner: icoe, match: { destinations: [celery] } }
flows:
  - { id: web, source: crm, target: invoice-tasks, owner: icoe, runtime: { service: web } }
  - { id: beat, source: crm, target: default-tasks, owner: icoe, runtime: { service: beat } }
  - { id: worker, source: invoice-tasks, target: billing, owner: icoe, runtime: { service: worker } }
`;

/** opentelemetry-instrumentation-celery's span of a task published (before_task_publish): no messaging.system. */
const publish = (task: string, routingKey: string): SpanSpec => ({
  name: `apply_async/${task}`,
  kind: PRODUCER,
  attributes: {
    'celery.action': 'apply_async',
    'messaging.message.id': '5b1c8e2a-0d7e-4c4b-9d0c-2b3f1c8f4f11',
    'celery.task_name': task,
    'messaging.destination': routingKey,
    'celery.exchange': '',
  },
});

/** Its span of a task run by a worker (task_prerun to task_postrun): the delivery's routing key as messaging.destination. */
const runTask = (task: string, routingKey: string, start: number, children: SpanSpec[]): SpanSpec => ({
  name: `run/${task}`,
  kind: CONSUMER,
  start,
  attributes: {
    'celery.action': 'run',
    'celery.task_name': task,
    'messaging.message.id': '5b1c8e2a-0d7e-4c4b-9d0c-2b3f1c8f4f11',
    'celery.delivery_info': `{'exchange': '', 'routing_key': '${routingKey}', 'priority': 0, 'redelivered': False}`,
    'messaging.destination': routingKey,
    'celery.hostname': 'celery@worker-1',
    'celery.state': 'SUCCESS',
  },
  children,
});

describe('Celery tasks (opentelemetry-instrumentation-celery), whose spans name no messaging system', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    // A Django view reads the CRM and queues a task on its own queue; celery beat queues one on the default queue.
    await send('web', [
      {
        name: 'POST /orders',
        kind: SERVER,
        start: t0,
        children: [httpCall('GET', 'https://crm.internal/api/customers/7'), publish('billing.tasks.invoice', 'invoices')],
      },
    ]);
    await send('beat', [
      { name: 'POST /sync', kind: SERVER, start: t0, children: [httpCall('GET', 'https://crm.internal/api/customers'), publish('crm.tasks.sync', 'celery')] },
    ]);
    // The worker runs the task and writes the invoice; a run that asked for a retry publishes the task again to its queue.
    await send('worker', [
      runTask('billing.tasks.invoice', 'invoices', t0, [httpCall('POST', 'https://billing.internal/api/invoices')]),
      runTask('billing.tasks.invoice', 'invoices', t0 + 1000, [
        httpCall('POST', 'https://billing.internal/api/invoices', { status: 503 }),
        publish('billing.tasks.invoice', 'invoices'),
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

  it('sees the queue each task was published to and run from', async () => {
    expect(await flowEdges(analyzer)).toEqual(['beat crm -> default-tasks', 'web crm -> invoice-tasks', 'worker invoice-tasks -> billing']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
  });
});
