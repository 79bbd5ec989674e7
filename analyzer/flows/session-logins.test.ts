import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { parseCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { queryTrace, startAnalyzer, type Analyzer } from '../index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const exec = promisify(execFile);
const MIN = 60_000;

/** A stand-in for SAP Business One's Service Layer (`/b1s/v2`): Login, Logout and the business partners. */
function serviceLayer(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0];
  const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  if (req.method === 'POST' && path === '/b1s/v2/Login')
    return send(
      200,
      { SessionId: '3b1e5c52-9d1f-11ee-8000-0050568b2f1a', Version: '1000190', SessionTimeout: 30 },
      { 'set-cookie': 'B1SESSION=3b1e5c52; path=/b1s' },
    );
  if (req.method === 'POST' && path === '/b1s/v2/Logout') return send(204);
  if (req.method === 'GET' && path === '/b1s/v2/BusinessPartners')
    return send(200, {
      value: [
        { CardCode: 'C20000', CardName: 'Maxi-Teq' },
        { CardCode: 'C30000', CardName: 'Microchips' },
      ],
    });
  send(404, { error: { code: -1, message: { lang: 'en-us', value: 'Unrecognized resource path.' } } });
}

/** A stand-in for a CRM: contacts looked up by external id, and created. */
function crmApi(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  res.setHeader('content-type', 'application/json');
  if (req.method === 'GET' && url.startsWith('/api/contacts?')) return void res.end(JSON.stringify({ items: [] }));
  if (req.method === 'POST' && url === '/api/contacts') return void res.writeHead(201).end(JSON.stringify({ id: 7 }));
  res.writeHead(404).end('{}');
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const catalogOf = (b1: string, crm: string) => `
owners:
  - { id: integration-platform, email: ip@example.com }
systems:
  - { id: sap-b1, kind: erp, owner: integration-platform, match: { urlPrefixes: ["${b1}/"] } }
  - { id: crm, kind: crm, owner: integration-platform, match: { urlPrefixes: ["${crm}/"] } }
domains:
  - { id: customer, systemOfRecord: sap-b1, replicas: [crm], owner: integration-platform }
flows:
  - { id: b1-crm-customers, source: sap-b1, target: crm, domain: customer, owner: integration-platform, runtime: { service: b1-crm-sync } }
  - { id: b1-crm-customers-script, source: sap-b1, target: crm, domain: customer, owner: integration-platform, runtime: { service: b1-crm-script } }
`;

describe('an integration that logs into SAP Business One, reads it and writes the CRM, on official instrumentation (migration 113)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let b1: { server: Server; url: string };
  let crm: { server: Server; url: string };
  let rootTrace = '';
  beforeAll(async () => {
    h = await startHarness();
    [b1, crm] = await Promise.all([listen(serviceLayer), listen(crmApi)]);
    // once inside a root span, once with every call its own trace (as a script without one runs)
    for (const [service, root] of [
      ['b1-crm-sync', '1'],
      ['b1-crm-script', '0'],
    ]) {
      const { stdout } = await exec(
        process.execPath,
        ['--require', '@opentelemetry/auto-instrumentations-node/register', join(here, '..', 'test', 'session-login-integration.cjs')],
        {
          cwd: join(here, '..', '..'),
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            OTEL_SERVICE_NAME: service,
            OTEL_EXPORTER_OTLP_ENDPOINT: h.collector.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            OTEL_TRACES_EXPORTER: 'otlp',
            OTEL_METRICS_EXPORTER: 'none',
            OTEL_LOGS_EXPORTER: 'none',
            OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
            B1_URL: `${b1.url}/b1s/v2`,
            CRM_URL: crm.url,
            RUN_ROOT: root,
          },
        },
      );
      if (root === '1') rootTrace = stdout.trim();
    }
    await h.collector.flush();
    const { catalog, problems } = parseCatalog([{ file: 'estate.yaml', text: catalogOf(b1.url, crm.url) }]);
    expect(problems).toEqual([]);
    analyzer = startAnalyzer({
      store: h.store,
      catalog,
      logger: silentLogger(),
      schedule: false,
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: MIN },
      clock: { now: () => new Date(Date.now() + 3 * MIN) },
    });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 120_000);
  afterAll(async () => {
    await analyzer?.stop();
    b1?.server.close();
    crm?.server.close();
    await h?.close();
  });

  it('finds no undocumented flow (no crm → sap-b1, no integration → sap-b1) and no unknown system', async () => {
    const open = await analyzer.findings.list({ status: ['open'] });
    expect(open.map((f) => `${f.kind} ${f.title}`)).toEqual([]);
  });

  it('sees the documented flow sap-b1 → crm of both runs, and no other', async () => {
    const edges = (await analyzer.graph()).edges
      .filter((e) => e.observed)
      .map((e) => `${e.source} -> ${e.target} ${e.mark} ${e.integrations.join(',')}`)
      .sort();
    expect(edges).toEqual(['sap-b1 -> crm documented b1-crm-script', 'sap-b1 -> crm documented b1-crm-sync']);
  });

  it('records the Service Layer login and logout as no write into SAP Business One: the run reads it and writes the CRM', async () => {
    expect(rootTrace).toMatch(/^[0-9a-f]{32}$/);
    const trace = await queryTrace(h.store, analyzer.catalog(), rootTrace);
    expect({ reads: trace?.reads, writes: trace?.writes }).toEqual({ reads: ['crm', 'sap-b1'], writes: ['crm'] });
    const host = new URL(b1.url).host;
    const rows = await h.rows<{ service: string; direction: string; ep_name: string; spans: string }>(
      `SELECT service, direction, ep_name, sum(spans) AS spans FROM weft_endpoint_rollup_1m WHERE ep_host = '${host}' GROUP BY service, direction, ep_name ORDER BY service, direction`,
    );
    expect(rows.map((r) => `${r.service} ${r.direction} ${r.ep_name} ${r.spans}`)).toEqual(['b1-crm-script read /b1s/v2 1', 'b1-crm-sync read /b1s/v2 1']);
  });
});
