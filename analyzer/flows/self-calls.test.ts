import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, resources, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL, SERVER } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `systems:
  - { id: crm, match: { urlPrefixes: ["http://127.0.0.1:18081/"] } }
  - { id: erp, match: { hosts: ["127.0.0.1:18082"] } }
  - { id: erp-grpc, match: { hosts: ["erp.internal:50051"] } }
flows:
  - { id: crm-erp-http, source: crm, target: erp, runtime: { service: customer-sync } }
  - { id: crm-erp-grpc, source: crm, target: erp, runtime: { service: grpc-sync } }
  - { id: crm-erp-api, source: crm, target: erp, runtime: { service: erp-feeder } }
  - { id: crm-erp-late, source: crm, target: erp, runtime: { service: late-sync } }
`;

/** What instrumentation-http records of a client request (stable conventions). */
const clientHttp = (method: string, url: string, status = 200): api.Attributes => {
  const u = new URL(url);
  return {
    'http.request.method': method,
    'url.full': url,
    'server.address': u.hostname,
    'server.port': Number(u.port),
    'http.response.status_code': status,
  };
};
/** What instrumentation-http records of the request its server took (stable conventions). */
const serverHttp = (method: string, url: string): api.Attributes => {
  const u = new URL(url);
  return {
    'http.request.method': method,
    'url.scheme': 'http',
    'url.path': u.pathname,
    'server.address': u.hostname,
    'server.port': Number(u.port),
    'http.route': u.pathname,
    'client.address': '127.0.0.1',
    'http.response.status_code': 200,
  };
};
/** What instrumentation-grpc records of a unary call, client or server side. */
const grpc = (method: string): api.Attributes => ({
  'rpc.system': 'grpc',
  'rpc.service': 'crm.v1.CustomerTransform',
  'rpc.method': method,
  'server.address': '127.0.0.1',
  'server.port': 50061,
  'rpc.grpc.status_code': 0,
});

/** One service's tracer, exporting each span in its own request as it ends (the simple processor). */
function providerOf(h: Harness, service: string): tracing.BasicTracerProvider {
  return new tracing.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new tracing.SimpleSpanProcessor(new OTLPTraceExporter({ url: `${h.collector.url}/v1/traces` }))],
  });
}

/** Starts `name` under `parent` at `at` (ms) and ends it 5 ms later, unless `open`; returns it and its context. */
function spanOf(tracer: api.Tracer, parent: api.Context, name: string, kind: api.SpanKind, at: number, attributes: api.Attributes, open = false) {
  const span = tracer.startSpan(name, { kind, startTime: at, attributes }, parent);
  if (!open) span.end(at + 5);
  return { span, ctx: api.trace.setSpan(parent, span) };
}

