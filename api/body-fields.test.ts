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

  // Regression: a message quoted what was sent with its bidirectional overrides as they were (U+202E reverses
  // the text after it wherever the message is shown).
  it('writes the characters that would restyle a message as escapes', async () => {
    const field = await post('/api/v1/silences', { matchers: ['flow=x'], comment: 'c', duration: '1h', ['note\u202Etxt']: 1 });
    expect(field.status).toBe(400);
    expect(field.message).toContain('note\\u{202E}txt');
    expect(field.message).not.toContain('\u202E');
    const path = await app.inject({ method: 'GET', url: `/api/v1/${encodeURIComponent('find\u202Eings')}` });
    expect(path.json().message).not.toContain('\u202E');
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
    expect(await post('/api/v1/tokens', { role: 'Admin', name: 'ana' })).toEqual({
      status: 400,
      message: 'Invalid body field "role": expected one of ingest, viewer, sre, icoe, auditor, admin, got "Admin" (did you mean "admin"?).',
    });
  });

  // Regression: a route that declares no body took any (`{"dryRun": true}` on a catalog reload did a real reload,
  // a DELETE's `{"comment": …}` was lost), and a value of the wrong type was converted (`"note": 123` stored as "123",
  // `"matchers": "a=x"` read as a list, `"isEqual": 0` as false).
  it('refuses a body on a route that takes none, but for {} and no body', async () => {
    expect(await post('/api/v1/catalog/reload', { dryRun: true })).toEqual({
      status: 400,
      message: 'Unknown body field "dryRun" for POST /api/v1/catalog/reload; it takes none (send {}, or no body, with Content-Type: application/json).',
    });
    expect(await post('/api/v1/probes/crm-count/run', ['x'])).toEqual({
      status: 400,
      message: 'POST /api/v1/probes/:id/run takes no body (send {}, or none, with Content-Type: application/json), got a list.',
    });
    const del = await app.inject({
      method: 'DELETE',
      url: '/api/v1/silences/0b7c3a52-2c39-4d5e-9c1e-3f5a6b7c8d9e',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ comment: 'why' }),
    });
    expect([del.statusCode, del.json().message]).toEqual([
      400,
      'Unknown body field "comment" for DELETE /api/v1/silences/:id; it takes none (send {}, or no body, with Content-Type: application/json).',
    ]);
  });

  it('refuses a body value of the wrong type instead of converting it', async () => {
    for (const [url, body, message] of [
      ['/api/v1/alerts/0123456789abcdef/ack', { note: 123 }, 'Invalid body field "note": must be string'],
      ['/api/v1/alerts/0123456789abcdef/ack', { note: ['from a list'] }, 'Invalid body field "note": must be string'],
      ['/api/v1/tokens', { role: 'viewer', name: 123 }, 'Invalid body field "name": must be string'],
      ['/api/v1/silences', { matchers: 'flow=x', comment: 'c', duration: '1h' }, 'Invalid body field "matchers": must be array'],
      [
        '/api/v1/silences',
        { matchers: [{ name: 'flow', value: 'x', isEqual: 0 }], comment: 'c', duration: '1h' },
        /^Invalid body field "matchers\.0\.isEqual": must be boolean/,
      ],
    ] as const) {
      const r = await post(url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      if (typeof message === 'string') expect(r.message, JSON.stringify(body)).toBe(message);
      else expect(r.message, JSON.stringify(body)).toMatch(message);
    }
  });

  // Regression: a latin-1 body was read as UTF-8 and "café" stored as "caf\uFFFD", in the audit log too.
  it('refuses a JSON body in a charset other than UTF-8', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/0123456789abcdef/ack',
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      payload: Buffer.from('{"note":"caf\u00e9"}', 'latin1'),
    });
    expect([r.statusCode, r.json().message]).toEqual([
      415,
      'JSON is read as UTF-8 (RFC 8259 §8.1); got charset "iso-8859-1": send the body in UTF-8, with charset=utf-8 or none.',
    ]);
    const utf8 = await app.inject({
      method: 'POST',
      url: '/api/v1/catalog/reload',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      payload: '{"x":1}',
    });
    expect(utf8.json().message).toMatch(/^Unknown body field "x"/);
  });

  // Regression: a flow id over 100 characters (an observed flow's id names both systems and the integration) was
  // answered "No route", the path echoed in full.
  it('routes a long path parameter to its route, and quotes a path of no route briefly', async () => {
    const id = `observed:crm->unknown:${'contacts.'.repeat(20)}example@export`;
    const r = await app.inject({ method: 'GET', url: `/api/v1/flows/${encodeURIComponent(id)}/summary` });
    expect(r.json().message).not.toMatch(/^No route/);
    const none = await app.inject({ method: 'GET', url: `/api/v1/nothing/${'x'.repeat(5000)}` });
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toMatch(/^No route GET \/api\/v1\/nothing\/x+…: a part of the path is 5000 characters long, over the 1000 an id may have\.$/);
    expect(none.json().message.length).toBeLessThan(320);
    // Regression: a flow id over the router's limit was "No route" for a route that exists.
    const over = await app.inject({ method: 'GET', url: `/api/v1/flows/${'f'.repeat(1001)}/series` });
    expect([over.statusCode, over.json().message]).toEqual([
      404,
      expect.stringMatching(/: a part of the path is 1001 characters long, over the 1000 an id may have\.$/),
    ]);
  });

  // Regression: an inverted audit-log range answered no entries (as if nobody had done anything); a replay of 0s, nothing.
  it('refuses an inverted audit-log range and a backtest of no time', async () => {
    const log = await app.inject({ method: 'GET', url: '/api/v1/audit-log?since=2026-11-02&until=2026-11-01' });
    expect([log.statusCode, log.json().message]).toEqual([
      400,
      'Invalid querystring: since (2026-11-02) is after until (2026-11-01); give since before until.',
    ]);
    const replay = await app.inject({ method: 'GET', url: '/api/v1/alerts/backtest?rule=flow-stale&since=0s' });
    expect([replay.statusCode, replay.json().message]).toEqual([
      400,
      'Invalid querystring field "since": it must be a positive duration like 7d (a replay of no time evaluates nothing).',
    ]);
  });

  // Regression: a matcher that may be an object or a "name=value" string was answered with the object form's
  // complaint ("must be object") whatever was wrong with the string given.
  it('answers a value that may take two forms with the form it has, or both', async () => {
    const silence = (matcher: unknown) => post('/api/v1/silences', { matchers: [matcher], comment: 'c', duration: '1h' });
    expect(await silence('a')).toEqual({ status: 400, message: 'Invalid body field "matchers.0": must NOT have fewer than 2 characters' });
    expect(await silence(5)).toEqual({ status: 400, message: 'Invalid body field "matchers.0": must be an object or a string' });
  });

  // Regression: these were answered with the raw pattern ('must match pattern "^(\\d+(\\.\\d+)?(ms|s|…'), not what to give.
  it('answers a value of the wrong shape with what the field takes', async () => {
    const replay = await app.inject({ method: 'GET', url: '/api/v1/alerts/backtest?rule=flow-stale&since=abc' });
    expect(replay.json().message).toBe(
      'Invalid querystring field "since": expected how far back to replay: a duration such as 24h or 7d (at most 90d), got "abc".',
    );
    expect(await post('/api/v1/remediations', { fingerprint: 'XYZ' })).toEqual({
      status: 400,
      message: 'Invalid body field "fingerprint": expected the alert fingerprint (16 hex digits), got "XYZ".',
    });
    const probe = await app.inject({ method: 'POST', url: '/api/v1/probes/CRM%20count/run', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(probe.json().message).toBe(
      'Invalid params field "id": expected an id from the catalog: lower-case letters, digits, and . _ - after the first, got "CRM count".',
    );
  });

  // Regression: a body over the limit was answered 413 with "error": "Bad Request", fastify's code and no limit.
  it('answers a body over the limit with the limit, in its own words', async () => {
    const r = await post('/api/v1/alerts/0123456789abcdef/ack', { note: 'x'.repeat(2 * 1024 * 1024) });
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/^The body is larger than \d+ bytes: send a smaller one\.$/);
  });
});
