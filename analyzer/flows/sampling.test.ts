import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { parseCatalog } from '../../core/catalog/index.ts';
import { sendSpans, withTracer } from '../../test/otel.ts';
import { flowNeverObserved as neverObservedDetections, staleFlow as staleDetections } from '../detectors/estate-detectors.ts';
import type { DetectorContext } from '../detectors/detector.ts';

// The findings each detector opens (its candidates).
const flowNeverObserved = (ctx: DetectorContext) => neverObservedDetections(ctx).candidates;
const staleFlow = (ctx: DetectorContext) => staleDetections(ctx).candidates;
import type { Snapshot } from '../model/snapshot.ts';
import {
  flowProbability,
  flowSampling,
  formatProbability,
  querySampledServices,
  querySamplingInWindows,
  sampledCountRange,
  SAMPLING_LOOKBACK_MS,
  sampledSilenceMs,
  type SampledService,
} from './sampling.ts';

const MIN = 60_000;

// Regression: a flow whose sender samples its traces (OpenTelemetry probability sampling: `ot=th:…` in each span's
// tracestate) reaches Weft a run in ten at 10%, in gaps of an hour and more now and then; judged as unsampled, a flow run
// every 5 minutes was reported stale (and alerted on) while it ran.
describe('the silence allowed to a sampled flow (pure)', () => {
  it('is the time in which a running flow sends a sampled run but with a chance under 1 in 1000, at least the unsampled limit', () => {
    // ⌈ln 0.001 / ln 0.9⌉ = 66 runs of 5 minutes; ⌈ln 0.001 / ln 0.5⌉ = 10.
    expect(sampledSilenceMs(10 * MIN, 5 * MIN, 0.1)).toBe(66 * 5 * MIN);
    expect(sampledSilenceMs(10 * MIN, 5 * MIN, 0.5)).toBe(50 * MIN);
    // Barely sampled: the unsampled limit is longer.
    expect(sampledSilenceMs(10 * MIN, 5 * MIN, 0.999)).toBe(10 * MIN);
    expect(sampledSilenceMs(10 * MIN, 5 * MIN, 1)).toBe(10 * MIN);
    expect(sampledSilenceMs(10 * MIN, 5 * MIN, Number.NaN)).toBe(10 * MIN);
    // The smallest threshold probability, 2^−56: 1 − p rounds to 1, and its silence was the unsampled limit.
    expect(sampledSilenceMs(10 * MIN, 5 * MIN, 2 ** -56)).toBeGreaterThan(1e17 * MIN);
    // Nothing sampled: no silence says it stopped.
    expect(sampledSilenceMs(10 * MIN, 5 * MIN, 0)).toBe(Infinity);
  });

  it('writes probabilities as percentages', () => {
    expect([0.1, 0.5, 0.0125, 0.00001, 0.009999990463256836].map(formatProbability)).toEqual(['10%', '50%', '1.25%', '0.001%', '1%']);
  });
});

