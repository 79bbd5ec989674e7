import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { MISREADING_KINDS, observedEdges, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
flows:
  - { id: crm-to-erp, source: crm, target: erp, owner: icoe, runtime: { service: order-sync } }
`;

/**
 * otelgrpc's (Go) interceptor span of a unary call: server.address is the channel's target split as host:port, or the
 * whole target when it is none (`dns:///crm.internal:50051`, grpc.Dial's usual form), with no server.port.
 */
const grpc = (target: string, service: string, method: string): SpanSpec => ({
  name: `${service}/${method}`,
  kind: CLIENT,
  attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method, 'rpc.grpc.status_code': 0, 'server.address': target },
});

describe("gRPC channel targets as otelgrpc's interceptors name the server", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const targets = [
      ['dns:///crm.internal:50051', 'dns:///erp.internal:50051'],
      ['dns://10.0.0.2/crm.internal:50051', 'passthrough:///erp.internal:50051'],
      ['dns:crm.internal:50051', 'erp.internal:50051'],
    ];
    await sendSpans(
      { url: h.collector.url, serviceName: 'order-sync' },
      targets.map(([crm, erp], i) => ({
        name: 'sync',
        kind: INTERNAL,
        start: t0 + i * 1000,
        children: [grpc(crm, 'crm.v1.CustomerService', 'ListCustomers'), grpc(erp, 'erp.v1.OrderService', 'CreateOrder')],
      })),
    );
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: 'Unknown system [dns:crm.internal:50051] is used by order-sync' (the target taken for an IPv6 address),
  // 'Unknown system 10.0.0.2' (the DNS server of `dns://10.0.0.2/…` taken for the host) and an undocumented flow for each.
  it("takes the target's endpoint for the server", async () => {
    expect(await observedEdges(analyzer, (e) => `${e.flowId ?? ''} ${e.source} -> ${e.target} traces=${e.traces}`)).toEqual(['crm-to-erp crm -> erp traces=3']);
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
    const hosts = await h.rows<{ ep: string }>(`SELECT DISTINCT ep_host AS ep FROM weft_endpoint_rollup_1m WHERE ep_kind = 'rpc' ORDER BY ep`);
    expect(hosts.map((r) => r.ep)).toEqual(['crm.internal:50051', 'erp.internal:50051']);
  });
});
