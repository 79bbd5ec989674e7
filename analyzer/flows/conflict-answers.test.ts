import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { INTERNAL } = api.SpanKind;
const { ERROR, OK } = api.SpanStatusCode;
const MIN = 60_000;

const SERVICES = [
  'f-409',
  'create-then-get',
  'create-then-put',
  'create-ok-root',
  'create-ok-caller',
  'create-alone',
  'create-error-root',
  'create-error-caller',
  'conditional-create',
  'update-conflict',
  'update-precondition',
];

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
classes:
  # one run a flow: an error rate judged on a single run (the default minimum is 5)
  - { id: strict, errorRate: 0.05, errorRateMinTraces: 1 }
flows:
${SERVICES.map((s) => `  - { id: ${s}, source: crm, target: erp, owner: icoe, class: strict, runtime: { service: ${s} } }`).join('\n')}
`;

/**
 * instrumentation-http's (or undici's, the Java agent's…) span of a request answered `status`, at `start` for 20 ms: as
 * OpenTelemetry's HTTP conventions set it, a client's 4xx or 5xx is an Error.
 */
const call = (method: string, url: string, status: number, start: number, headers: api.Attributes = {}): SpanSpec => {
  const spec = httpCall(method, url, { status });
  return {
    ...spec,
    start,
    durationMs: 20,
    attributes: { ...spec.attributes, ...headers },
    ...(status >= 400 ? { status: { code: ERROR } } : {}),
  };
};

/** A run of 200 ms: the integration's own root span around `children`, its status `status` (default Unset). */
const run = (start: number, children: SpanSpec[], status?: api.SpanStatusCode): SpanSpec => ({
  name: 'sync',
  kind: INTERNAL,
  start,
  durationMs: 200,
  children,
  ...(status === undefined ? {} : { status: { code: status } }),
});

const CUSTOMERS = 'http://erp.internal/api/customers';

describe('a create answered 409 Conflict or 412 Precondition Failed (real SDK → collector → pairing)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 10 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const send = (service: string, roots: SpanSpec[]) => sendSpans({ url: h.collector.url, serviceName: service }, roots);
    const read = (t: number) => call('GET', 'http://crm.internal/api/customers', 200, t + 10);
    // An idempotent create: four of five customers exist already (409), the integration takes that as done.
    await send('f-409', [
      ...[0, 1, 2, 3].map((i) => run(t0 + i * 1000, [read(t0 + i * 1000), call('POST', CUSTOMERS, 409, t0 + i * 1000 + 40)])),
      run(t0 + 4000, [read(t0 + 4000), call('POST', CUSTOMERS, 201, t0 + 4040)]),
    ]);
    // It exists: the integration reads it, or updates it.
    await send('create-then-get', [run(t0, [read(t0), call('POST', CUSTOMERS, 409, t0 + 40), call('GET', `${CUSTOMERS}/42`, 200, t0 + 70)])]);
    await send('create-then-put', [run(t0, [read(t0), call('POST', CUSTOMERS, 409, t0 + 40), call('PUT', `${CUSTOMERS}/42`, 200, t0 + 70)])]);
    // Nothing after the 409: the caller's own span says how it took it.
    await send('create-ok-root', [run(t0, [read(t0), call('POST', CUSTOMERS, 409, t0 + 40)], OK)]);
    const upsert = (t: number, status: api.SpanStatusCode, create: SpanSpec): SpanSpec => ({
      name: 'upsertCustomer',
      kind: INTERNAL,
      start: t + 35,
      // ends in the millisecond its create does, as a caller returning (or throwing) at once does
      durationMs: 25,
      status: { code: status },
      children: [create],
    });
    await send('create-ok-caller', [run(t0, [read(t0), upsert(t0, OK, call('POST', CUSTOMERS, 409, t0 + 40))])]);
    await send('create-alone', [run(t0, [read(t0), call('POST', CUSTOMERS, 409, t0 + 40)])]);
    await send('create-error-root', [run(t0, [read(t0), call('POST', CUSTOMERS, 409, t0 + 40)], ERROR)]);
    await send('create-error-caller', [run(t0, [read(t0), upsert(t0, ERROR, call('POST', CUSTOMERS, 409, t0 + 40))])]);
    // A create only if absent (If-None-Match: *, captured as the conventions name a request header) answered 412.
    await send('conditional-create', [run(t0, [read(t0), call('PUT', `${CUSTOMERS}/42`, 412, t0 + 40, { 'http.request.header.if-none-match': ['*'] })])]);
    // Real conflicts: an update whose record changed since it was read (409), or whose If-Match no longer holds (412).
    await send('update-conflict', [run(t0, [read(t0), call('PUT', `${CUSTOMERS}/42`, 409, t0 + 40)])]);
    await send('update-precondition', [run(t0, [read(t0), call('PUT', `${CUSTOMERS}/42`, 412, t0 + 40, { 'http.request.header.if-match': ['"v7"'] })])]);
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `Flow f-409 fails 80.0% of runs`: a create answered 409 (the customer exists) failed its run, and a
  // 409 followed by a read of the record failed the run's edge to the ERP (its last write had failed).
  it("takes a create answered 'it exists' as done, unless the caller's own span says it failed", async () => {
    const rates = await observedEdges(analyzer, (e) => `${e.flowId} ${e.source} -> ${e.target} errorRate=${e.errorRate}`);
    expect(rates.filter((r) => r.includes('crm -> erp'))).toEqual([
      'conditional-create crm -> erp errorRate=0',
      'create-alone crm -> erp errorRate=0',
      'create-error-caller crm -> erp errorRate=1',
      'create-error-root crm -> erp errorRate=1',
      'create-ok-caller crm -> erp errorRate=0',
      'create-ok-root crm -> erp errorRate=0',
      'create-then-get crm -> erp errorRate=0',
      'create-then-put crm -> erp errorRate=0',
      'f-409 crm -> erp errorRate=0',
      'update-conflict crm -> erp errorRate=1',
      'update-precondition crm -> erp errorRate=1',
    ]);
    expect((await openFindingTitles(analyzer, ['error-rate'])).sort()).toEqual([
      'Flow create-error-caller fails 100.0% of runs (class strict allows 5.0%)',
      'Flow create-error-root fails 100.0% of runs (class strict allows 5.0%)',
      'Flow update-conflict fails 100.0% of runs (class strict allows 5.0%)',
      'Flow update-precondition fails 100.0% of runs (class strict allows 5.0%)',
    ]);
  });
});
