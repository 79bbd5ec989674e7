import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessMatrix, Credentials, generateToken, routeAccessOf, type AccessLevel, type Role } from '../access/index.ts';
import { roles, type ConfiguredToken } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { buildApiApp, type ApiApp } from './app.ts';

/** One configured token per role. */
const tokenOf = new Map<Role, string>(roles.map((r) => [r, `matrix-${r}-token-0123456789`]));
const configured: ConfiguredToken[] = roles.map((r) => ({ token: tokenOf.get(r)!, role: r, name: `matrix-${r}`, source: 'WEFT_API_TOKENS' }));

/** Bearer values an attacker tries: prototype names, empty, huge, wrong prefix, bad checksum, a real token re-labelled. */
const forged = generateToken('viewer').token;
const hostileTokens: [string, string][] = [
  ['constructor', 'Bearer constructor'],
  ['__proto__', 'Bearer __proto__'],
  ['toString', 'Bearer toString'],
  ['hasOwnProperty', 'Bearer hasOwnProperty'],
  ['empty', 'Bearer '],
  ['empty header', ''],
  ['very long', `Bearer ${'a'.repeat(10_000)}`],
  ['wrong prefix', `Bearer ${forged.replace(/^weft_/, 'wefd_')}`],
  ['bad checksum', `Bearer ${forged.slice(0, -1)}${forged.endsWith('a') ? 'b' : 'a'}`],
  ['unknown weft token', `Bearer ${forged}`],
  ['role re-labelled', `Bearer ${forged.replace('weft_viewer_', 'weft_admin_')}`],
  ['basic auth', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
  ['a token plus junk', `Bearer ${tokenOf.get('admin')} x`],
];

/** Levels pinned for the routes that exist today: a change to any of them must be deliberate. */
const pinned: Record<string, AccessLevel> = {
  'GET /*': 'public',
  'GET /api/v1/health': 'read',
  'GET /api/v1/openapi.json': 'read',
  'GET /api/v1/findings': 'read',
  'GET /api/v1/findings/:id': 'read',
  'POST /api/v1/findings/:id/ack': 'findings',
  'POST /api/v1/findings/:id/reopen': 'findings',
  'GET /api/v1/catalog': 'read',
  'POST /api/v1/catalog/reload': 'catalog',
  'POST /api/v1/analyzer/run': 'run',
  'POST /api/v1/probes/:id/run': 'run',
  'POST /api/v1/reconciliations/:id/run': 'run',
  'GET /api/v1/audit': 'read',
  'GET /api/v1/tokens': 'tokens',
  'POST /api/v1/tokens': 'tokens',
  'POST /api/v1/tokens/:id/revoke': 'tokens',
  'GET /api/v1/audit-log': 'audit-log',
  'GET /api/v1/traces/:traceId': 'read',
  'GET /api/docs': 'public',
};

/** A URL that hits the route: params filled with a value every id pattern accepts. */
const urlOf = (route: string) => route.replace(/:\w+/g, 'abcdefabcd').replace(/\*$/, 'inventory');

describe('access: the roles matrix over every route', () => {
  let app: ApiApp;

  beforeAll(async () => {
    // This file sends thousands of wrong tokens from one address on purpose, to see each route's 401: the limit on a
    // client's failed checks (api/auth-failures.test.ts) is set out of its way.
    const credentials = await Credentials.create({ configured, authFailures: { maxFailures: Number.MAX_SAFE_INTEGER } });
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store: undefined as never } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = (method: string, url: string, authorization: string | undefined) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(authorization !== undefined ? { authorization } : {}),
        ...(method === 'GET' || method === 'HEAD' ? {} : { 'content-type': 'application/json' }),
      },
      ...(method === 'GET' || method === 'HEAD' ? {} : { payload: '{}' }),
    });

  it('docs/security.md states the matrix the code enforces', () => {
    const doc = readFileSync(join(import.meta.dirname, '../docs/security.md'), 'utf8');
    const header = doc.split('\n').find((l) => l.startsWith('| level |'))!;
    const columns = header
      .split('|')
      .map((c) => c.trim())
      .slice(3, -1);
    expect(columns).toEqual([...roles]);
    const documented = new Map<string, string[]>();
    for (const line of doc.split('\n')) {
      const m = /^\| `([a-z-]+)` \|[^|]*\|(.*)\|$/.exec(line);
      if (!m) continue;
      const cells = m[2].split('|').map((c) => c.trim());
      documented.set(
        m[1],
        roles.filter((_, i) => cells[i] === 'yes'),
      );
    }
    expect(documented).toEqual(new Map([...accessMatrix].map(([level, allowed]) => [level, roles.filter((r) => allowed.includes(r))])));
  });

  it('regression: docs/security.md names every API route an ingest token can call (its row named OTLP only, though an ingest token also writes lineage)', () => {
    const doc = readFileSync(join(import.meta.dirname, '../docs/security.md'), 'utf8');
    const row = (level: string) => doc.split('\n').find((l) => l.startsWith(`| \`${level}\` |`)) ?? '';
    const missing = routeAccessOf(app)
      .filter((r) => r.access === 'ingest')
      .filter((r) => !row('ingest').includes(`${r.method} ${r.url}`))
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('every route declares an access level (a new route without one fails here), and the known ones keep theirs', () => {
    const routes = routeAccessOf(app);
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const levels = new Map(routes.map((r) => [`${r.method} ${r.url}`, r.access]));
    for (const [route, level] of Object.entries(pinned)) expect(levels.get(route), route).toBe(level);
  });

  it('answers every route, for every role, as the matrix says', async () => {
    const wrong: string[] = [];
    for (const route of routeAccessOf(app)) {
      const url = urlOf(route.url);
      for (const role of roles) {
        const res = await call(route.method, url, `Bearer ${tokenOf.get(role)}`);
        const allowed = accessMatrix.get(route.access!)!.includes(role);
        const ok = allowed
          ? res.statusCode !== 401 && res.statusCode !== 403
          : res.statusCode === 403 && (route.method === 'HEAD' || res.json().code === 'WEFT_ERR_FORBIDDEN');
        if (!ok) wrong.push(`${route.method} ${url} as ${role}: ${res.statusCode} (${allowed ? 'allowed' : 'denied'} by the matrix)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses hostile and missing tokens with 401 on every route but the public ones', async () => {
    const wrong: string[] = [];
    for (const route of routeAccessOf(app)) {
      const url = urlOf(route.url);
      for (const [what, authorization] of [['no header', undefined] as [string, undefined], ...hostileTokens]) {
        const res = await call(route.method, url, authorization);
        const ok =
          route.access === 'public' ? res.statusCode !== 401 && res.statusCode !== 403 : res.statusCode === 401 && res.headers['www-authenticate'] === 'Bearer';
        if (!ok) wrong.push(`${route.method} ${url} with ${what}: ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('regression: a route that declares no access level is closed to everyone, admin included', async () => {
    const bare = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials: await Credentials.create({ configured }),
      logger: silentLogger(),
      services: { store: undefined as never },
    });
    bare.get('/api/v1/forgotten', async () => ({ secret: 'data' }));
    const res = await bare.inject({ url: '/api/v1/forgotten', headers: { authorization: `Bearer ${tokenOf.get('admin')}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'WEFT_ERR_NO_ACCESS_LEVEL' });
    expect(res.body).not.toContain('data');
    await bare.close();
  });

  it("states each route's access level in the OpenAPI document", async () => {
    const doc = (await call('GET', '/api/v1/openapi.json', `Bearer ${tokenOf.get('viewer')}`)).json();
    expect(doc.paths['/api/v1/findings/{id}/ack'].post).toMatchObject({ security: [{ bearer: [] }], description: 'Access: `findings` (sre, icoe or admin).' });
    expect(doc.paths['/api/v1/audit-log'].get.description).toBe('Access: `audit-log` (auditor or admin).');
  });

  it('answers a path that matches no route with 404 and no data', async () => {
    const res = await app.inject({ url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, code: 'WEFT_ERR_NOT_FOUND', error: 'Not Found', message: 'No route GET /api/v1/nothing-here.' });
  });

  // Regression: a refusal of Weft's own (a WeftError) gave its message as \`error\` too (a 503 gave 'Internal Server
  // Error'), where every other answer gives the status's reason phrase there.
  it("answers a refusal of Weft's own with the status's reason phrase as error and the reason as message", async () => {
    // This app serves the API without an analyzer: what needs one is unavailable.
    const res = await call('GET', '/api/v1/flows/no-such-flow/summary', `Bearer ${tokenOf.get('viewer')}`);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(res.json().message).not.toBe('Service Unavailable');
  });
});
