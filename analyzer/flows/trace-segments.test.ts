import { randomBytes } from 'node:crypto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { api, resources, tracing } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTracer } from '../../test/otel.ts';
import { runPairing } from '../index.ts';
import { startPairingHarness, type PairingHarness } from '../test/pairing-harness.ts';
import { EXPORT_SPREAD_MS, traceSegments, type SegmentSpan } from './trace-segments.ts';

const { CLIENT, CONSUMER, INTERNAL, PRODUCER } = api.SpanKind;
const MIN = 60_000;
const HOUR = 60 * MIN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('traceSegments (pure)', () => {
  const span = (spanId: string, instance: string, startMs: number, endMs: number, arrivedMs: number): SegmentSpan => ({
    spanId,
    instance,
    startMs,
    endMs,
    arrivedMs,
  });
  const runs = (spans: SegmentSpan[], gapMs = 30_000) => {
    const m = traceSegments(spans, gapMs);
    return spans.map((s) => m.get(s.spanId));
  };

  it('cuts runs ten minutes apart on one instance, each named by its first arrival', () => {
    const spans = [0, 1, 2].flatMap((i) => [
      span(`r${i}`, 'pod-1', i * 10 * MIN, i * 10 * MIN + 50, i * 10 * MIN + 5000),
      span(`w${i}`, 'pod-1', i * 10 * MIN + 100, i * 10 * MIN + 200, i * 10 * MIN + 5001),
    ]);
    expect(runs(spans)).toEqual([5000, 5000, 10 * MIN + 5000, 10 * MIN + 5000, 20 * MIN + 5000, 20 * MIN + 5000]);
  });

  // Regression: spans were put on one clock by their instance alone, '' for every service that sends none. A context
  // reused by two services' runs ten minutes apart (the second service's clock ten minutes behind) made one run.
  it('keeps two services that send no instance on two clocks', () => {
    const spans: SegmentSpan[] = [
      { ...span('a', '', 10 * MIN, 10 * MIN + 50, 10 * MIN + 5000), service: 'dispatcher' },
      { ...span('b', '', 10 * MIN + 100, 10 * MIN + 200, 20 * MIN + 5000), service: 'worker' },
    ];
    expect(runs(spans)).toEqual([10 * MIN + 5000, 20 * MIN + 5000]);
    // One service: one clock, one run.
    expect(new Set(runs(spans.map((x) => ({ ...x, service: 'dispatcher' })))).size).toBe(1);
  });

  it('cuts runs of a new pod each by when they arrived', () => {
    const spans = [0, 1].map((i) => span(`s${i}`, `pod-${i}`, i * 10 * MIN, i * 10 * MIN + 50, i * 10 * MIN + 5000));
    expect(new Set(runs(spans)).size).toBe(2);
  });

  it('keeps one run whose processes disagree on the time by minutes when their spans arrived together', () => {
    const spans = [span('read', 'reader', -3 * MIN, -3 * MIN + 20, 5000), span('write', 'writer', 30, 60, 5400)];
    expect(runs(spans)).toEqual([5000, 5000]);
  });

  // Regression: two processes export on their own timers; a dispatcher's read and its worker's write (its clock minutes
  // off), exported further apart than the run gap, were two runs: a read-only half and a write-only half.
  it('keeps one run whose processes exported within the gap and the export spread of each other, whichever first', () => {
    const read = (arrivedMs: number) => ({ ...span('read', '', 0, 20, arrivedMs), service: 'dispatcher' });
    const write = (arrivedMs: number, skew: number) => ({ ...span('write', '', 30 + skew, 60 + skew, arrivedMs), service: 'worker' });
    const reach = 30_000 + EXPORT_SPREAD_MS;
    // The worker later, or the dispatcher later (its read arrived after the write); its clock behind, or ahead.
    for (const skew of [-5 * MIN, 5 * MIN])
      for (const later of [1, -1]) {
        expect(new Set(runs([read(HOUR), write(HOUR + later * (reach - 1), skew)])).size).toBe(1);
        // Further apart: a later run on a clock that is off cannot be told from a late export.
        expect(new Set(runs([read(HOUR), write(HOUR + later * reach, skew)])).size).toBe(2);
      }
    // With a 1 s gap: 3 s apart is one run; with no spread, two.
    expect(new Set(runs([read(5000), write(8000, -5 * MIN)], 1000)).size).toBe(1);
    expect(new Set(traceSegments([read(5000), write(8000, -5 * MIN)], 1000, 0).values()).size).toBe(2);
    // One clock: its own times decide, arrivals within the gap only (runs ten minutes apart, exported 3 s apart).
    expect(new Set(runs([span('a', 'pod-1', 0, 20, 5000), span('b', 'pod-1', 10 * MIN, 10 * MIN + 20, 8000)], 1000)).size).toBe(2);
  });

  // Further apart than the gap and the spread, a late export and a later run of a clock that is off look alike: the
  // senders' known offsets (sender-offsets.ts's senderPlacingExpr) tell them apart.
  it('places the spans of two clocks known by their offsets: one run exported minutes apart, runs ten minutes apart', () => {
    const read = { ...span('read', '', 10 * MIN, 10 * MIN + 20, 10 * MIN + 5000), service: 'dispatcher', shiftMs: 200 };
    // The worker's clock 5 minutes behind; its export held 4 minutes by a gateway's queue.
    const write = { ...span('write', '', 5 * MIN + 30, 5 * MIN + 60, 14 * MIN + 5000), service: 'worker', shiftMs: 5 * MIN + 200 };
    expect(new Set(runs([read, write])).size).toBe(1);
    expect(new Set(runs([read, write], 1000)).size).toBe(1);
    // A clock not known (a new sender, history delivered late): two runs.
    expect(new Set(runs([read, { ...write, shiftMs: null }])).size).toBe(2);
    expect(new Set(runs([{ ...read, shiftMs: undefined }, write])).size).toBe(2);
    // Known, ten minutes apart by Weft's clock (a context reused by the next run): two runs.
    expect(new Set(runs([read, { ...write, shiftMs: 15 * MIN + 200 }])).size).toBe(2);
  });

  it('keeps one run whose calls are far apart when a span of its instance encloses them, whatever they arrived', () => {
    const spans = [
      span('read', 'job', 0, 20, 5000),
      span('write', 'job', 10 * MIN, 10 * MIN + 20, 10 * MIN + 5000),
      span('wrap', 'job', 0, 10 * MIN + 30, 10 * MIN + 5000),
    ];
    expect(new Set(runs(spans)).size).toBe(1);
  });

  it('chains calls of one instance each within the gap of the last, and spans stored again later with their span', () => {
    const calls = [0, 1, 2, 3].map((i) => span(`c${i}`, 'job', i * 20_000, i * 20_000 + 10, i * 20_000 + 5000));
    const again = span('c0', 'job', 0, 10, 30 * MIN);
    expect(new Set(runs([...calls, again])).size).toBe(1);
  });

  // Regression: the runs of one batch stored again together (an exporter's retry, a gateway re-sending its queue) were
  // joined by the second arrival of their spans: three runs became one of 20 minutes.
  it('keeps runs apart when their spans are stored again together later', () => {
    const spans = [0, 1, 2].flatMap((i) => [span(`r${i}`, 'pod-1', i * 10 * MIN, i * 10 * MIN + 50, i * 10 * MIN + 5000)]);
    const again = spans.map((s) => ({ ...s, arrivedMs: 40 * MIN }));
    expect(runs([...spans, ...again]).slice(0, 3)).toEqual([5000, 10 * MIN + 5000, 20 * MIN + 5000]);
  });

  // Regression: a consumer taking a message minutes after it was published, on another instance, was cut from the run
  // of its producer although the message made it the producer span's child: the integration's documented flow from
  // what the producer read to what the consumer wrote was never observed.
  it('keeps a span in the run of its parent, whenever and wherever it ran', () => {
    const spans = [
      span('read', 'api-1', 0, 50, 5000),
      span('publish', 'api-1', 100, 110, 5000),
      { ...span('process', 'worker-1', 5 * MIN, 5 * MIN + 300, 5 * MIN + 5000), parentId: 'publish' },
      { ...span('write', 'worker-1', 5 * MIN + 100, 5 * MIN + 200, 5 * MIN + 5000), parentId: 'process' },
    ];
    expect(runs(spans)).toEqual([5000, 5000, 5000, 5000]);
    // Runs whose parent is a context that never arrived stay apart.
    expect(new Set(runs(spans.map((s) => ({ ...s, parentId: 'handed-in' })))).size).toBe(2);
  });

  // Regression: one integration's consumer on another instance, taking minutes later what its producer published under a
  // context handed in, neither the publish span's child nor linked to it, was cut from the producer's run (the flow from
  // what the producer read to what the consumer wrote was never observed).
  describe('a consumer not the child of the publish span', () => {
    const Q = 'rabbitmq\x1forders';
    const producer = (at: number, arrived: number) => [
      span(`read@${at}`, 'api-1', at, at + 50, arrived),
      { ...span(`publish@${at}`, 'api-1', at + 100, at + 110, arrived), publishes: [Q] },
    ];
    const consumer = (at: number, arrived: number, more: Partial<SegmentSpan> = {}) => [
      { ...span(`process@${at}`, 'worker-1', at, at + 300, arrived), consumes: [Q], ...more },
      span(`write@${at}`, 'worker-1', at + 100, at + 200, arrived),
    ];

    it('is in the run of the span it links to', () => {
      const spans = [...producer(0, 5000), ...consumer(5 * MIN, 5 * MIN + 5000, { consumes: [], linkedIds: ['publish@0'] })];
      expect(new Set(runs(spans)).size).toBe(1);
      // A link to a span that never arrived joins nothing.
      expect(new Set(runs([...producer(0, 5000), ...consumer(5 * MIN, 5 * MIN + 5000, { consumes: [], linkedIds: ['elsewhere'] })])).size).toBe(2);
    });

    // Regression: a batch consumer linking the publish spans of the messages it took (OpenTelemetry's messaging
    // conventions) joined every producer run it linked into one: three 110 ms producer runs ten minutes apart became one
    // run (crm -> queue 1 trace instead of 3; one failed producer run would have failed all three).
    it('joins a span linking spans of several runs to the latest of them only', () => {
      const batch = [
        ...producer(0, 5000),
        ...producer(10 * MIN, 10 * MIN + 5000),
        ...producer(20 * MIN, 20 * MIN + 5000),
        ...consumer(35 * MIN, 35 * MIN + 5000, { consumes: [], linkedIds: ['publish@0', 'publish@600000', 'publish@1200000'] }),
      ];
      expect(runs(batch)).toEqual([5000, 5000, 10 * MIN + 5000, 10 * MIN + 5000, ...Array(4).fill(20 * MIN + 5000)]);
    });

    // Regression: a worker continuing one long-lived context, each poll linking the previous poll's span (a link that
    // says 'follows from', not 'took this message'), was one run from its first poll to its last.
    it('is not joined by a link to a span that published no message', () => {
      const polls = [0, 1, 2, 3].map((i) => ({
        ...span(`poll${i}`, `pod-${i}`, i * 10 * MIN, i * 10 * MIN + 200, i * 10 * MIN + 5000),
        linkedIds: i > 0 ? [`poll${i - 1}`] : [],
      }));
      expect(new Set(runs(polls)).size).toBe(4);
    });

    it('is in the latest earlier run that published to the destination it consumed from', () => {
      expect(runs([...producer(0, 5000), ...consumer(5 * MIN, 5 * MIN + 5000)])).toEqual([5000, 5000, 5000, 5000]);
      // Two producer runs, each drained later: each consumer joins the latest publisher before it.
      const two = [...producer(0, 5000), ...consumer(5 * MIN, 5 * MIN + 5000), ...producer(10 * MIN, 10 * MIN + 5000), ...consumer(15 * MIN, 15 * MIN + 5000)];
      expect(runs(two)).toEqual([5000, 5000, 5000, 5000, 10 * MIN + 5000, 10 * MIN + 5000, 10 * MIN + 5000, 10 * MIN + 5000]);
    });

    it('stays apart when no earlier run published there, or when it publishes there too (a run of its own)', () => {
      // A consumer before any publisher, or of another destination.
      expect(new Set(runs([...consumer(0, 5000), ...producer(10 * MIN, 10 * MIN + 5000)])).size).toBe(2);
      expect(new Set(runs([...producer(0, 5000), ...consumer(5 * MIN, 5 * MIN + 5000, { consumes: ['rabbitmq\x1fother'] })])).size).toBe(2);
      // A CronJob on a new pod each run that publishes and consumes the same destination in every run: runs stay apart.
      const cron = [0, 1, 2].flatMap((i) => [
        { ...span(`p${i}`, `pod-${i}`, i * 10 * MIN, i * 10 * MIN + 10, i * 10 * MIN + 5000), publishes: [Q] },
        { ...span(`c${i}`, `pod-${i}`, i * 10 * MIN + 20, i * 10 * MIN + 30, i * 10 * MIN + 5000), consumes: [Q] },
      ]);
      expect(new Set(runs(cron)).size).toBe(3);
    });

    // Regression: a destination fed from outside the trace too (another trace's producers), drained by a consumer every
    // ten minutes, joined every consumer run after one publish of the trace to that publisher: an hourly producer and
    // five consumer runs were one run of 50 minutes (a false latency-slo-breach), one failure in six failing all.
    it('joins a publisher to the first run of a consumer that drained after it, not to every later one', () => {
      const spans = [...producer(0, 5000), ...[1, 2, 3, 4, 5].flatMap((i) => consumer(i * 10 * MIN, i * 10 * MIN + 5000))];
      const got = runs(spans);
      expect(new Set(got).size).toBe(5);
      expect(got.slice(0, 4)).toEqual([5000, 5000, 5000, 5000]);
      // Another integration's consumer of the destination (a second consumer group) still joins the publisher.
      const other = consumer(10 * MIN + 30_000, 10 * MIN + 40_000).map((s) => ({
        ...s,
        spanId: `other-${s.spanId}`,
        instance: 'worker-2',
        integration: 'audit',
      }));
      const fanOut = runs([...producer(0, 5000), ...consumer(10 * MIN, 10 * MIN + 5000), ...other]);
      expect(new Set(fanOut).size).toBe(1);
    });

    // Regression: a CronJob that consumed the destination in every run and published to it in one (a message put back
    // for a retry) joined every later run to that one.
    it('keeps a consumer apart from an earlier run of its own that consumed there too, whether or not it published there', () => {
      const cron = [0, 1, 2, 3].flatMap((i) => [
        { ...span(`c${i}`, `pod-${i}`, i * 10 * MIN, i * 10 * MIN + 10, i * 10 * MIN + 5000), consumes: [Q] },
        { ...span(`w${i}`, `pod-${i}`, i * 10 * MIN + 20, i * 10 * MIN + 30, i * 10 * MIN + 5000), publishes: i === 1 ? [Q] : [] },
      ]);
      expect(new Set(runs(cron)).size).toBe(4);
    });
  });

  it('cuts nothing with a gap of 0, and gives nothing for no span', () => {
    expect(new Set(runs([span('a', 'x', 0, 1, 0), span('b', 'x', HOUR, HOUR + 1, HOUR)], 0)).size).toBe(1);
    expect(traceSegments([], 30_000).size).toBe(0);
  });
});