describe("a service's call to itself touches no system (migration 135)", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const providers: tracing.BasicTracerProvider[] = [];
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const provider = (service: string) => {
      const p = providerOf(h, service);
      providers.push(p);
      return p.getTracer('weft-test');
    };
    // An integration serving HTTP: it reads the CRM, posts to its own endpoint (an internal step: the SERVER span of the
    // same service under the call), whose handler writes the ERP.
    {
      const tracer = provider('customer-sync');
      const run = spanOf(tracer, api.ROOT_CONTEXT, 'run', INTERNAL, t0, {}, true);
      spanOf(tracer, run.ctx, 'GET', CLIENT, t0 + 1, clientHttp('GET', 'http://127.0.0.1:18081/api/customers'));
      const self = spanOf(tracer, run.ctx, 'POST', CLIENT, t0 + 10, clientHttp('POST', 'http://127.0.0.1:39457/internal/transform'), true);
      const served = spanOf(
        tracer,
        self.ctx,
        'POST /internal/transform',
        SERVER,
        t0 + 11,
        serverHttp('POST', 'http://127.0.0.1:39457/internal/transform'),
        true,
      );
      spanOf(tracer, served.ctx, 'POST', CLIENT, t0 + 12, clientHttp('POST', 'http://127.0.0.1:18082/api/customers', 201));
      served.span.end(t0 + 20);
      self.span.end(t0 + 21);
      // and a health check of itself (a GET: a read of itself)
      const health = spanOf(tracer, run.ctx, 'GET', CLIENT, t0 + 22, clientHttp('GET', 'http://127.0.0.1:39457/status'), true);
      spanOf(tracer, health.ctx, 'GET /status', SERVER, t0 + 23, serverHttp('GET', 'http://127.0.0.1:39457/status'));
      health.span.end(t0 + 30);
      run.span.end(t0 + 40);
    }
    // The same over gRPC: a gRPC service calling its own method.
    {
      const tracer = provider('grpc-sync');
      const run = spanOf(tracer, api.ROOT_CONTEXT, 'run', INTERNAL, t0, {}, true);
      spanOf(tracer, run.ctx, 'GET', CLIENT, t0 + 1, clientHttp('GET', 'http://127.0.0.1:18081/api/customers'));
      const self = spanOf(tracer, run.ctx, 'grpc.crm.v1.CustomerTransform/UpdateCustomer', CLIENT, t0 + 10, grpc('UpdateCustomer'), true);
      spanOf(tracer, self.ctx, 'grpc.crm.v1.CustomerTransform/UpdateCustomer', SERVER, t0 + 11, grpc('UpdateCustomer'));
      self.span.end(t0 + 20);
      spanOf(tracer, run.ctx, 'POST', CLIENT, t0 + 21, clientHttp('POST', 'http://127.0.0.1:18082/api/customers', 201));
      run.span.end(t0 + 40);
    }
    // Not itself: the ERP's own instrumented API (another service) serves the call; and a call to a host no rule names,
    // served by another service, stays an unknown system.
    {
      const tracer = provider('erp-feeder');
      const erpApi = provider('erp-api');
      const run = spanOf(tracer, api.ROOT_CONTEXT, 'run', INTERNAL, t0, {}, true);
      spanOf(tracer, run.ctx, 'GET', CLIENT, t0 + 1, clientHttp('GET', 'http://127.0.0.1:18081/api/customers'));
      const call = spanOf(tracer, run.ctx, 'POST', CLIENT, t0 + 10, clientHttp('POST', 'http://127.0.0.1:18082/api/customers', 201), true);
      spanOf(erpApi, call.ctx, 'POST /api/customers', SERVER, t0 + 11, serverHttp('POST', 'http://127.0.0.1:18082/api/customers'));
      call.span.end(t0 + 20);
      const shadow = spanOf(tracer, run.ctx, 'POST', CLIENT, t0 + 21, clientHttp('POST', 'http://127.0.0.1:18099/contacts', 201), true);
      spanOf(erpApi, shadow.ctx, 'POST /contacts', SERVER, t0 + 22, serverHttp('POST', 'http://127.0.0.1:18099/contacts'));
      shadow.span.end(t0 + 30);
      run.span.end(t0 + 40);
    }
    for (const p of providers) await p.forceFlush();
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml);
    expect((await analyzer.runNow()).errors).toEqual([]);
  });
  afterAll(async () => {
    for (const p of providers) await p.shutdown();
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: the POST to its own port was `Unknown system 127.0.0.1:39457 is used by customer-sync` and `Undocumented
  // flow crm → unknown:127.0.0.1:39457`, whatever the catalog said; the gRPC service's call to itself likewise.
  it('leaves an HTTP or gRPC call answered by a SERVER span of its own service out of the systems and flows', async () => {
    expect(await flowEdges(analyzer)).toEqual([
      ' crm -> unknown:127.0.0.1:18099',
      'crm-erp-api crm -> erp',
      'crm-erp-grpc crm -> erp',
      'crm-erp-http crm -> erp',
    ]);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([
      'Undocumented flow crm → unknown:127.0.0.1:18099 (erp-feeder)',
      'Unknown system 127.0.0.1:18099 is used by erp-feeder',
    ]);
  });

  it('counts no call of a service to itself in the endpoint rollups', async () => {
    const rows = await h.rows<{ ep_host: string; n: string }>(
      `SELECT ep_host, toString(sum(spans)) AS n FROM weft_endpoint_rollup_1m
       WHERE service IN ('customer-sync', 'grpc-sync') AND ep_host != '' GROUP BY ep_host HAVING sum(spans) != 0 ORDER BY ep_host`,
    );
    expect(rows.map((r) => `${r.ep_host} ${r.n}`)).toEqual(['127.0.0.1:18081 2', '127.0.0.1:18082 2']);
  });
});
