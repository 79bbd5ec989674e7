import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials, generateToken } from '../access/index.ts';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import { startCollector, type Collector } from '../collector/index.ts';
import type { ConfiguredToken } from '../core/config/index.ts';
import { createLogger } from '../core/log/logger.ts';
import { httpText, rawRequest, type RawResponse } from '../test/raw-http.ts';
import { collectorConfig } from '../collector/test/harness.ts';
import { buildApiApp, type ApiApp } from './app.ts';

const viewer = 'sockets-viewer-token-0123456789';
const ingest = 'sockets-ingest-token-0123456789';
const configured: ConfiguredToken[] = [
  { token: viewer, role: 'viewer', name: 'sockets-viewer', source: 'WEFT_API_TOKENS' },
  { token: ingest, role: 'ingest', name: 'sockets-ingest', source: 'WEFT_INGEST_TOKENS' },
];
const span = JSON.stringify({
  resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sockets' } }] }, scopeSpans: [{ spans: [] }] }],
});

/** Every spelling a router or a proxy may normalise to a data route, none of them carrying a token. */
const spellings = [
  '/%61pi/v1/catalog',
  '/%61%70%69/v1/health',
  '/api/v1/%68ealth',
  '/%2561pi/v1/health',
  'http://x/api/v1/findings',
  'http://127.0.0.1/api/v1/health',
  '//api/v1/health',
  '/api//v1/health',
  '/api/v1//health',
  '/api/v1/health;x=1',
  '/api;/v1/health',
  '/ui/../api/v1/health',
  '/api/v1/x/../health',
  '/api/v1/%2e%2e/v1/health',
  '/API/V1/HEALTH',
  '/Api/v1/health',
  '/api/v1/health/',
  '/api/v1/health?',
  '/api/v1/health#x',
  '/api/v1/health%00',
  '/api/v1/health%20',
  '/./api/v1/health',
];

/** Refused (401), not found (404), a bad request (400), or the UI's HTML page: never an API answer with data. */
function noData(r: RawResponse): boolean {
  if (r.status === 401 || r.status === 404 || r.status === 400) return !r.body.includes('"store"') && !r.body.includes('"findings"');
  return r.status === 200 && (r.headers.get('content-type') ?? '').startsWith('text/html') && r.body.includes('<html');
}

