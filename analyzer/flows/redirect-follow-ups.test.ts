import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';
import { redirectFollowUps } from './transport-spans.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

/** An HTTP server on 127.0.0.1 answering each request, once its body is read, with `answer`. */
async function listen(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
const json = (res: ServerResponse, status: number, body: unknown = {}) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const redirect = (res: ServerResponse, status: number, location: string) => {
  res.writeHead(status, { location });
  res.end();
};

const integrations = [
  'see-other-sync',
  'found-sync',
  'chain-sync',
  'node-see-other-sync',
  'parallel-see-other-sync',
  'see-other-sync-noroot',
  'temporary-sync',
  'export-sync',
] as const;

describe("the GET that follows a write's redirect is the write's answer, not a read (migration 138)", () => {
  let h: Harness;
  let analyzer: Analyzer;
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  beforeAll(async () => {
    h = await startHarness();
    const crmFiles = await listen((_req, res) => json(res, 200, [{ id: 'c-1' }]));
    const crm = await listen((req, res) =>
      req.url === '/api/export' ? redirect(res, 302, `http://localhost:${crmFiles.port}/files/customers.json`) : json(res, 200, [{ id: 'c-1' }]),
    );
    const erpFiles = await listen((_req, res) => json(res, 200, { id: 42 }));
    const erpNode2 = await listen((_req, res) => json(res, 201, { id: 42 }));
    const erp = await listen((req, res) => {
      const url = new URL(req.url ?? '/', 'http://erp');
      const answer = url.searchParams.get('answer');
      if (req.method !== 'GET' && answer === '303') return redirect(res, 303, `/api/orders/42${url.searchParams.get('then') ? '?then=302' : ''}`);
      if (req.method !== 'GET' && answer === '302') return redirect(res, 302, '/api/orders/42');
      if (req.method !== 'GET' && answer === '307') return redirect(res, 307, `http://127.0.0.1:${erpNode2.port}/api/orders`);
      if (req.method === 'GET' && url.searchParams.get('then') === '302') return redirect(res, 302, `http://localhost:${erpFiles.port}/files/order-42.json`);
      json(res, req.method === 'GET' ? 200 : 201, { id: 42 });
    });
    const billing = await listen((_req, res) => json(res, 201));
    for (const [name, s] of Object.entries({ crmFiles, crm, erpFiles, erpNode2, erp, billing })) {
      servers.push(s.server);
      ports[name] = s.port;
    }
    const catalogYaml = `systems:
  - { id: crm, match: { urlPrefixes: ["http://127.0.0.1:${crm.port}/"], hosts: ["localhost:${crmFiles.port}"] } }
  - { id: erp, match: { hosts: ["127.0.0.1:${erp.port}", "127.0.0.1:${erpNode2.port}", "localhost:${erpFiles.port}"] } }
  - { id: billing, match: { hosts: ["127.0.0.1:${billing.port}"] } }
flows:
${integrations
  .filter((i) => i !== 'export-sync')
  .map(
    (i) =>
      `  - { id: ${i}-erp, source: crm, target: erp, runtime: { service: ${i} } }\n  - { id: ${i}-billing, source: crm, target: billing, runtime: { service: ${i} } }`,
  )
  .join('\n')}
  - { id: export-sync-erp, source: crm, target: erp, runtime: { service: export-sync } }
`;
    for (const name of integrations) {
      await run(
        process.execPath,
        ['--require', '@opentelemetry/auto-instrumentations-node/register', join(root, 'test', 'redirects', 'integration.cjs'), name],
        {
          cwd: root,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            OTEL_SERVICE_NAME: name,
            OTEL_EXPORTER_OTLP_ENDPOINT: h.collector.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            OTEL_TRACES_EXPORTER: 'otlp',
            OTEL_METRICS_EXPORTER: 'none',
            OTEL_LOGS_EXPORTER: 'none',
            OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
            REDIRECT_CRM: `http://127.0.0.1:${crm.port}`,
            REDIRECT_ERP: `http://127.0.0.1:${erp.port}`,
            REDIRECT_BILLING: `http://127.0.0.1:${billing.port}`,
          },
        },
      );
    }
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    for (const s of servers) s.close();
    await analyzer?.stop();
    await h?.close();
  });

  // Regression: `Undocumented flow erp → billing (see-other-sync)`, and the same for found-sync, chain-sync,
  // node-see-other-sync, parallel-see-other-sync and see-other-sync-noroot (without a root span, whose invoice also lost
  // its flow crm → billing): the GET of the order the ERP redirected the create to read the ERP, and paired with the invoice.
  it('makes no flow from a system whose answer to a write was a redirect followed', async () => {
    expect(await openFindingTitles(analyzer, [...MISREADING_KINDS])).toEqual([]);
    expect(await flowEdges(analyzer)).toEqual([
      'chain-sync-billing crm -> billing',
      'chain-sync-erp crm -> erp',
      'export-sync-erp crm -> erp',
      'found-sync-billing crm -> billing',
      'found-sync-erp crm -> erp',
      'node-see-other-sync-billing crm -> billing',
      'node-see-other-sync-erp crm -> erp',
      'parallel-see-other-sync-billing crm -> billing',
      'parallel-see-other-sync-erp crm -> erp',
      'see-other-sync-billing crm -> billing',
      'see-other-sync-erp crm -> erp',
      'see-other-sync-noroot-billing crm -> billing',
      'see-other-sync-noroot-erp crm -> erp',
      'temporary-sync-billing crm -> billing',
      'temporary-sync-erp crm -> erp',
    ]);
  });

  it("counts the follow-ups of a write's redirect as no call, and a GET's redirect and a 307's repeat as the calls they are", async () => {
    const rows = await h.rows<{ s: string }>(
      `SELECT concat(service, ' ', direction, ' ', ep_host, ep_name, ' ', toString(sum(spans))) AS s FROM weft_endpoint_rollup_1m
       WHERE ep_kind = 'http' AND service IN ('see-other-sync', 'chain-sync', 'parallel-see-other-sync', 'temporary-sync', 'export-sync')
         AND NOT (ep_host IN ('127.0.0.1:${ports.crm}', '127.0.0.1:${ports.billing}') AND service != 'export-sync')
       GROUP BY service, direction, ep_host, ep_name HAVING sum(spans) != 0 ORDER BY s`,
    );
    const p = ports;
    expect(rows.map((r) => r.s).sort()).toEqual(
      [
        `chain-sync write 127.0.0.1:${p.erp}/api/orders 1`,
        `export-sync read 127.0.0.1:${p.crm}/api/export 1`,
        `export-sync read localhost:${p.crmFiles}/files/customers.json 1`,
        `export-sync write 127.0.0.1:${p.erp}/api/customers 1`,
        `parallel-see-other-sync write 127.0.0.1:${p.erp}/api/orders 2`,
        `see-other-sync write 127.0.0.1:${p.erp}/api/orders 1`,
        `temporary-sync write 127.0.0.1:${p.erp}/api/orders 1`,
        `temporary-sync write 127.0.0.1:${p.erpNode2}/api/orders 1`,
      ].sort(),
    );
  });
});

