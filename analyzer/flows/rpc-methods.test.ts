import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
flows:
  - { id: crm-to-erp-go, source: crm, target: erp, owner: icoe, runtime: { service: order-sync-go } }
  - { id: crm-to-erp-dotnet, source: crm, target: erp, owner: icoe, runtime: { service: order-sync-dotnet } }
  - { id: crm-to-erp-http, source: crm, target: erp, owner: icoe, runtime: { service: order-sync-http } }
`;

/** otelgrpc's (Go) or the Java agent's client span of a unary call. */
const grpc = (host: string, service: string, method: string, children: SpanSpec[] = []): SpanSpec => ({
  name: `${service}/${method}`,
  kind: CLIENT,
  attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method, 'rpc.grpc.status_code': 0, 'server.address': host, 'server.port': 50051 },
  children,
});
/** HttpClient's span of the HTTP/2 request that carries a call: a POST to /<service>/<method>. */
const post = (host: string, service: string, method: string): SpanSpec => ({
  name: 'POST',
  kind: CLIENT,
  attributes: {
    'http.request.method': 'POST',
    'url.full': `https://${host}:50051/${service}/${method}`,
    'server.address': host,
    'http.response.status_code': 200,
  },
});

describe('RPC calls, by their methods (migration 122)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const run = (service: string, children: SpanSpec[], at: number) =>
      sendSpans({ url: h.collector.url, serviceName: service }, [{ name: 'sync', kind: INTERNAL, start: at, children }]);
    // A Go service: lists CRM customers, updates ERP orders (otelgrpc), after checking billing's health over gRPC.
    await run(
      'order-sync-go',
      [
        grpc('billing.internal', 'grpc.health.v1.Health', 'Check'),
        grpc('crm.internal', 'crm.v1.CustomerService', 'ListCustomers'),
        grpc('erp.internal', 'erp.v1.OrderService', 'UpdateOrder'),
      ],
      t0,
    );
    // A .NET service: Grpc.Net.Client's span, with HttpClient's POST under it.
    await run(
      'order-sync-dotnet',
      [
        grpc('crm.internal', 'crm.v1.CustomerService', 'GetCustomer', [post('crm.internal', 'crm.v1.CustomerService', 'GetCustomer')]),
        grpc('erp.internal', 'erp.v1.OrderService', 'CreateOrder', [post('erp.internal', 'erp.v1.OrderService', 'CreateOrder')]),
      ],
      t0 + 1000,
    );
    // A service whose gRPC client is not instrumented: only the HTTP layer's POSTs, the first gRPC's standard health check
    // of billing, which it calls later.
    await run(
      'order-sync-http',
      [
        post('billing.internal', 'grpc.health.v1.Health', 'Check'),
        post('crm.internal', 'crm.v1.CustomerService', 'GetCustomer'),
        post('erp.internal', 'erp.v1.OrderService', 'UpsertOrder'),
      ],
      t0 + 2000,
    );
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: a gRPC call had no direction: the Go and .NET services made no edge at all (their documented flows never
  // observed), and the POSTs of an uninstrumented gRPC client were writes, GetCustomer included, so the run wrote the CRM
  // (`integration:order-sync-http -> crm`, `integration:order-sync-http -> erp`).
  // Regression (migration 122 too): the uninstrumented client's health check was a POST, a write into billing:
  // `Undocumented flow crm → billing (order-sync-http)`.
  it('pairs the calls into their documented flows', async () => {
    expect(await observedEdges(analyzer)).toEqual(['crm -> erp crm-to-erp-dotnet', 'crm -> erp crm-to-erp-go', 'crm -> erp crm-to-erp-http']);
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system', 'sor-violation'])).toEqual([]);
  });
});