describe('the runs a count of sampled runs stands for (pure)', () => {
  it('is the count itself unsampled, and otherwise the counts that send it with a chance of at least 1 in 1000', () => {
    expect(sampledCountRange(3, 1)).toEqual([3, 3]);
    // No sampled run at 10%: up to 65 runs (66 send none with a chance under 1 in 1000, as for the silence rule).
    expect(sampledCountRange(0, 0.1)).toEqual([0, 65]);
    expect(sampledCountRange(0, 0.5)).toEqual([0, 9]);
    expect(sampledCountRange(1, 0.1)).toEqual([1, 88]);
    expect(sampledCountRange(8, 0.1)).toEqual([23, 204]);
    // Past 1,000 sampled runs, the normal approximation: it meets the exact bounds.
    const [exact, approx] = [sampledCountRange(1000, 0.1), sampledCountRange(1001, 0.1)];
    expect(Math.abs(approx[0] - exact[0])).toBeLessThan(40);
    expect(Math.abs(approx[1] - exact[1])).toBeLessThan(40);
    expect(sampledCountRange(5, 0)).toEqual([5, Infinity]);
  });

  // Regression: at the lowest probability the tracestate can carry (th:ffffffffffffff, 2^−56) the bounds pass 2^53,
  // where doubles are further apart than 1, and the bisection never ended (the evaluation loop hung).
  it('ends for the lowest probabilities, with bounds of the size they have', () => {
    for (const p of [2 ** -56, 2 ** -52, 2 ** -51]) {
      const [low0, high0] = sampledCountRange(0, p);
      expect(low0).toBe(0);
      // No sampled run: ln(1000) / p runs at most, to the doubles' precision.
      expect(high0 / (Math.log(1000) / p)).toBeCloseTo(1, 6);
      const [low, high] = sampledCountRange(5, p);
      expect(low).toBeGreaterThan(5);
      expect(high).toBeGreaterThan(low);
      expect(low * p).toBeGreaterThan(0.5);
      expect(high * p).toBeLessThan(20);
    }
  });

  it('is read for a flow from its runtime service, or from the services its runs came from, the lowest of them', () => {
    const { catalog } = parseCatalog([
      {
        file: 'c.yaml',
        text: `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }]
flows:
  - { id: by-service, source: crm, target: erp, owner: icoe, runtime: { service: sync } }
  - { id: by-integration, source: crm, target: erp, owner: icoe, runtime: { flow: export } }
`,
      },
    ]);
    const inWindow = new Map([
      ['sync', 0.1],
      ['worker-a', 0.5],
      ['worker-b', 0.25],
    ]);
    expect(flowProbability(catalog.flows[0], inWindow)).toBe(0.1);
    expect(flowProbability(catalog.flows[1], inWindow, ['worker-a', 'worker-b', 'worker-c'])).toBe(0.25);
    expect(flowProbability(catalog.flows[1], inWindow)).toBe(1);
    expect(flowProbability(catalog.flows[0], new Map())).toBe(1);
  });
});

describe('stale-flow and flow-never-observed of a flow whose runs reach Weft sampled', () => {
  const yaml = `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }]
flows:
  - { id: sync, source: crm, target: erp, owner: icoe, schedule: { every: 5m }, runtime: { service: sync-job } }
`;
  const { catalog } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
  const now = new Date('2026-01-02T00:00:00.000Z');
  const snap = (lastSeen: string, sampled?: SampledService[], since = '2026-01-01T00:00:00.000Z'): Snapshot => ({
    catalog,
    since,
    until: now.toISOString(),
    observingSince: '2026-01-01T00:00:00.000Z',
    pairedUntil: now.toISOString(),
    edges: [],
    touches: [],
    lastSeen: [{ source: 'crm', target: 'erp', integration: 'sync-job', service: 'sync-job', lastSeen }],
    systemLastSeen: {},
    ...(sampled ? { sampled } : {}),
  });
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const tenth: SampledService[] = [{ service: 'sync-job', probability: 0.1, spans: 40 }];

  it('is not stale after an hour of silence at 10%, and is past 66 runs, saying why', () => {
    // Unsampled, an hour without a run of a 5-minute flow is stale (allowed 10 minutes).
    expect(staleFlow({ snapshot: snap(ago(60 * MIN)), now }).map((f) => f.key)).toEqual(['sync']);
    expect(staleFlow({ snapshot: snap(ago(60 * MIN), tenth), now })).toEqual([]);
    expect(staleFlow({ snapshot: snap(ago(5 * 60 * MIN), tenth), now })).toEqual([]);
    const [stale] = staleFlow({ snapshot: snap(ago(6 * 60 * MIN), tenth), now });
    expect(stale.title).toBe('Flow sync has not run for 6h (allowed 5h30m: its runs reach Weft sampled at 10%)');
    expect(stale.evidence).toMatchObject({
      allowedMs: 330 * MIN,
      allowedBy: 'sampling',
      allowedUnsampledMs: 10 * MIN,
      sampling: { service: 'sync-job', probability: 0.1, spans: 40 },
    });
    expect(stale.hint).toContain('sampled (at 10%)');
    // Another service's sampling changes nothing for this flow.
    expect(staleFlow({ snapshot: snap(ago(60 * MIN), [{ service: 'other', probability: 0.1, spans: 1 }]), now }).map((f) => f.key)).toEqual(['sync']);
  });

  // A sender that stopped sampling (its pipeline fixed): its flow's runs after the last sampled span arrive whole, and a
  // day of leniency for its old sampling would hide a flow that really stopped.
  it('is judged on its schedule again once its runs came after the last sampled span', () => {
    const wasSampled = (lastSampled: string): SampledService[] => [{ ...tenth[0], lastSampled }];
    // The last run an hour ago, its service's last sampled span three hours ago: stale after 10 minutes, as unsampled.
    expect(staleFlow({ snapshot: snap(ago(60 * MIN), wasSampled(ago(3 * 60 * MIN))), now }).map((f) => f.key)).toEqual(['sync']);
    // The last run was itself sampled (its span in the last sampled minute): the sampled limit holds.
    expect(staleFlow({ snapshot: snap(ago(60 * MIN), wasSampled(ago(61 * MIN))), now })).toEqual([]);
  });

  // Regression: a flow named by its integration alone (`runtime: { flow: … }`) had no runtime service, so its sampling
  // was never read: its runs, sampled at 10% by the service that sends them, were reported stale after 10 minutes.
  it('of a flow named by its integration is read from the services its runs came from', () => {
    const { catalog: byIntegration } = parseCatalog([
      {
        file: 'c.yaml',
        text: `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }]
flows:
  - { id: nightly, source: crm, target: erp, owner: icoe, schedule: { every: 5m }, runtime: { flow: nightly-sync } }
`,
      },
    ]);
    const snapshot: Snapshot = {
      ...snap(ago(60 * MIN), [{ service: 'etl-worker', probability: 0.1, spans: 40, lastSampled: ago(60 * MIN) }]),
      catalog: byIntegration,
      lastSeen: [{ source: 'crm', target: 'erp', integration: 'nightly-sync', service: 'etl-worker', lastSeen: ago(60 * MIN) }],
    };
    expect(staleFlow({ snapshot, now })).toEqual([]);
    // Unsampled, it is stale after 10 minutes.
    expect(staleFlow({ snapshot: { ...snapshot, sampled: undefined }, now }).map((f) => f.key)).toEqual(['nightly']);
  });

  it('is not "never observed" over a short window while a run was seen within its sampled silence', () => {
    // A 30-minute window without a run, the last 50 minutes ago.
    const window = ago(30 * MIN);
    expect(flowNeverObserved({ snapshot: snap(ago(50 * MIN), undefined, window), now }).map((f) => f.key)).toEqual(['sync']);
    expect(flowNeverObserved({ snapshot: snap(ago(50 * MIN), tenth, window), now })).toEqual([]);
  });
});