// Regression: a job started with the same trace context every time (a constant TRACEPARENT) was paired as one run:
// three 200 ms runs ten minutes apart became one run of 20 minutes (a false latency-slo-breach), holding the records of
// all three and failed when the latest failed (a false error-rate finding at 100% for one failure in three).
describe('one trace context reused by many runs (real SDK → collector → chDB → pairing job)', () => {
  let harness: PairingHarness;
  const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
flows:
  - { id: cron, source: crm, target: erp, owner: icoe, runtime: { service: cron-sync } }
`;
  beforeAll(async () => {
    harness = await startPairingHarness(catalogYaml);
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** The run gap of these tests (ms): each run's spans are stored by one request, the next run's GAP_MS + 100 later. */
  const GAP_MS = 300;
  // Runs minutes apart stand in for arrivals GAP_MS + 100 apart: the processes' export spread is none.
  const pair = () => runPairing(harness.h.store, new Date(), 0, { runGapMs: GAP_MS, exportSpreadMs: 0 });
  const edgesOf = async (service: string) =>
    (await harness.analyzer.edges(3 * HOUR))
      .filter((e) => e.service === service)
      .map((e) => ({
        edge: `${e.source} -> ${e.target}`,
        traces: e.traces,
        failed: e.failedTraces,
        records: e.records,
        p99Ms: e.p99Ms,
        sample: e.sampleTrace,
      }));
  const remote = () =>
    api.trace.setSpanContext(api.ROOT_CONTEXT, {
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: 1,
      isRemote: true,
    });
  /** One run under `ctx`: a read and a write of 3 records, 200 ms in all from `start`; `wrap`: inside an INTERNAL span. */
  const run = async (service: string, ctx: api.Context, start: number, { failed = false, wrap = false, instance = 'cron-pod-1' } = {}) => {
    await withTracer({ url: harness.h.collector.url, serviceName: service, resource: { 'service.instance.id': instance } }, (tracer) => {
      let parent = ctx;
      const wrapper = wrap ? tracer.startSpan('run', { kind: INTERNAL, startTime: start }, ctx) : undefined;
      if (wrapper) parent = api.trace.setSpan(ctx, wrapper);
      tracer
        .startSpan(
          'GET',
          { kind: CLIENT, startTime: start, attributes: { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/api/customers' } },
          parent,
        )
        .end(start + 50);
      const post = tracer.startSpan(
        'POST',
        {
          kind: CLIENT,
          startTime: start + 100,
          attributes: { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/api/accounts', 'integration.records': 3 },
        },
        parent,
      );
      if (failed) post.setStatus({ code: api.SpanStatusCode.ERROR });
      post.end(start + 200);
      wrapper?.end(start + 200);
    });
    await harness.h.collector.flush();
    await pair();
    // The next run arrives later than the run gap.
    await sleep(GAP_MS + 100);
  };

  it('pairs each run of the trace as a run: its own records, latency and outcome', async () => {
    const t = Date.now() - HOUR;
    const ctx = remote();
    for (const [i, failed] of [false, false, true].entries()) await run('cron-sync', ctx, t + i * 10 * MIN, { failed });
    const [edge] = await edgesOf('cron-sync');
    // The failed run's write moved nothing: 3 + 3.
    expect(edge).toMatchObject({ edge: 'crm -> erp', traces: 3, failed: 1, records: 6 });
    expect(edge.p99Ms).toBeLessThanOrEqual(200);
    // Its sample is the trace itself, which a link opens.
    expect(edge.sample).toBe(api.trace.getSpanContext(ctx)!.traceId);
    // Nothing changes when pairing runs again.
    expect(await pair()).toMatchObject({ paired: 0, retracted: 0 });
    expect(await edgesOf('cron-sync')).toEqual([edge]);
  });

  it('cuts runs wrapped in a span each, and runs of a new pod each', async () => {
    const t = Date.now() - HOUR;
    const wrapped = remote();
    for (const i of [0, 1, 2]) await run('cron-wrapped', wrapped, t + i * 10 * MIN, { wrap: true });
    const pods = remote();
    for (const i of [0, 1]) await run('cron-pods', pods, t + i * 10 * MIN, { instance: `cron-pod-${i}` });
    expect(await edgesOf('cron-wrapped')).toMatchObject([{ edge: 'crm -> erp', traces: 3, failed: 0, records: 9 }]);
    expect((await edgesOf('cron-wrapped'))[0].p99Ms).toBeLessThanOrEqual(200);
    expect(await edgesOf('cron-pods')).toMatchObject([{ edge: 'crm -> erp', traces: 2, failed: 0, records: 6 }]);
  });

  // Regression: a batch sent again holding the spans of every run (same span ids: an exporter's retry, a gateway
  // re-sending its queue) joined the runs into one again: one run of 20 minutes (a latency-slo-breach), three retracted.
  it('keeps the runs apart when their spans are exported again together', async () => {
    const t = Date.now() - HOUR;
    const ctx = remote();
    const sent: tracing.ReadableSpan[] = [];
    const otlp = () => new OTLPTraceExporter({ url: `${harness.h.collector.url}/v1/traces` });
    const exporter = otlp();
    const provider = new tracing.BasicTracerProvider({
      resource: resources.resourceFromAttributes({ 'service.name': 'cron-resent', 'service.instance.id': 'cron-pod-1' }),
      spanProcessors: [
        new tracing.SimpleSpanProcessor({
          export: (spans, done) => {
            sent.push(...spans);
            exporter.export(spans, done);
          },
          shutdown: () => exporter.shutdown(),
        }),
      ],
    });
    const tracer = provider.getTracer('resent');
    for (const i of [0, 1, 2]) {
      const start = t + i * 10 * MIN;
      tracer
        .startSpan(
          'GET',
          { kind: CLIENT, startTime: start, attributes: { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/api/customers' } },
          ctx,
        )
        .end(start + 50);
      const attributes = { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/api/accounts', 'integration.records': 3 };
      tracer.startSpan('POST', { kind: CLIENT, startTime: start + 100, attributes }, ctx).end(start + 200);
      await provider.forceFlush();
      await harness.h.collector.flush();
      await pair();
      await sleep(GAP_MS + 100);
    }
    await provider.shutdown();
    const before = await edgesOf('cron-resent');
    expect(before).toMatchObject([{ edge: 'crm -> erp', traces: 3, records: 9 }]);
    expect(before[0].p99Ms).toBeLessThanOrEqual(200);
    const again = otlp();
    await new Promise<void>((resolve, reject) => again.export(sent, (r) => (r.code === 0 ? resolve() : reject(r.error))));
    await again.shutdown();
    await harness.h.collector.flush();
    expect(await pair()).toMatchObject({ paired: 0, retracted: 0 });
    expect(await edgesOf('cron-resent')).toEqual(before);
  });

  // Regression: one integration publishing a message and consuming it five minutes later on another instance (a
  // backlog) was cut into two runs, crm -> rabbitmq and rabbitmq -> erp: its flow crm -> erp was never observed (with a
  // class's staleAfter, a false flow-never-observed). First with the consumer the publish span's child; then, as
  // siblings, a child of the context the integration was handed (the message carried no context, or the consumer
  // continued the job's), found by the destination it consumed from, or linked to the publish span (OpenTelemetry's
  // messaging conventions).
  const consumers = {
    "as the publish span's child": 'order-sync',
    'by the destination it consumed from': 'order-sync-drain',
    'by a link to the publish span': 'order-sync-linked',
  } as const;
  for (const [via, service] of Object.entries(consumers)) {
    it(`keeps a consumer in the run of the producer whose message it took, ${via}`, async () => {
      const t = Date.now() - HOUR;
      const ctx = remote();
      const messaging = { 'messaging.system': 'rabbitmq', 'messaging.destination.name': `${service}-orders` };
      let publishedSpan: api.SpanContext | undefined;
      await withTracer({ url: harness.h.collector.url, serviceName: service, resource: { 'service.instance.id': 'api-1' } }, (tracer) => {
        const get = { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/api/customers' };
        tracer.startSpan('GET', { kind: CLIENT, startTime: t, attributes: get }, ctx).end(t + 50);
        const publish = tracer.startSpan(
          'orders publish',
          { kind: PRODUCER, startTime: t + 100, attributes: { ...messaging, 'messaging.operation.type': 'publish' } },
          ctx,
        );
        publish.end(t + 110);
        publishedSpan = publish.spanContext();
      });
      await harness.h.collector.flush();
      await pair();
      await sleep(GAP_MS + 100);
      const at = t + 5 * MIN;
      const parent = via === "as the publish span's child" ? api.trace.setSpanContext(api.ROOT_CONTEXT, { ...publishedSpan!, isRemote: true }) : ctx;
      await withTracer({ url: harness.h.collector.url, serviceName: service, resource: { 'service.instance.id': 'worker-1' } }, (tracer) => {
        const process = tracer.startSpan(
          'orders process',
          {
            kind: CONSUMER,
            startTime: at,
            attributes: { ...messaging, 'messaging.operation.type': 'process' },
            links: via === 'by a link to the publish span' ? [{ context: publishedSpan! }] : [],
          },
          parent,
        );
        const post = { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/api/accounts', 'integration.records': 3 };
        tracer.startSpan('POST', { kind: CLIENT, startTime: at + 100, attributes: post }, api.trace.setSpan(parent, process)).end(at + 200);
        process.end(at + 300);
      });
      await harness.h.collector.flush();
      await pair();
      const edges = await edgesOf(service);
      expect(edges.find((e) => e.edge === 'crm -> erp')).toMatchObject({ traces: 1, records: 3 });
      // One run through the queue: its three edges are that run's.
      expect(edges.map((e) => [e.edge, e.traces])).toEqual(
        expect.arrayContaining([
          [`crm -> unknown:rabbitmq:${service}-orders`, 1],
          [`unknown:rabbitmq:${service}-orders -> erp`, 1],
        ]),
      );
      expect(new Set(edges.map((e) => e.sample)).size).toBe(1);
      expect(await pair()).toMatchObject({ paired: 0, retracted: 0 });
    });
  }

  // Regression: a queue fed by other traces too, drained every ten minutes by a CronJob under the constant context an
  // hourly producer of the trace was also started with: every drain after the producer's run joined it, one run of 30
  // minutes (queue -> erp p99 of 30 min: a false latency-slo-breach) holding the records of all.
  it('pairs each drain of a queue fed from elsewhere as its own run, after the first drain following a publish', async () => {
    const t = Date.now() - HOUR;
    const ctx = remote();
    const messaging = { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'shared-orders' };
    await withTracer({ url: harness.h.collector.url, serviceName: 'feed-hourly', resource: { 'service.instance.id': 'feed-1' } }, (tracer) => {
      const get = { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/api/customers' };
      tracer.startSpan('GET', { kind: CLIENT, startTime: t, attributes: get }, ctx).end(t + 50);
      const publish = { ...messaging, 'messaging.operation.type': 'publish' };
      tracer.startSpan('orders publish', { kind: PRODUCER, startTime: t + 100, attributes: publish }, ctx).end(t + 110);
    });
    await harness.h.collector.flush();
    await pair();
    await sleep(GAP_MS + 100);
    for (const i of [1, 2, 3]) {
      const at = t + i * 10 * MIN;
      await withTracer({ url: harness.h.collector.url, serviceName: 'drain-cron', resource: { 'service.instance.id': `drain-pod-${i}` } }, (tracer) => {
        const attributes = { ...messaging, 'messaging.operation.type': 'process' };
        const process = tracer.startSpan('orders process', { kind: CONSUMER, startTime: at, attributes }, ctx);
        const post = { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/api/accounts', 'integration.records': 3 };
        tracer.startSpan('POST', { kind: CLIENT, startTime: at + 100, attributes: post }, api.trace.setSpan(ctx, process)).end(at + 200);
        process.end(at + 300);
      });
      await harness.h.collector.flush();
      await pair();
      await sleep(GAP_MS + 100);
    }
    const drained = (await edgesOf('drain-cron')).find((e) => e.edge === 'unknown:rabbitmq:shared-orders -> erp');
    expect(drained).toMatchObject({ traces: 3, records: 9 });
    expect(drained!.p99Ms).toBeLessThanOrEqual(300);
    expect(await pair()).toMatchObject({ paired: 0, retracted: 0 });
  });

  // Regression: a batch consumer linking the publish spans of three producer runs joined the three into one run.
  it('keeps the producer runs a batch consumer links to apart, the consumer in the latest', async () => {
    const t = Date.now() - HOUR;
    const ctx = remote();
    const messaging = { 'messaging.system': 'kafka', 'messaging.destination.name': 'batch-orders' };
    const published: api.SpanContext[] = [];
    for (const i of [0, 1, 2]) {
      const at = t + i * 10 * MIN;
      await withTracer({ url: harness.h.collector.url, serviceName: 'batch-feed', resource: { 'service.instance.id': `feed-${i}` } }, (tracer) => {
        const get = { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/api/customers' };
        tracer.startSpan('GET', { kind: CLIENT, startTime: at, attributes: get }, ctx).end(at + 50);
        const publish = { ...messaging, 'messaging.operation.type': 'publish', 'integration.records': 2 };
        const p = tracer.startSpan('orders publish', { kind: PRODUCER, startTime: at + 100, attributes: publish }, ctx);
        p.end(at + 110);
        published.push(p.spanContext());
      });
      await harness.h.collector.flush();
      await pair();
      await sleep(GAP_MS + 100);
    }
    const at = t + 35 * MIN;
    await withTracer({ url: harness.h.collector.url, serviceName: 'batch-drain', resource: { 'service.instance.id': 'drain-1' } }, (tracer) => {
      const attributes = { ...messaging, 'messaging.operation.type': 'receive' };
      const process = tracer.startSpan('orders receive', { kind: CONSUMER, startTime: at, attributes, links: published.map((context) => ({ context })) }, ctx);
      const post = { 'http.request.method': 'POST', 'url.full': 'https://erp.internal/api/accounts', 'integration.records': 6 };
      tracer.startSpan('POST', { kind: CLIENT, startTime: at + 100, attributes: post }, api.trace.setSpan(ctx, process)).end(at + 200);
      process.end(at + 300);
    });
    await harness.h.collector.flush();
    await pair();
    expect(await edgesOf('batch-feed')).toMatchObject([{ edge: 'crm -> unknown:kafka:batch-orders', traces: 3, records: 6 }]);
    expect(await edgesOf('batch-drain')).toMatchObject([{ edge: 'unknown:kafka:batch-orders -> erp', traces: 1, records: 6 }]);
    expect(await pair()).toMatchObject({ paired: 0, retracted: 0 });
  });

  it('pairs the trace whole, once, when its root span arrives after its runs were paired apart', async () => {
    const t = Date.now() - HOUR;
    let traceId = '';
    await withTracer({ url: harness.h.collector.url, serviceName: 'cron-rooted', resource: { 'service.instance.id': 'rooted-pod' } }, async (tracer) => {
      // The root span is exported last, when the job ends: until then its runs arrive as if their parent were never sent.
      const root = tracer.startSpan('job', { kind: INTERNAL, startTime: t });
      traceId = root.spanContext().traceId;
      const ctx = api.trace.setSpan(api.ROOT_CONTEXT, root);
      for (const i of [0, 1]) await run('cron-rooted', ctx, t + i * 10 * MIN, { instance: 'rooted-pod' });
      expect(await edgesOf('cron-rooted')).toMatchObject([{ traces: 2, records: 6 }]);
      root.end(t + 10 * MIN + 300);
    });
    await harness.h.collector.flush();
    await pair();
    expect(await edgesOf('cron-rooted')).toMatchObject([{ edge: 'crm -> erp', traces: 1, records: 6, sample: traceId }]);
  });

  it('counts a trace whose runs wait to be paired once among the pending traces', async () => {
    const t = Date.now() - HOUR;
    const ctx = remote();
    const send = async (start: number) => {
      await withTracer({ url: harness.h.collector.url, serviceName: 'cron-pending' }, (tracer) =>
        tracer
          .startSpan('GET', { kind: CLIENT, startTime: start, attributes: { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/api/x' } }, ctx)
          .end(start + 50),
      );
      await harness.h.collector.flush();
    };
    await pair();
    await send(t);
    await sleep(GAP_MS + 100);
    await send(t + 10 * MIN);
    // Inside a minute's late-arrival window: both runs wait, one trace.
    expect((await runPairing(harness.h.store, new Date(), 60_000, { runGapMs: GAP_MS })).pending).toEqual({ traces: 1, spans: 2 });
  });
});
