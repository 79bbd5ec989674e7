import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';

/** A stand-in Weft API recording what the CLI sends. */
let server: Server;
let url = '';
const requests: Array<{ method: string; path: string; body: string; auth: string }> = [];

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: { WEFT_TOKEN: 'sre-token' }, cwd: process.cwd() });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('weft alerts', () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        requests.push({ method: req.method!, path: req.url!, body, auth: String(req.headers.authorization) });
        res.setHeader('content-type', 'application/json');
        if (req.url!.startsWith('/api/v1/alerts?'))
          res.end(
            JSON.stringify({
              alerts: [
                {
                  fingerprint: 'a1b2c3d4e5f60718',
                  rule: 'flow-stale',
                  state: 'firing',
                  severity: 'high',
                  labels: { flow: 'erp-cpq-product-sync' },
                  annotations: { summary: 'staleness of flow erp-cpq-product-sync is 2m' },
                  firedAt: '2026-11-29T10:00:00.000Z',
                  activeSince: null,
                  acknowledgedBy: null,
                  silencedBy: [],
                  inhibitedBy: null,
                },
                {
                  fingerprint: 'b1b2c3d4e5f60718',
                  rule: 'record-count-drift',
                  state: 'firing',
                  severity: 'high',
                  labels: { finding: 'billing-customers' },
                  annotations: { summary: 'billing holds 2056 customers, crm 2076' },
                  firedAt: '2026-11-29T10:00:00.000Z',
                  activeSince: null,
                  acknowledgedBy: null,
                  silencedBy: [],
                  inhibitedBy: null,
                },
              ],
            }),
          );
        else if (req.url === '/api/v1/silences') res.writeHead(201).end(JSON.stringify({ silence: { id: 's-1', endsAt: '2026-11-29T12:00:00.000Z' } }));
        else res.writeHead(400).end(JSON.stringify({ message: 'No remediation is attached to alert a1b2c3d4e5f60718' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it('lists alerts of a running Weft', async () => {
    const r = await run('alerts', 'list', '--url', url);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/a1b2c3d4e5f60718 {2}firing +high +flow-stale +erp-cpq-product-sync/);
    // Regression: an alert on a finding about two systems showed an empty subject.
    expect(r.out).toMatch(/b1b2c3d4e5f60718 {2}firing +high +record-count-drift +billing-customers {2}since/);
    expect(requests.at(-1)).toMatchObject({ path: '/api/v1/alerts?state=pending%2Cfiring', auth: 'Bearer sre-token' });
  });

  it('creates a silence from matchers, and says what to change when one is wrong or the comment is missing', async () => {
    const ok = await run(
      'alerts',
      'silence',
      'flow=erp-cpq-product-sync',
      'severity=~"high|critical"',
      '--comment',
      'ERP upgrade',
      '--duration',
      '1h',
      '--url',
      url,
    );
    expect([ok.code, ok.out]).toEqual([0, 'Silence s-1 until 2026-11-29T12:00:00.000Z.']);
    expect(JSON.parse(requests.at(-1)!.body)).toEqual({
      matchers: ['flow=erp-cpq-product-sync', 'severity=~"high|critical"'],
      duration: '1h',
      comment: 'ERP upgrade',
    });
    expect((await run('alerts', 'silence', 'flow=~"("', '--comment', 'x', '--url', url)).err).toMatch(/not a regular expression/);
    expect((await run('alerts', 'silence', 'flow=x', '--url', url)).err).toMatch(/--comment is required/);
  });

  it('passes the API error of a remediation through, and exits non-zero', async () => {
    const r = await run('remediate', 'a1b2c3d4e5f60718', '--url', url);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/answered 400: No remediation is attached/);
  });

  it('tells the user when nothing answers at --url', async () => {
    const r = await run('alerts', 'list', '--url', 'http://127.0.0.1:9');
    expect(r.err).toMatch(/Weft is not answering at http:\/\/127.0.0.1:9/);
  });
});
