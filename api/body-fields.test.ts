import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log/logger.ts';
import { buildApiApp, type ApiApp } from './app.ts';

/**
 * Regression: a body field a schema does not declare was dropped before the handler saw it (fastify's
 * default), so a misspelt field changed what was done without a word: `"isRegx": true` in a silence
 * matcher silenced an exact value instead of a pattern, `"nte"` acknowledged without the note, and a
 * misspelt required field was reported as missing. Each is now a 400 naming the field and the one meant.
 */
describe('body fields a route does not take', () => {
  let app: ApiApp;
  const post = async (url: string, body: unknown) => {
    const r = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    return { status: r.statusCode, message: String(r.json().message) };
  };

  beforeAll(async () => {
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: undefined as never } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses an unknown field inside a list item, with its path and the field meant', async () => {
    expect(await post('/api/v1/silences', { matchers: [{ name: 'flow', value: 'erp-.*', isRegx: true }], comment: 'upgrade', duration: '2h' })).toEqual({
      status: 400,
      message: 'Unknown body field "matchers.0.isRegx" (did you mean "isRegex"?); it takes name, value, isRegex, isEqual.',
    });
  });

  it('refuses a misspelt top-level field, rather than calling the meant one missing', async () => {
    expect(await post('/api/v1/silences', { matchers: ['flow=x'], coment: 'upgrade', duration: '2h' })).toEqual({
      status: 400,
      message: 'Unknown body field "coment" (did you mean "comment"?); it takes matchers, startsAt, endsAt, duration, comment.',
    });
    // An optional field misspelt, everything required present: it was dropped, and the silence made without it.
    expect(await post('/api/v1/silences', { matchers: [{ name: 'flow', value: 'x', isRegex: false, isEqul: false }], comment: 'c', duration: '2h' })).toEqual({
      status: 400,
      message: 'Unknown body field "matchers.0.isEqul" (did you mean "isEqual"?); it takes name, value, isRegex, isEqual.',
    });
    expect(await post('/api/v1/silences', { matchers: ['flow=x'], comment: 'c', duration: '2h', endAt: '2026-12-01T10:00:00Z' })).toEqual({
      status: 400,
      message: 'Unknown body field "endAt" (did you mean "endsAt"?); it takes matchers, startsAt, endsAt, duration, comment.',
    });
    expect(await post('/api/v1/alerts/0123456789abcdef/ack', { nte: 'on it' })).toEqual({
      status: 400,
      message: 'Unknown body field "nte" (did you mean "note"?); it takes note.',
    });
    expect(await post('/api/v1/tokens', { role: 'viewer', name: 'ana', expires: '30d' })).toEqual({
      status: 400,
      message: 'Unknown body field "expires"; it takes role, name.',
    });
  });

  it('answers a value outside a closed set in a body with the values taken', async () => {
    const r = await post('/api/v1/tokens', { role: 'operator', name: 'ana' });
    expect(r).toEqual({ status: 400, message: expect.stringMatching(/^Invalid body field "role": expected one of (ingest|viewer)/) });
  });
});
