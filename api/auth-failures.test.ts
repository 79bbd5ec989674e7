import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthFailureLimit, clientKey } from '../access/auth-failures.ts';
import { Credentials, listenerGuard } from '../access/index.ts';
import { startHarness, type Harness } from '../collector/test/harness.ts';
import type { ConfiguredToken } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { buildApiApp, type ApiApp } from './app.ts';

const viewer = 'limit-viewer-token-0123456789';
const ingest = 'limit-ingest-token-0123456789';
const configured: ConfiguredToken[] = [{ token: viewer, role: 'viewer', name: 'limit-viewer', source: 'WEFT_API_TOKENS' }];

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** One request from the given local address (127.0.0.x: each is another client), on a fresh connection. */
function send(port: number, from: string, method: string, path: string, headers: Record<string, string>, body = '', to = '127.0.0.1'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: to, port, localAddress: from, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('AuthFailureLimit', () => {
  it('blocks a client after its failures in a window, says for how long, and lets it try again when the window ends', () => {
    let now = 1_000_000;
    const limit = new AuthFailureLimit({ maxFailures: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limit.blockedFor('10.0.0.1')).toBe(0);
      limit.charge('10.0.0.1', `guess-${i}`);
    }
    expect(limit.blockedFor('10.0.0.1')).toBe(60);
    expect(limit.blockedFor('10.0.0.2')).toBe(0);
    now += 59_500;
    expect(limit.blockedFor('10.0.0.1')).toBe(1);
    now += 500;
    expect(limit.blockedFor('10.0.0.1')).toBe(0);
  });

  it('regression: a flood of failures from distinct addresses keeps memory bounded (at most maxClients entries)', () => {
    let now = 0;
    const limit = new AuthFailureLimit({ maxFailures: 3, windowMs: 60_000, maxClients: 1000 }, () => now);
    for (let i = 0; i < 50_000; i++) {
      limit.charge(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `guess-${i}`);
      now += 1;
    }
    expect(limit.size).toBeLessThanOrEqual(1000);
    // Ended windows go first: after a quiet minute, one new client leaves one entry.
    now += 60_000;
    limit.charge('192.0.2.1', 'guess');
    expect(limit.size).toBe(1);
  });

  it('regression: the same wrong token sent again and again is one failure (a dashboard left open with a revoked token was refused with 429 within a minute)', () => {
    const limit = new AuthFailureLimit({ maxFailures: 3 });
    for (let i = 0; i < 100; i++) {
      expect(limit.charge('10.0.0.7', 'stale')).toEqual({ wait: 0, charged: i === 0 });
      limit.failed('10.0.0.7', 'stale');
    }
    expect(limit.blockedFor('10.0.0.7')).toBe(0);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as its IPv4 address', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    // Regression: the hex spelling was an IPv6 address, counted by the /64 it shares with ::1 and every other one.
    expect(clientKey('::ffff:c000:207')).toBe('192.0.2.7');
    expect(clientKey('0:0:0:0:0:FFFF:C000:0207')).toBe('192.0.2.7');
    expect(clientKey('2001:0DB8:0001:0002:0000::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    const limit = new AuthFailureLimit({ maxFailures: 2 });
    limit.charge('2001:db8:1:2::a', 'guess-a');
    limit.charge('2001:db8:1:2::b', 'guess-b');
    expect(limit.blockedFor('2001:db8:1:2::c')).toBeGreaterThan(0);
    expect(limit.blockedFor('2001:db8:1:3::a')).toBe(0);
  });
});

describe('the guard under checks made side by side', () => {
  it('regression: a hundred wrong tokens sent at once, each check waiting on the store, get at most the limit of 401s (each looked at the count before any had failed, and all were checked)', async () => {
    const credentials = await Credentials.create({ configured, authFailures: { maxFailures: 5 } });
    // A check that waits, as one of a stored token does (the store, the KDF).
    const authenticate = credentials.authenticate.bind(credentials);
    credentials.authenticate = async (authorization) => {
      await new Promise((r) => setTimeout(r, 20));
      return authenticate(authorization);
    };
    const guard = listenerGuard(credentials, { host: '127.0.0.1', kind: 'api' });
    const check = (token: string) =>
      guard.check({ method: 'GET', headers: { host: '127.0.0.1', authorization: `Bearer ${token}` }, remoteAddress: '192.0.2.9' }, 'read');
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => check(`guess-${i}-0123456789abcdef`)));
    const statuses = decisions.map((d) => (d.ok ? 200 : d.error.statusCode));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(95);
    // A right token is charged while it is checked and refunded when it passes; fifty requests at once with it (a page's, an
    // exporter's) are one check's charge, not fifty: all pass, again and again.
    const right = () => guard.check({ method: 'GET', headers: { host: '127.0.0.1', authorization: `Bearer ${viewer}` }, remoteAddress: '192.0.2.10' }, 'read');
    for (let round = 0; round < 3; round++) expect((await Promise.all(Array.from({ length: 50 }, right))).every((d) => d.ok)).toBe(true);
  });
});

describe('failed credential checks over real sockets', () => {
  let api: ApiApp;
  let apiPort: number;
  let h: Harness;

  beforeAll(async () => {
    const credentials = await Credentials.create({ configured, authFailures: { maxFailures: 5 } });
    api = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store: undefined as never } });
    await api.listen({ host: '127.0.0.1', port: 0 });
    apiPort = (api.server.address() as { port: number }).port;
    h = await startHarness({ tokens: [ingest], trustedProxies: ['127.0.0.8'] });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  it('regression: the API answers 429 with Retry-After to a client that sent too many wrong tokens, even with a right one, and keeps serving other clients (a client could try tokens as fast as it liked)', async () => {
    const get = (from: string, token?: string) =>
      send(apiPort, from, 'GET', '/api/v1/openapi.json', { host: `127.0.0.1:${apiPort}`, ...(token ? { authorization: `Bearer ${token}` } : {}) });
    const tries: number[] = [];
    for (let i = 0; i < 5; i++) tries.push((await get('127.0.0.2', `guess-${i}-0123456789abcdef`)).status);
    expect(tries).toEqual([401, 401, 401, 401, 401]);
    const blocked = await get('127.0.0.2', `guess-5-0123456789abcdef`);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(60);
    expect(JSON.parse(blocked.body)).toMatchObject({ code: 'WEFT_ERR_AUTH_FAILURES', message: expect.stringMatching(/Too many requests with a wrong token/) });
    // The right token from the blocked client is not checked either (else the block would still answer guesses).
    expect((await get('127.0.0.2', viewer)).status).toBe(429);
    // Without a token it is told it needs one, as before.
    expect((await get('127.0.0.2')).status).toBe(401);
    // Another client's token works.
    expect((await get('127.0.0.3', viewer)).status).toBe(200);
  });

  it('regression: a tab sending one revoked or mistyped token again and again keeps getting 401, not 429 (each request counted as a new failure)', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const r = await send(apiPort, '127.0.0.7', 'GET', '/api/v1/openapi.json', {
        host: `127.0.0.1:${apiPort}`,
        authorization: 'Bearer stale-token-0123456789abcdef',
      });
      statuses.add(r.status);
    }
    expect([...statuses]).toEqual([401]);
  });

  it('regression: a client on this machine that writes a new X-Forwarded-For with each wrong token is still one client and gets 429 (it chose the address it was counted as)', async () => {
    const get = (forwardedFor: string, token: string) =>
      send(apiPort, '127.0.0.6', 'GET', '/api/v1/openapi.json', {
        host: `127.0.0.1:${apiPort}`,
        'x-forwarded-for': forwardedFor,
        authorization: `Bearer ${token}`,
      });
    for (let i = 0; i < 5; i++) expect((await get(`203.0.113.${i}, 198.51.100.${i}`, `guess-${i}-0123456789abcdef`)).status).toBe(401);
    expect((await get('198.51.100.99', viewer)).status).toBe(429);
    const forwarded = (value: string, token: string) =>
      send(apiPort, '127.0.0.6', 'GET', '/api/v1/openapi.json', { host: `127.0.0.1:${apiPort}`, forwarded: value, authorization: `Bearer ${token}` });
    expect((await forwarded('for=198.51.100.77', viewer)).status).toBe(429);
  });

  describe('behind trusted proxies (trustedProxies: 127.0.0.8, ::1)', () => {
    let proxied: ApiApp;
    let port: number;
    beforeAll(async () => {
      const credentials = await Credentials.create({ configured, authFailures: { maxFailures: 5 } });
      proxied = await buildApiApp({
        config: { host: '127.0.0.1', port: 0 },
        credentials,
        trustedProxies: ['127.0.0.8', '::1'],
        logger: silentLogger(),
        services: { store: undefined as never },
      });
      // Both families on one port: an IPv4 peer arrives IPv4-mapped (::ffff:127.0.0.8).
      await proxied.listen({ host: '::', port: 0 });
      port = (proxied.server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await proxied?.close();
    });
    const get = (from: string, headers: Record<string, string>, token: string) =>
      send(
        port,
        from,
        'GET',
        '/api/v1/openapi.json',
        { host: `127.0.0.1:${port}`, ...headers, authorization: `Bearer ${token}` },
        '',
        from.includes(':') ? '::1' : '127.0.0.1',
      );

    it('counts two clients of a trusted proxy apart (they shared one count), by the entry the proxy appended, whatever a client wrote before it', async () => {
      for (let i = 0; i < 5; i++)
        expect((await get('127.0.0.8', { 'x-forwarded-for': `203.0.113.${i}, 198.51.100.1` }, `guess-${i}-0123456789abcdef`)).status).toBe(401);
      expect((await get('127.0.0.8', { 'x-forwarded-for': '203.0.113.99, 198.51.100.1' }, viewer)).status).toBe(429);
      expect((await get('127.0.0.8', { 'x-forwarded-for': '198.51.100.2' }, viewer)).status).toBe(200);
      // RFC 7239 Forwarded names the same client.
      expect((await get('127.0.0.8', { forwarded: 'for="198.51.100.1:4711";proto=http' }, viewer)).status).toBe(429);
      expect((await get('127.0.0.8', { forwarded: 'for=198.51.100.2' }, viewer)).status).toBe(200);
      // A malformed entry: the proxy itself is the client (not blocked), not whatever lies to its left.
      expect((await get('127.0.0.8', { 'x-forwarded-for': '198.51.100.1, unknown' }, viewer)).status).toBe(200);
      // An untrusted peer's header is not read: it is itself.
      expect((await get('127.0.0.9', { 'x-forwarded-for': '198.51.100.2' }, viewer)).status).toBe(200);
    });

    it('regression: counts one client once whichever spelling its proxies write (dotted, hex IPv4-mapped, zeros written out), where hex-mapped was a second count', async () => {
      const spellings = ['198.51.100.50', '::ffff:c633:6432', '[::FFFF:C633:6432]:443', '0:0:0:0:0:ffff:c633:6432', '::ffff:198.51.100.50'];
      for (const [i, spelling] of spellings.entries())
        expect((await get('127.0.0.8', { 'x-forwarded-for': spelling }, `guess-mapped-${i}-0123456789abcdef`)).status, spelling).toBe(401);
      expect((await get('127.0.0.8', { 'x-forwarded-for': '198.51.100.50' }, viewer)).status).toBe(429);
      expect((await get('127.0.0.8', { forwarded: 'for="[::ffff:c633:6432]"' }, viewer)).status).toBe(429);
      // Another IPv4 client written in hex is not in its count (hex-mapped ones shared one with ::1).
      expect((await get('127.0.0.8', { 'x-forwarded-for': '::ffff:c633:6433' }, viewer)).status).toBe(200);
    });

    it('reads an IPv6 trusted proxy, counting IPv6 clients by their /64', async () => {
      for (let i = 0; i < 5; i++)
        expect((await get('::1', { 'x-forwarded-for': `2001:db8:1:2::${i + 1}` }, `guess-v6-${i}-0123456789abcdef`)).status).toBe(401);
      expect((await get('::1', { 'x-forwarded-for': '[2001:db8:1:2::99]:4711' }, viewer)).status).toBe(429);
      expect((await get('::1', { forwarded: 'for="[2001:db8:1:2:ffff::1]"' }, viewer)).status).toBe(429);
      expect((await get('::1', { 'x-forwarded-for': '2001:db8:1:3::1' }, viewer)).status).toBe(200);
    });
  });

  it("regression: the collector answers 429 with Retry-After to a client that sent too many wrong ingest tokens, and keeps taking other clients' exports", async () => {
    const port = h.collector.port;
    const post = (from: string, token: string) =>
      send(port, from, 'POST', '/v1/traces', { host: `127.0.0.1:${port}`, 'content-type': 'application/json', authorization: `Bearer ${token}` }, '{}');
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await post('127.0.0.4', `guess-${i}-0123456789abcdef`)).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    const blocked = await post('127.0.0.4', ingest);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await post('127.0.0.5', ingest)).status).toBe(200);
  });

  it('the collector counts the clients of a trusted proxy apart and an untrusted peer as itself, whatever X-Forwarded-For it writes', async () => {
    const port = h.collector.port;
    const post = (from: string, forwardedFor: string, token: string) =>
      send(
        port,
        from,
        'POST',
        '/v1/traces',
        { host: `127.0.0.1:${port}`, 'content-type': 'application/json', 'x-forwarded-for': forwardedFor, authorization: `Bearer ${token}` },
        '{}',
      );
    for (let i = 0; i < 30; i++) expect((await post('127.0.0.10', `203.0.113.${i}`, `guess-${i}-0123456789abcdef`)).status).toBe(401);
    expect((await post('127.0.0.10', '203.0.113.200', ingest)).status).toBe(429);
    for (let i = 0; i < 30; i++) expect((await post('127.0.0.8', `198.51.100.1`, `guess-${i}-0123456789abcdef`)).status).toBe(401);
    expect((await post('127.0.0.8', '198.51.100.1', ingest)).status).toBe(429);
    expect((await post('127.0.0.8', '198.51.100.2', ingest)).status).toBe(200);
  });
});
