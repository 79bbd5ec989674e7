import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../access/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { buildApiApp } from './app.ts';
import { installErrorHandler } from './error-handler.ts';
import { uiPlugin } from './ui-plugin.ts';

async function serve(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandler(app);
  await app.register(uiPlugin, { root });
  return app;
}

describe('ui plugin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-ui-'));
  const built = join(dir, 'build');
  let app: FastifyInstance;

  beforeAll(async () => {
    mkdirSync(join(built, '_app/immutable/chunks'), { recursive: true });
    writeFileSync(join(built, 'index.html'), '<!doctype html><title>Weft shell</title>');
    writeFileSync(join(built, '_app/immutable/chunks/app.abc123.js'), 'console.log(1)');
    writeFileSync(join(built, 'robots.txt'), 'User-agent: *');
    writeFileSync(join(dir, 'secret.txt'), 'outside the build');
    app = await serve(built);
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for deep links the client router handles', async () => {
    for (const url of ['/', '/findings/0a1b2c', '/flows/observed%3Acrm-%3Eunknown%3Aapi.example.com%40sync?since=1h']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type'], url).toMatch(/^text\/html/);
      expect(r.body, url).toContain('Weft shell');
    }
  });

  it('serves build files, hashed assets cached for a year', async () => {
    const asset = await app.inject({ url: '/_app/immutable/chunks/app.abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const robots = await app.inject({ url: '/robots.txt' });
    expect(robots.body).toBe('User-agent: *');
    expect(robots.headers['cache-control']).toBe('public, max-age=0');
  });

  it('answers 404 for a missing build asset and for unknown API paths, never the app shell', async () => {
    expect((await app.inject({ url: '/_app/immutable/chunks/gone.js' })).statusCode).toBe(404);
    const api = await app.inject({ url: '/api/v1/no-such-route' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ code: 'WEFT_ERR_NOT_FOUND', message: 'No route GET /api/v1/no-such-route.' });
    // Regression: other spellings of an API path got the app shell with a 200.
    for (const url of ['//api/v1/findings', '/API/V1/REPORTS/r1/bundle', '/%61pi/v1/findings', '/api%2Fv1/findings', '/Api']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.body, url).not.toContain('Weft shell');
    }
  });

  it('never serves a file outside the build directory', async () => {
    for (const url of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt']) {
      const r = await app.inject({ url });
      expect(r.body, url).not.toContain('outside the build');
    }
  });

  it('explains how to build the UI when it is not built', async () => {
    const bare = await serve(join(dir, 'missing'));
    const r = await bare.inject({ url: '/inventory' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build:ui');
    expect((await bare.inject({ url: '/api/v1/nope' })).statusCode).toBe(404);
    await bare.close();
  });

  it('serves the UI without a token while the API asks for one', async () => {
    const credentials = await Credentials.create({ configured: [{ token: 's3cret-viewer-token', role: 'viewer', name: 'viewer', source: 'WEFT_API_TOKENS' }] });
    const api = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store: undefined as never } });
    const page = await api.inject({ url: '/findings' });
    expect(page.statusCode).not.toBe(401);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect((await api.inject({ url: '/api/v1/health' })).statusCode).toBe(401);
    await api.close();
  });
});
