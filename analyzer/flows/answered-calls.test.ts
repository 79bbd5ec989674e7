import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, core, resources, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { queryTrace, type Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL, SERVER } = api.SpanKind;

const catalogYaml = `systems:
  - { id: crm, match: { urlPrefixes: ["http://127.0.0.1:18081/"], services: [crm-api] } }
  - { id: erp, match: { hosts: ["127.0.0.1:18082"], services: [erp-api] } }
flows:
  - { id: crm-erp, source: crm, target: erp, runtime: { service: crm-erp-sync } }
  - { id: crm-erp-feed, source: crm, target: erp, runtime: { service: erp-feeder } }
`;

const propagator = new core.W3CTraceContextPropagator();

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
const serverHttp = (req: IncomingMessage, port: number): api.Attributes => ({
  'http.request.method': req.method ?? 'GET',
  'url.scheme': 'http',
  'url.path': req.url ?? '/',
  'server.address': '127.0.0.1',
  'server.port': port,
  'http.route': req.url ?? '/',
  'client.address': '127.0.0.1',
  'http.response.status_code': 200,
});
/** What instrumentation-grpc records of a unary call, client or server side. */
const grpc = (method: string): api.Attributes => ({
  'rpc.system': 'grpc',
  'rpc.service': 'crm.v1.Hooks',
  'rpc.method': method,
  'server.address': '127.0.0.1',
  'server.port': 50071,
  'rpc.grpc.status_code': 0,
});

/** One service's tracer, exporting each span in its own request as it ends (the simple processor). */
function providerOf(h: Harness, service: string): tracing.BasicTracerProvider {
  return new tracing.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new tracing.SimpleSpanProcessor(new OTLPTraceExporter({ url: `${h.collector.url}/v1/traces` }))],
  });
}

/**
 * A real HTTP server on 127.0.0.1 (a free port), instrumented as instrumentation-http does: each request is a SERVER span
 * of `tracer`'s service under the caller's W3C `traceparent` (unless `lost`: a server that does not take the caller's
 * context, a new trace), in which `handle` runs.
 */
