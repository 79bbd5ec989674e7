import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyzer, type Analyzer } from '../analyzer/index.ts';
import { startHarness, type Harness } from '../collector/test/harness.ts';
import { parseCatalog } from '../core/catalog/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { sendSpans, type SpanSpec } from '../test/otel.ts';
import { type AlertingRuntime, type WebhookPayload } from './index.ts';
import { alertingForTest } from './testing/fixtures.ts';

const { CLIENT, INTERNAL } = api.SpanKind;
const refused = { code: api.SpanStatusCode.ERROR, message: 'connect ECONNREFUSED 10.0.0.9:443' };

/**
 * Real spans over OTLP → collector → rollups → pairing → alerting → a webhook: the CRM stops answering
 * (every write to it from two integrations is refused, no response at all). One alert says so; the
 * error-rate alerts of the flows into the CRM are inhibited by it, not sent.
 */
describe('a system that stopped answering', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let alerting: AlertingRuntime;
  let hook: Server;
  const payloads: WebhookPayload[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => (payloads.push(JSON.parse(body) as WebhookPayload), res.end()));
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    h = await startHarness();
    const { catalog, problems } = parseCatalog([
      {
        file: 'estate.yaml',
        text: `
owners:
  - { id: icoe, receiver: icoe-hook }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
classes:
  - { id: gold, latencyP95Ms: 5000, errorRate: 0.1, minTraces: 1, errorRateMinTraces: 1 }
flows:
  - { id: erp-crm-accounts, source: erp, target: crm, owner: icoe, class: gold, runtime: { service: accounts-sync } }
  - { id: erp-crm-orders, source: erp, target: crm, owner: icoe, class: gold, runtime: { service: orders-sync } }
receivers:
  - { id: icoe-hook, type: webhook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook" }
routes:
  - { receiver: icoe-hook, groupWait: 0s }
`,
      },
    ]);
    if (problems.length) throw new Error(JSON.stringify(problems));
    // Each integration reads the ERP (it answers) and writes to the CRM, which refuses every connection.
    const now = Date.now();
    const run = (i: number, what: string): SpanSpec => ({
      name: `sync ${what}`,
      kind: INTERNAL,
      start: now - 3000 + i * 500,
      status: refused,
      children: [
        {
          name: 'GET',
          kind: CLIENT,
          attributes: { 'http.request.method': 'GET', 'url.full': `https://erp.internal/api/${what}?page=${i}`, 'http.response.status_code': 200 },
        },
        {
          name: 'POST',
          kind: CLIENT,
          attributes: { 'http.request.method': 'POST', 'url.full': `https://crm.internal/api/${what}`, 'error.type': 'ECONNREFUSED' },
          status: refused,
        },
      ],
    });
    await sendSpans(
      { url: h.collector.url, serviceName: 'accounts-sync' },
      [0, 1, 2].map((i) => run(i, 'accounts')),
    );
    await sendSpans(
      { url: h.collector.url, serviceName: 'orders-sync' },
      [0, 1].map((i) => run(i, 'orders')),
    );
    await h.collector.flush();
    analyzer = startAnalyzer({
      store: h.store,
      catalog,
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 3_600_000, lateMs: 0 },
      schedule: false,
    });
    await analyzer.runNow();
    alerting = alertingForTest({ store: h.store, catalog: () => catalog, findings: analyzer.findings });
  });
  afterAll(async () => {
    await alerting?.stop();
    await analyzer?.stop();
    await h?.close();
    hook?.close();
  });

  it('fires one system-unreachable alert and inhibits the error-rate alerts of the flows through it', async () => {
    const report = await alerting.evaluateNow();
    expect(report.errors).toEqual([]);
    await alerting.idle();
    const alerts = await alerting.alertStore.listAlerts(['firing']);
    const crm = alerts.find((a) => a.rule === 'system-unreachable');
    expect(crm).toMatchObject({ labels: { alertname: 'system-unreachable', system: 'crm', owner: 'icoe' }, value: 1 });
    expect(crm!.annotations.summary).toBe('System crm stopped answering: 5 of 5 calls from 2 integrations failed in the last 1m');
    // The ERP answered every call: no alert about it.
    expect(alerts.filter((a) => a.labels.system === 'erp')).toEqual([]);
    const flowAlerts = alerts.filter((a) => a.rule === 'flow-error-rate');
    expect(flowAlerts.map((a) => [a.flow, a.inhibitedBy]).sort()).toEqual([
      ['erp-crm-accounts', 'system-unreachable:crm'],
      ['erp-crm-orders', 'system-unreachable:crm'],
    ]);
    // Told once, about the system; the flows' failures it explains are not sent.
    expect(payloads.flatMap((p) => p.alerts.map((a) => `${a.labels.alertname}:${a.labels.system ?? a.labels.flow}:${a.status}`))).toEqual([
      'system-unreachable:crm:firing',
    ]);
  });
});