describe('which services send sampled spans (real SDK → collector → chDB)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Sends one span of `service` that starts at `ms` (default now; 1 s long) under a remote parent whose tracestate is `traceState`. */
  const sendAt = (ms: number, service: string, traceState: string) =>
    sendSpans({ url: h.collector.url, serviceName: service }, [{ name: 'job', kind: api.SpanKind.CLIENT, start: ms, durationMs: 1000 }], { traceState });
  const send = (service: string, traceState: string) => sendAt(Date.now(), service, traceState);

  it('keeps the lowest probability per service from the th threshold or the older p value of the ot entry, and nothing else', async () => {
    await send('tenth', 'vendor=a,ot=th:e666666666666;rv:0123456789abcd');
    await send('tenth', 'ot=th:8');
    await send('half-p', 'ot=p:1;r:5');
    await send('all', 'ot=th:0');
    await send('plain', 'vendor=a');
    await send('malformed', 'ot=th:xyz');
    await send('other-key', 'xot=th:8');
    await h.collector.flush();
    const sampled = await querySampledServices(h.store, new Date(Date.now() - 60 * MIN));
    // Each with the minute its last sampled span was stamped in (this minute or the one before, sent just now).
    for (const s of sampled) expect(Date.now() - Date.parse(s.lastSampled!)).toBeLessThan(3 * MIN);
    expect(sampled.map((s) => [s.service, Number(s.probability.toFixed(6)), s.spans]).sort()).toEqual([
      ['half-p', 0.5, 1],
      ['tenth', 0.1, 2],
    ]);
  });
  // Regression: W3C trace-context allows optional whitespace around each tracestate list member; a tracestate kept as
  // received (the SDKs that parse it rewrite it without; .NET's Activity.TraceStateString and a gateway passing OTLP
  // through keep it) with whitespace before the comma after `ot=…` was not read, and its service was taken as unsampled:
  // its flows were reported stale while they ran sampled.
  it('reads the ot entry with optional whitespace around it, before a comma or at the end', async () => {
    /** A tracestate sent exactly as written (what the SDK's own TraceState would normalise). */
    const verbatim = (text: string): api.TraceState => ({
      serialize: () => text,
      get: () => undefined,
      set() {
        return this;
      },
      unset() {
        return this;
      },
    });
    const cases: [string, string][] = [
      ['ws-comma', 'ot=th:e666666666666 ,vendor=a'],
      ['tab-comma', 'ot=th:e666666666666\t,vendor=a'],
      ['ws-around', 'vendor=a , ot=th:e666666666666 , x=y'],
      ['p-ws-comma', 'ot=p:1 ,vendor=a'],
      ['ws-end', 'vendor=a,ot=th:8 '],
    ];
    for (const [service, traceState] of cases) {
      await withTracer({ url: h.collector.url, serviceName: service }, (tracer) => {
        const parent = api.trace.setSpanContext(api.ROOT_CONTEXT, {
          traceId: '6bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '20f067aa0ba902b7',
          traceFlags: 1,
          isRemote: true,
          traceState: verbatim(traceState),
        });
        tracer.startSpan('GET', { kind: api.SpanKind.CLIENT }, parent).end();
      });
    }
    await h.collector.flush();
    const stored = await h.store.client
      .query({ query: "SELECT TraceState FROM otel_traces WHERE ServiceName = 'ws-comma'", format: 'JSONEachRow' })
      .then((r) => r.json<{ TraceState: string }>());
    expect(stored).toEqual([{ TraceState: 'ot=th:e666666666666 ,vendor=a' }]);
    const sampled = (await querySampledServices(h.store, new Date(Date.now() - 60 * MIN))).filter((s) => cases.some(([c]) => c === s.service));
    expect(sampled.map((s) => [s.service, Number(s.probability.toFixed(6))]).sort()).toEqual([
      ['p-ws-comma', 0.5],
      ['tab-comma', 0.1],
      ['ws-around', 0.1],
      ['ws-comma', 0.1],
      ['ws-end', 0.5],
    ]);
  });
  // Regression: a run lasting minutes (a batch job's span, sampled) ends minutes after the minute its span started in;
  // its service's last sampled span was kept by that start minute, so its own run came "after the last sampled span"
  // and a flow still running sampled was judged unsampled again: reported stale after 10 minutes while it ran.
  it('keeps when the last sampled span ended: a sampled run lasting 4 minutes is not judged as sent after its sampling', async () => {
    const end = Date.now() - MIN;
    const start = end - 4 * MIN;
    await sendSpans({ url: h.collector.url, serviceName: 'long-job' }, [{ name: 'job', kind: api.SpanKind.CLIENT, start, durationMs: end - start }], {
      traceState: 'ot=th:e666666666666',
    });
    await h.collector.flush();
    const sampled = (await querySampledServices(h.store, new Date(Date.now() - 60 * MIN))).filter((s) => s.service === 'long-job');
    expect(sampled).toHaveLength(1);
    const { catalog } = parseCatalog([
      {
        file: 'c.yaml',
        text: `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }]
flows:
  - { id: batch, source: crm, target: erp, owner: icoe, schedule: { every: 5m }, runtime: { service: long-job } }
`,
      },
    ]);
    // The flow's last run is that run, ending at `end`: still sampled.
    expect(flowSampling(catalog.flows[0], sampled, new Date(end).toISOString())?.probability).toBeCloseTo(0.1, 6);
    expect(Date.parse(sampled[0].lastSampled!)).toBeGreaterThanOrEqual(end - 1000);
  });
  // Regression: `ot=p:63` (zero adjusted count: a span kept by a sampler that is not a probability sampler) and the
  // invalid `p:64`…`p:99` were kept as probability 0, and a flow its service runs was never stale for a day (no silence
  // says it stopped): one such span hid every stop of the service's flows. The smallest threshold probability, 2^−56
  // (`th:ffffffffffffff`), rounded to 0 the same way.
  it('keeps no zero probability: p:63 and out-of-range p values are not probability sampling, th:ffffffffffffff is 2^-56', async () => {
    await send('p63', 'ot=p:63');
    await send('p64', 'ot=p:64');
    await send('p99', 'ot=p:99');
    await send('p62', 'ot=p:62');
    await send('smallest', 'ot=th:ffffffffffffff');
    await h.collector.flush();
    const sampled = await querySampledServices(h.store, new Date(Date.now() - 60 * MIN));
    const of = (service: string) => sampled.find((s) => s.service === service)?.probability;
    expect([of('p63'), of('p64'), of('p99')]).toEqual([undefined, undefined, undefined]);
    expect(of('p62')).toBe(2 ** -62);
    expect(of('smallest')).toBe(2 ** -56);
  });
  // Regression: the sampling of a service was read over the last day alone: a flow run every 2 hours sampled at 10%
  // sends Weft a run every 20 hours on average, and a day without one (28% of days) dropped its service's sampling:
  // the flow, still running, was judged on its schedule and reported stale.
  it('reads a service whose last sampled span is older than a day, with the sampling of the last day it was sampled', async () => {
    const at = sendAt;
    const now = Date.now();
    await at(now - 30 * 60 * MIN, 'every-2h', 'ot=th:e666666666666');
    // Sampled at 1% three days ago, at 50% since.
    await at(now - 3 * 24 * 60 * MIN, 'changed', 'ot=th:fd70a3d70a3d7');
    await at(now - 2 * MIN, 'changed', 'ot=th:8');
    await h.collector.flush();
    const sampled = await querySampledServices(h.store, new Date(now - SAMPLING_LOOKBACK_MS));
    const of = (service: string) => sampled.find((s) => s.service === service);
    expect(of('every-2h')?.probability).toBeCloseTo(0.1, 6);
    expect(of('changed')?.probability).toBe(0.5);
  });

  // Regression: counts of a sampled sender are a fraction of its runs; a sender that started sampling at 10% looked like
  // a flow whose throughput dropped by 90%. The count rules read the sampling of each window they count over.
  it('reads the lowest probability of each window, per service, in one read', async () => {
    const now = Date.now();
    await sendAt(now - 3 * 60 * MIN, 'windowed', 'ot=th:8');
    await sendAt(now - 2 * 60 * MIN, 'windowed', 'ot=th:e666666666666');
    await sendAt(now - 20 * MIN, 'windowed', 'vendor=a');
    await sendAt(now - 20 * MIN, 'windowed-other', 'ot=th:c');
    await h.collector.flush();
    const windows = [
      { since: new Date(now - 4 * 60 * MIN), until: new Date(now - 150 * MIN) },
      { since: new Date(now - 4 * 60 * MIN), until: new Date(now - 60 * MIN) },
      { since: new Date(now - 60 * MIN), until: new Date(now) },
      { since: new Date(now - 10 * MIN), until: new Date(now) },
    ];
    const read = (await querySamplingInWindows(h.store, windows)).map((m) =>
      [...m].filter(([s]) => s.startsWith('windowed')).map(([s, p]) => [s, Number(p.toFixed(6))]),
    );
    expect(read).toEqual([[['windowed', 0.5]], [['windowed', 0.1]], [['windowed-other', 0.25]], []]);
    expect(await querySamplingInWindows(h.store, [])).toEqual([]);
  });

  // A replay reads the sampling of each of its steps at once: a week of 5-minute steps is 2,016 windows, which were
  // matched one by one against every row (68 s for 5 sampled services, a minute of 1-minute steps 4 minutes); each
  // row is now joined with the windows' minutes. Steps of a replay, minute-aligned or not, read as a window each.
  it('reads the many step windows of a replay, each its own minutes', async () => {
    const now = Math.floor(Date.now() / MIN) * MIN;
    await sendAt(now - 50 * MIN + 10_000, 'stepped', 'ot=th:8');
    await sendAt(now - 20 * MIN + 10_000, 'stepped', 'ot=th:e666666666666');
    await h.collector.flush();
    const steps = (from: number, stepMs: number) =>
      Array.from({ length: Math.floor((now - from) / stepMs) }, (_, i) => ({ since: new Date(from + i * stepMs), until: new Date(from + (i + 1) * stepMs) }));
    const of = (read: Array<Map<string, number>>) => read.flatMap((m, i) => (m.has('stepped') ? [[i, Number(m.get('stepped')!.toFixed(6))]] : []));
    // 1-minute steps over 2 days: the two minutes, and nothing else.
    const minutes = steps(now - 2 * 1440 * MIN, MIN);
    expect(of(await querySamplingInWindows(h.store, minutes))).toEqual([
      [minutes.length - 50, 0.5],
      [minutes.length - 20, 0.1],
    ]);
    // 10-minute steps 30 s off the minute: a step holds the minute its start falls in through the one its end falls in.
    const offset = steps(now - 60 * MIN - 30_000, 10 * MIN);
    expect(of(await querySamplingInWindows(h.store, offset))).toEqual([
      [1, 0.5],
      [4, 0.1],
    ]);
  });
});
