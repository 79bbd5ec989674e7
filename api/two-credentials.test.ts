import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../access/index.ts';
import { startHarness, type Harness } from '../collector/test/harness.ts';
import type { ConfiguredToken } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { rawRequest } from '../test/raw-http.ts';
import { buildApiApp, type ApiApp } from './app.ts';

const admin = 'two-creds-admin-token-0123456789';
const viewer = 'two-creds-viewer-token-0123456789';
const ingest = 'two-creds-ingest-token-0123456789';
const configured: ConfiguredToken[] = [
  { token: admin, role: 'admin', name: 'two-admin', source: 'WEFT_API_TOKENS' },
  { token: viewer, role: 'viewer', name: 'two-viewer', source: 'WEFT_API_TOKENS' },
];

/** A request text with header lines exactly as given (a name may repeat), `Connection: close`. */
function text(method: string, target: string, lines: [string, string][], body = ''): string {
  const all: [string, string][] = [
    ...lines,
    ['connection', 'close'],
    ...(body ? ([['content-length', String(Buffer.byteLength(body))]] as [string, string][]) : []),
  ];
  return `${method} ${target} HTTP/1.1\r\n${all.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

describe('a request carrying two credentials', () => {
  let api: ApiApp;
  let apiPort: number;
  let h: Harness;

  beforeAll(async () => {
    api = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials: await Credentials.create({ configured }),
      logger: silentLogger(),
      services: { store: undefined as never },
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    apiPort = (api.server.address() as { port: number }).port;
    h = await startHarness({ tokens: [ingest] });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  it('regression: the API refuses two Authorization headers with 400 on every level, whichever comes first (the first was used: a viewer token then an admin token acted as the viewer, the reverse as the admin)', async () => {
    const host: [string, string] = ['host', `127.0.0.1:${apiPort}`];
    const json: [string, string] = ['content-type', 'application/json'];
    const cases: [string, string, [string, string][], string?][] = [
      ['GET', '/api/v1/openapi.json', [host, ['authorization', `Bearer ${admin}`], ['authorization', `Bearer ${viewer}`]]],
      ['GET', '/api/v1/openapi.json', [host, ['authorization', `Bearer ${viewer}`], ['authorization', `Bearer ${admin}`]]],
      ['GET', '/api/v1/openapi.json', [host, ['authorization', 'Bearer not-a-token-0000000000'], ['Authorization', `Bearer ${admin}`]]],
      ['GET', '/api/v1/openapi.json', [host, ['authorization', `Bearer ${admin}`], ['authorization', `Bearer ${admin}`]]],
      ['GET', '/api/v1/openapi.json', [host, ['authorization', `Bearer ${admin}`], ['authorization', '']]],
      ['POST', '/api/v1/catalog/reload', [host, json, ['authorization', `Bearer ${viewer}`], ['authorization', `Bearer ${admin}`]], '{}'],
      ['GET', '/', [host, ['authorization', `Bearer ${viewer}`], ['authorization', `Bearer ${admin}`]]],
    ];
    for (const [method, target, lines, body] of cases) {
      const r = await rawRequest(apiPort, text(method, target, lines, body));
      expect(`${method} ${target} ${lines.map((l) => l[1].slice(0, 22)).join(' | ')}: ${r.status}`).toBe(
        `${method} ${target} ${lines.map((l) => l[1].slice(0, 22)).join(' | ')}: 400`,
      );
      expect(JSON.parse(r.body)).toMatchObject({
        code: 'WEFT_ERR_AMBIGUOUS_CREDENTIALS',
        message: expect.stringMatching(/2 Authorization headers.*send exactly one/),
      });
      if (target !== '/') expect(r.headers.get('cache-control')).toBe('no-store');
    }
    // One header still works.
    const one = await rawRequest(apiPort, text('GET', '/api/v1/openapi.json', [host, ['authorization', `Bearer ${admin}`]]));
    expect(one.status).toBe(200);
  });

  it('regression: the collector refuses two Authorization headers with 400 (the first was used: a valid ingest token before a bad one was accepted)', async () => {
    const port = h.collector.port;
    const host: [string, string] = ['host', `127.0.0.1:${port}`];
    const json: [string, string] = ['content-type', 'application/json'];
    for (const pair of [
      [`Bearer ${ingest}`, 'Bearer not-a-token-0000000000'],
      ['Bearer not-a-token-0000000000', `Bearer ${ingest}`],
      [`Bearer ${ingest}`, `Bearer ${ingest}`],
    ]) {
      const r = await rawRequest(port, text('POST', '/v1/traces', [host, json, ['authorization', pair[0]], ['authorization', pair[1]]], '{}'));
      expect(`${pair.join(' | ')}: ${r.status}`).toBe(`${pair.join(' | ')}: 400`);
      expect(JSON.parse(r.body)).toMatchObject({ code: 3, message: expect.stringMatching(/2 Authorization headers/) });
    }
    const one = await rawRequest(port, text('POST', '/v1/traces', [host, json, ['authorization', `Bearer ${ingest}`]], '{}'));
    expect(one.status).toBe(200);
  });
});