async function serve(tracer: api.Tracer, handle: (ctx: api.Context) => void, lost = false): Promise<Server & { port: number }> {
  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    const parent = lost ? api.ROOT_CONTEXT : propagator.extract(api.ROOT_CONTEXT, req.headers, api.defaultTextMapGetter);
    const span = tracer.startSpan(`${req.method} ${req.url}`, { kind: SERVER, attributes: serverHttp(req, port) }, parent);
    req.resume();
    req.on('end', () => {
      handle(api.trace.setSpan(parent, span));
      span.end();
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

/** A client request as instrumentation-http records it: a CLIENT span under `parent`, its context sent in `traceparent`. */
async function post(tracer: api.Tracer, parent: api.Context, url: string): Promise<void> {
  const span = tracer.startSpan('POST', { kind: CLIENT, attributes: clientHttp('POST', url) }, parent);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  propagator.inject(api.trace.setSpan(parent, span), headers, api.defaultTextMapSetter);
  const res = await fetch(url, { method: 'POST', headers, body: '{"id":42}' });
  await res.text();
  span.setAttribute('http.response.status_code', res.status);
  span.end();
}

/** A call made and ended at once (what the integration's handler writes). */
const call = (tracer: api.Tracer, parent: api.Context, name: string, kind: api.SpanKind, attributes: api.Attributes) =>
  tracer.startSpan(name, { kind, attributes }, parent).end();

describe('a call answered by an integration or by a system’s own service', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const providers: tracing.BasicTracerProvider[] = [];
  const servers: Server[] = [];
  const ports = { webhook: 0, erpApi: 0, contacts: 0, lost: 0 };
  let webhookTrace = '';
  beforeAll(async () => {
    h = await startHarness();
    const tracerOf = (service: string) => {
      const p = providerOf(h, service);
      providers.push(p);
      return p.getTracer('weft-test');
    };
    const crmApi = tracerOf('crm-api');
    const sync = tracerOf('crm-erp-sync');
    const feeder = tracerOf('erp-feeder');
    // The integration's webhook endpoint: what the CRM posts is written to the ERP.
    const writeErp = (ctx: api.Context) => call(sync, ctx, 'POST', CLIENT, clientHttp('POST', 'http://127.0.0.1:18082/api/customers', 201));
    const webhook = await serve(sync, writeErp);
    // The same endpoint behind something that does not hand the caller's context on: a trace of its own.
    const lost = await serve(sync, writeErp, true);
    // The ERP's own instrumented API, at an address no rule names; and a service no catalog names.
    const erpApi = await serve(tracerOf('erp-api'), () => {});
    const contacts = await serve(tracerOf('contacts-svc'), () => {});
    servers.push(webhook, lost, erpApi, contacts);
    Object.assign(ports, { webhook: webhook.port, erpApi: erpApi.port, contacts: contacts.port, lost: lost.port });

    // The CRM's API saves a customer and posts the change to the integration's webhook (HTTP), and to its gRPC method.
    {
      const saved = crmApi.startSpan('PUT /api/customers/42', { kind: SERVER, attributes: { 'http.request.method': 'PUT', 'url.path': '/api/customers/42' } });
      const ctx = api.trace.setSpan(api.ROOT_CONTEXT, saved);
      webhookTrace = saved.spanContext().traceId;
      await post(crmApi, ctx, `http://127.0.0.1:${webhook.port}/webhooks/crm`);
      const hook = crmApi.startSpan('crm.v1.Hooks/UpdateCustomer', { kind: CLIENT, attributes: grpc('UpdateCustomer') }, ctx);
      const served = sync.startSpan('crm.v1.Hooks/UpdateCustomer', { kind: SERVER, attributes: grpc('UpdateCustomer') }, api.trace.setSpan(ctx, hook));
      writeErp(api.trace.setSpan(ctx, served));
      served.end();
      hook.end();
      saved.end();
    }
    // The same post, to the endpoint that loses the context: nothing says who answered.
    {
      const saved = crmApi.startSpan('PUT /api/customers/43', { kind: SERVER, attributes: { 'http.request.method': 'PUT', 'url.path': '/api/customers/43' } });
      await post(crmApi, api.trace.setSpan(api.ROOT_CONTEXT, saved), `http://127.0.0.1:${lost.port}/webhooks/crm`);
      saved.end();
    }
    // An integration reads the CRM and writes the ERP through the ERP's own API; and posts to a service no catalog names.
    for (const port of [erpApi.port, contacts.port]) {
      const run = feeder.startSpan('run', { kind: INTERNAL });
      const ctx = api.trace.setSpan(api.ROOT_CONTEXT, run);
      call(feeder, ctx, 'GET', CLIENT, clientHttp('GET', 'http://127.0.0.1:18081/api/customers'));
      await post(feeder, ctx, `http://127.0.0.1:${port}/api/customers`);
      run.end();
    }
    for (const p of providers) await p.forceFlush();
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml);
    expect((await analyzer.runNow()).errors).toEqual([]);
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
    for (const p of providers) await p.shutdown();
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: the CRM's post to the integration's webhook was `Unknown system 127.0.0.1:<port> is used by crm-api` and
  // `Undocumented flow crm → unknown:127.0.0.1:<port> (crm-api)` whatever the catalog said; the ERP's own API at an
  // address no rule names was an unknown system too, though its service is the ERP's.
  it('takes a call answered by a flow’s runtime as handing data to the integration, and one answered by a system’s service as that system', async () => {
    expect((await flowEdges(analyzer)).sort()).toEqual(
      [
        ' crm -> integration:crm-erp-sync',
        ` crm -> unknown:127.0.0.1:${ports.contacts}`,
        ` crm -> unknown:127.0.0.1:${ports.lost}`,
        ' integration:crm-erp-sync -> erp',
        'crm-erp-feed crm -> erp',
      ].sort(),
    );
    expect((await openFindingTitles(analyzer, [...MISREADING_KINDS])).sort()).toEqual(
      [
        `Undocumented flow crm → unknown:127.0.0.1:${ports.contacts} (erp-feeder)`,
        `Undocumented flow crm → unknown:127.0.0.1:${ports.lost} (crm-api)`,
        `Unknown system 127.0.0.1:${ports.contacts} is used by erp-feeder`,
        `Unknown system 127.0.0.1:${ports.lost} is used by crm-api`,
      ].sort(),
    );
  });

  // The trace view named the post unknown:127.0.0.1:<port> while the graph named the integration.
  it('names the call so in the trace view too', async () => {
    const trace = await queryTrace(h.store, analyzer.catalog(), webhookTrace);
    expect({ reads: trace?.reads, writes: trace?.writes }).toEqual({ reads: [], writes: ['erp', 'integration:crm-erp-sync'] });
  });
});