describe('access over real sockets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'access-sockets-'));
  const logged: string[] = [];
  let store: Store;
  let credentials: Credentials;
  let guarded: ApiApp;
  let open: ApiApp;
  let collector: Collector;
  let openCollector: Collector;
  const portOf = (app: ApiApp) => (app.server.address() as { port: number }).port;

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
    const logger = createLogger('debug', new Writable({ write: (chunk, _e, done) => (logged.push(String(chunk)), done()) }));
    // Wrong tokens are sent from one address on purpose here: the limit on a client's failed checks
    // (api/auth-failures.test.ts) is set out of the way.
    credentials = await Credentials.create({ configured, store, logger, authFailures: { maxFailures: Number.MAX_SAFE_INTEGER } });
    guarded = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger, services: { store } });
    await guarded.listen({ host: '127.0.0.1', port: 0 });
    open = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger, services: { store } });
    await open.listen({ host: '127.0.0.1', port: 0 });
    collector = await startCollector({ config: collectorConfig(join(dir, 'c1')), store, logger, credentials });
    openCollector = await startCollector({ config: collectorConfig(join(dir, 'c2')), store, logger });
  });
  afterAll(async () => {
    await guarded?.close();
    await open?.close();
    await collector?.stop();
    await openCollector?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('regression: no spelling of a path reads data without a token (the check tested the raw URL for /api/)', async () => {
    const port = portOf(guarded);
    const baseline = await rawRequest(port, httpText('GET', '/api/v1/health', { host: `127.0.0.1:${port}`, authorization: `Bearer ${viewer}` }));
    expect(baseline.status).toBe(200);
    expect(baseline.body).toContain('"store"');
    const leaks: string[] = [];
    for (const target of spellings) {
      const r = await rawRequest(port, httpText('GET', target, { host: `127.0.0.1:${port}` }));
      if (process.env.WEFT_SHOW_SPELLINGS) console.log(target, r.status, r.headers.get('content-type'));
      if (!noData(r)) leaks.push(`${target}: ${r.status} ${r.body.slice(0, 80)}`);
    }
    expect(leaks).toEqual([]);
    // The spellings the router decodes to an API route are refused for want of a token, not served.
    for (const target of ['/%61pi/v1/catalog', '/%61%70%69/v1/health', '/api/v1/%68ealth']) {
      expect((await rawRequest(port, httpText('GET', target, { host: `127.0.0.1:${port}` }))).status, target).toBe(401);
    }
  });

  it('regression: well-formed tokens with made-up ids cost no store query each (each one was a query, for anyone without a token)', async () => {
    const port = portOf(guarded);
    const before = credentials.stats.lookups;
    const started = Date.now();
    const made = Array.from({ length: 100 }, () => generateToken('admin').token);
    const answers = await Promise.all(
      made.map((t) => rawRequest(port, httpText('GET', '/api/v1/health', { host: `127.0.0.1:${port}`, authorization: `Bearer ${t}` }))),
    );
    expect(answers.map((r) => r.status)).toEqual(made.map(() => 401));
    expect(credentials.stats.lookups - before).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
  });

  it('regression: no-token mode refuses a foreign Host (DNS rebinding) on the API, the UI and the collector', async () => {
    for (const port of [portOf(open), openCollector.port]) {
      const path = port === openCollector.port ? '/v1/traces' : '/api/v1/health';
      const method = port === openCollector.port ? 'POST' : 'GET';
      const foreign = await rawRequest(
        port,
        httpText(method, path, { host: 'rebind.evil.example', 'content-type': 'application/json' }, method === 'POST' ? span : ''),
      );
      expect(foreign.status, String(port)).toBe(403);
      expect(foreign.body).toContain('DNS rebinding');
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
        const ok = await rawRequest(port, httpText(method, path, { host, 'content-type': 'application/json' }, method === 'POST' ? span : ''));
        expect(ok.status, host).toBe(200);
      }
    }
    expect((await rawRequest(portOf(open), httpText('GET', '/', { host: 'rebind.evil.example' }))).status).toBe(403);
    // The collector's health and metrics routes are the listener's too.
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const foreign = await rawRequest(openCollector.port, httpText('GET', path, { host: 'rebind.evil.example' }));
      expect(foreign.status, path).toBe(403);
      expect(foreign.body, path).not.toContain('weft_collector');
      const ok = await rawRequest(openCollector.port, httpText('GET', path, { host: `127.0.0.1:${openCollector.port}` }));
      expect(ok.status, path).toBe(200);
    }
    // A path that matches no route answers 403 to a foreign Host too (and 404 to the listener's own names).
    for (const [port, path] of [
      [portOf(open), '/api/v1/no-such-route'],
      [portOf(open), '/api/nothing'],
      [openCollector.port, '/v1/nothing'],
      [openCollector.port, '/'],
    ] as const) {
      expect((await rawRequest(port, httpText('GET', path, { host: 'rebind.evil.example' }))).status, path).toBe(403);
      expect((await rawRequest(port, httpText('GET', path, { host: `127.0.0.1:${port}` }))).status, path).toBe(404);
    }
    // No Host at all: Node refuses an HTTP/1.1 request without one (400) before Weft sees it.
    expect([400, 403]).toContain((await rawRequest(portOf(open), httpText('GET', '/api/v1/health', {}))).status);
  });

  // regression: `Host: 127.0.0.1:3000.evil.com` passed (the check read the text before the first colon)
  it("parses Host on both listeners: the name must be the listener's", async () => {
    const listeners = [
      { what: 'API', port: portOf(open), method: 'GET', path: '/api/v1/openapi.json' },
      { what: 'collector', port: openCollector.port, method: 'POST', path: '/v1/traces' },
      { what: 'collector health', port: openCollector.port, method: 'GET', path: '/healthz' },
    ];
    for (const { what, port, method, path } of listeners) {
      const send = (host: string | undefined, version = '1.1') =>
        rawRequest(
          port,
          httpText(method, path, { ...(host === undefined ? {} : { host }), 'content-type': 'application/json' }, method === 'POST' ? span : '').replace(
            'HTTP/1.1',
            `HTTP/${version}`,
          ),
        );
      const refused: Array<[string, RegExp]> = [
        [`127.0.0.1:${port}.evil.example`, /not a host name with an optional port/],
        [`127.0.0.1:${port}@evil.example`, /not a host name with an optional port/],
        [`evil.example@127.0.0.1:${port}`, /not a host name with an optional port/],
        [`127.0.0.1.evil.example:${port}`, /add the name to WEFT_PUBLIC_NAMES/],
        [`localhost:${port}:80`, /not a host name with an optional port/],
        [`localhost:`, /not a host name with an optional port/],
        [`%6cocalhost:${port}`, /not a host name with an optional port/],
        [`::1:${port}`, /not a host name with an optional port/],
      ];
      for (const [host, why] of refused) {
        const r = await send(host);
        expect(r.status, `${what} ${host}`).toBe(403);
        expect(r.body, `${what} ${host}`).toContain('a guard against DNS rebinding');
        expect(r.body, `${what} ${host}`).toMatch(why);
      }
      // A loopback name on any port: a port mapping or an SSH tunnel changes the port a client writes.
      for (const host of [
        `127.0.0.1:${port}`,
        `[::1]:${port}`,
        `LOCALHOST:${port}`,
        `localhost.:${port}`,
        `127.0.0.2:${port}`,
        ` localhost:${port} `,
        'localhost',
        `localhost:${port + 1}`,
        `[::1]:${port + 1}`,
      ]) {
        expect((await send(host)).status, `${what} ${host}`).toBe(200);
      }
      // No Host: Node refuses HTTP/1.1 without one (400); HTTP/1.0 reaches the guard, which refuses it.
      expect((await send(undefined)).status, what).toBe(400);
      const none = await send(undefined, '1.0');
      expect(none.status, what).toBe(403);
      expect(none.body, what).toMatch(/the request has no Host header/);
    }
  });

  it('regression: a cross-site text/plain POST does not run anything (415), nor does any write that is not JSON', async () => {
    const port = portOf(open);
    const host = `127.0.0.1:${port}`;
    for (const path of ['/api/v1/analyzer/run', '/api/v1/catalog/reload', '/api/v1/probes/crm-customers/run', '/api/v1/findings/abcdef/ack']) {
      for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
        const r = await rawRequest(
          port,
          httpText('POST', path, { host, origin: 'http://evil.example', ...(type ? { 'content-type': type } : {}) }, type ? '{}' : ''),
        );
        expect(r.status, `${path} ${type}`).toBe(415);
        expect(r.body).toContain('application/json');
      }
    }
  });

  it('refuses JSON writes from another origin or marked cross-site, and accepts the same origin', async () => {
    const port = portOf(open);
    const host = `127.0.0.1:${port}`;
    const post = (headers: Record<string, string>) =>
      rawRequest(port, httpText('POST', '/api/v1/analyzer/run', { host, 'content-type': 'application/json', ...headers }, '{}'));
    const hostile: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: 'http://localhost:8080' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of hostile) {
      const r = await post(headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.body).toContain('WEFT_ERR_CROSS_SITE');
    }
    // Same origin passes the guard; the analyzer is not running in this app, so the route says so (503).
    expect((await post({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status).toBe(503);
    expect((await post({})).status).toBe(503);
  });

  it('sends the security headers on the UI, the API and errors', async () => {
    const port = portOf(guarded);
    for (const target of ['/', '/inventory', '/api/v1/health', '/api/v1/nope']) {
      const r = await rawRequest(port, httpText('GET', target, { host: `127.0.0.1:${port}` }));
      expect(r.headers.get('content-security-policy'), target).toMatch(/frame-ancestors 'none'/);
      expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/);
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('the collector takes the same tokens: ingest yes, viewer 403, none or hostile 401', async () => {
    const send = (authorization?: string) =>
      rawRequest(
        collector.port,
        httpText(
          'POST',
          '/v1/traces',
          { host: `127.0.0.1:${collector.port}`, 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          span,
        ),
      );
    expect((await send(`Bearer ${ingest}`)).status).toBe(200);
    expect((await send(`Bearer ${viewer}`)).status).toBe(403);
    for (const bad of [undefined, 'Bearer constructor', 'Bearer __proto__', 'Bearer ', `Bearer ${ingest}x`]) {
      const r = await send(bad);
      expect(r.status, String(bad)).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('never writes a token to the log', () => {
    const text = logged.join('');
    expect(text).not.toContain(viewer);
    expect(text).not.toContain(ingest);
  });
});
