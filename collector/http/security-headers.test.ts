import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../../access/index.ts';
import { buildApiApp, type ApiApp } from '../../api/app.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { rawRequest } from '../../test/raw-http.ts';
import { startHarness, type Harness } from '../test/harness.ts';

const INGEST = 'headers-ingest-token-0123456789';
const ADMIN = 'headers-admin-token-0123456789';
/** The headers both listeners must send on every answer, with the value they must have. */
const REQUIRED = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy', 'cross-origin-resource-policy'];

describe("the collector's answers carry the API's security headers", () => {
  let h: Harness;
  let api: ApiApp;
  let apiBase: string;

  beforeAll(async () => {
    h = await startHarness({ tokens: [INGEST], maxBodyBytes: 1024 });
    const credentials = await Credentials.create({ configured: [{ token: ADMIN, role: 'admin', name: 'headers-admin', source: 'WEFT_API_TOKENS' }] });
    api = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store: undefined as never } });
    await api.listen({ host: '127.0.0.1', port: 0 });
    apiBase = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  const json = { 'content-type': 'application/json' };
  const token = { authorization: `Bearer ${INGEST}` };

  it('regression: every answer of the OTLP listener (an export, refusals, errors, health, metrics) says nosniff, no framing, no-store, and names no server (it sent none of these; the API did)', async () => {
    const cases: [string, string, string, Record<string, string>, string?][] = [
      ['accepted export', 'POST', '/v1/traces', { ...json, ...token }, '{}'],
      ['no token (401)', 'POST', '/v1/traces', json, '{}'],
      ['bad token (401)', 'POST', '/v1/logs', { ...json, authorization: 'Bearer not-a-token-at-all-0000' }, '{}'],
      ['wrong type (415)', 'POST', '/v1/metrics', { 'content-type': 'text/plain', ...token }, 'x'],
      ['bad JSON (400)', 'POST', '/v1/traces', { ...json, ...token }, '{"resourceSpans": ['],
      ['too large (413)', 'POST', '/v1/traces', { ...json, ...token }, `{"x":"${'a'.repeat(4096)}"}`],
      ['wrong method (405)', 'GET', '/v1/traces', {}],
      ['no route (404)', 'GET', '/nothing', {}],
      ['health', 'GET', '/healthz', {}],
      ['readiness', 'GET', '/readyz', {}],
      ['metrics', 'GET', '/metrics', {}],
    ];
    const wrong: string[] = [];
    for (const [label, method, path, headers, body] of cases) {
      const res = await fetch(`${h.collector.url}${path}`, { method, headers, body });
      await res.arrayBuffer();
      const missing = REQUIRED.filter((k) => !res.headers.get(k));
      if (missing.length) wrong.push(`${label} (${res.status}): no ${missing.join(', ')}`);
      if (res.headers.get('x-content-type-options') !== null && res.headers.get('x-content-type-options') !== 'nosniff')
        wrong.push(`${label}: sniffing allowed`);
      if (res.headers.get('cache-control') !== 'no-store') wrong.push(`${label} (${res.status}): cache-control ${res.headers.get('cache-control')}`);
      for (const leak of ['server', 'x-powered-by']) if (res.headers.get(leak) !== null) wrong.push(`${label}: ${leak} ${res.headers.get(leak)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('sends the same values as the API (one owner: access/security-headers.ts)', async () => {
    const fromApi = await fetch(`${apiBase}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const fromCollector = await fetch(`${h.collector.url}/v1/traces`, { method: 'POST', headers: json, body: '{}' });
    await Promise.all([fromApi.arrayBuffer(), fromCollector.arrayBuffer()]);
    for (const k of [...REQUIRED.filter((k) => k !== 'content-security-policy'), 'cross-origin-opener-policy', 'cache-control'])
      expect(`${k}: ${fromCollector.headers.get(k)}`).toBe(`${k}: ${fromApi.headers.get(k)}`);
  });

  it("regression: what Node refuses before the app (headers over 16 KiB, a malformed request) is answered with the same headers on both listeners (fastify's answer had only Content-Type and Content-Length)", async () => {
    const wrong: string[] = [];
    for (const port of [h.collector.port, Number(new URL(apiBase).port)]) {
      const cases: [string, string, number][] = [
        ['headers over 16 KiB', `GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
        ['malformed request line', 'GET /healthz HTTP/9.9 junk\r\n\r\n', 400],
      ];
      for (const [label, text, status] of cases) {
        const r = await rawRequest(port, text);
        if (r.status !== status) wrong.push(`${port} ${label}: ${r.status}`);
        const missing = [...REQUIRED, 'cache-control'].filter((k) => !r.headers.get(k));
        if (missing.length) wrong.push(`${port} ${label}: no ${missing.join(', ')}`);
        if (r.status === 431 && !/headers are larger/.test(r.body)) wrong.push(`${port} ${label}: ${r.body}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