describe('redirectFollowUps', () => {
  /** A span answered with a redirect (`hop`), started at second `at`, and the calls after it: `id:hop`, `+` when to its host. */
  const row = (span_id: string, hop: number, at: number, next: string[]) => ({
    trace_id: 't',
    span_id,
    hop,
    ts: `2026-12-05 10:00:0${at}.000`,
    next_ids: next.map((n) => `t/${n.split(':')[0]}`),
    next_hops: next.map((n) => Number(n.split(':')[1].replace('+', ''))),
    next_same: next.map((n) => (n.endsWith('+') ? 1 : 0)),
  });
  it('follows a chain of redirects from a write (to any host after the first GET), and nothing from a GET or a write not followed with a GET', () => {
    expect(
      redirectFollowUps([row('w', 1, 0, ['g1:2+', 'g2:3', 'b:0']), row('g1', 2, 1, ['g2:3', 'b:0']), row('x', 2, 2, ['y:3+']), row('m', 1, 3, ['post:0+'])]),
    ).toEqual(['t/g1', 't/g2']);
  });
  it("takes no GET of another host as a write's follow-up (a read sent beside the write)", () => {
    expect(redirectFollowUps([row('w', 1, 0, ['crm-get:3', 'g:3+'])])).toEqual([]);
  });
  it('gives writes sent together one GET each, in the order they started', () => {
    expect(redirectFollowUps([row('w2', 1, 1, ['g1:3+', 'g2:3+', 'b:0']), row('w1', 1, 0, ['w2:1+', 'g1:3+', 'g2:3+', 'b:0'])])).toEqual(['t/g1', 't/g2']);
  });
  it('takes each call once, whatever the ids say', () => {
    expect(redirectFollowUps([row('w', 1, 0, ['a:2+']), row('a', 2, 1, ['b:2']), row('b', 2, 2, ['a:2'])])).toEqual(['t/a', 't/b']);
  });
});
