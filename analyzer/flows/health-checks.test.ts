import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { testAnalyzer, openFindingTitles, observedEdges } from '../test/test-analyzer.ts';

const { INTERNAL } = api.SpanKind;
const MIN = 60_000;

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
  - { id: billing, owner: icoe, match: { hosts: [billing.internal] } }
  - { id: ehr, owner: icoe, match: { hosts: [ehr.internal] } }
flows:
  - { id: crm-to-billing, source: crm, target: billing, owner: icoe, runtime: { service: invoice-sync } }
  - { id: ehr-to-billing, source: ehr, target: billing, owner: icoe, runtime: { service: patient-sync } }
`;

/** instrumentation-http's (or undici's) span of a request. */
const call = (method: string, url: string, status = 200): SpanSpec => httpCall(method, url, { status });

describe('health and liveness checks of a dependency (migration 119)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    // Before its work the sync checks that the ERP and billing are up, the ways services offer it, then copies CRM
    // customers into billing.
    await sendSpans({ url: h.collector.url, serviceName: 'invoice-sync' }, [
      {
        name: 'sync',
        kind: INTERNAL,
        start: t0,
        children: [
          call('GET', 'http://erp.internal/actuator/health'),
          call('HEAD', 'http://erp.internal/healthz'),
          call('GET', 'http://erp.internal/api/v1/health/ready'),
          call('GET', 'http://erp.internal/ping'),
          call('GET', 'http://billing.internal/health', 503),
          call('GET', 'http://crm.internal/api/customers'),
          call('POST', 'http://billing.internal/api/invoices', 201),
        ],
      },
    ]);
    // A resource named so deeper down is data: a patient's health record, read from the EHR.
    await sendSpans({ url: h.collector.url, serviceName: 'patient-sync' }, [
      {
        name: 'sync',
        kind: INTERNAL,
        start: t0 + 1000,
        children: [call('GET', 'http://ehr.internal/api/patients/42/health'), call('POST', 'http://billing.internal/api/invoices', 201)],
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

  // Regression: `Undocumented flow erp → billing (invoice-sync)`: checking the ERP's health read the ERP.
  it('makes no flow from a system whose health was checked', async () => {
    expect(await openFindingTitles(analyzer, ['undocumented-flow', 'unknown-system'])).toEqual([]);
    const edges = await observedEdges(analyzer, (e) => `${e.source} -> ${e.target} ${e.flowId ?? ''} ${e.errorRate}`);
    // A failed health check (billing answered 503 before it recovered) fails nothing either.
    expect(edges).toEqual(['crm -> billing crm-to-billing 0', 'ehr -> billing ehr-to-billing 0']);
  });

  it('counts the checks as no endpoint, and a health record as a read', async () => {
    const rows = await h.rows<{ ep: string }>(
      "SELECT DISTINCT concat(service, ' ', direction, ' ', ep_host, ep_name) AS ep FROM weft_endpoint_rollup_1m WHERE ep_kind != '' ORDER BY ep",
    );
    expect(rows.map((r) => r.ep)).toEqual([
      'invoice-sync read crm.internal/api/customers',
      'invoice-sync write billing.internal/api/invoices',
      'patient-sync read ehr.internal/api/patients',
      'patient-sync write billing.internal/api/invoices',
    ]);
  });
});
