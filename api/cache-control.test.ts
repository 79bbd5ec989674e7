import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials, routeAccessOf } from '../access/index.ts';
import type { ConfiguredToken } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { buildApiApp, type ApiApp } from './app.ts';

const admin = 'cache-admin-token-0123456789';
const configured: ConfiguredToken[] = [{ token: admin, role: 'admin', name: 'cache-admin', source: 'WEFT_API_TOKENS' }];

/** A URL that hits the route: params filled with a value every id pattern accepts. */
const urlOf = (route: string) => route.replace(/:\w+/g, 'abcdefabcd').replace(/\*$/, 'inventory');

describe('API answers and caches, over a real socket', () => {
  let app: ApiApp;
  let base: string;

  beforeAll(async () => {
    const credentials = await Credentials.create({ configured });
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store: undefined as never } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = (method: string, path: string, authorization?: string) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(method === 'GET' || method === 'HEAD' ? {} : { 'content-type': 'application/json' }),
      },
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }),
    });

  it('regression: an answer read with a token says no-store (it had no Cache-Control, so a browser kept the catalog, the audit log or a report on disk after the tab and its token were gone)', async () => {
    const data = await call('GET', '/api/v1/openapi.json', `Bearer ${admin}`);
    expect(data.status).toBe(200);
    expect(data.headers.get('cache-control')).toBe('no-store');
    const metrics = await call('GET', '/metrics', `Bearer ${admin}`);
    expect(metrics.headers.get('cache-control')).toBe('no-store');
    // Every route behind a token, whatever it answers here (a store-less app: data, a 4xx or a 5xx), and the refusals.
    const cached: string[] = [];
    for (const route of routeAccessOf(app)) {
      if (route.access === 'public') continue;
      const url = urlOf(route.url);
      for (const authorization of [`Bearer ${admin}`, undefined]) {
        const res = await call(route.method, url, authorization);
        await res.arrayBuffer();
        if (res.headers.get('cache-control') !== 'no-store')
          cached.push(`${route.method} ${url} ${authorization ? 'admin' : 'no token'}: ${res.status} ${res.headers.get('cache-control')}`);
      }
    }
    expect(cached).toEqual([]);
  });

  it("leaves the UI's public files their own caching (they hold no data)", async () => {
    const page = await call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).not.toBe('no-store');
    const docs = await call('GET', '/api/docs/json');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('cache-control')).not.toBe('no-store');
  });
});
