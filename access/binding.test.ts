import { describe, expect, it } from 'vitest';
import { assertSafeBinding, untrustedProxyWarning } from './binding.ts';
import { Credentials } from './credentials.ts';
import { listenerGuard } from './guard.ts';

const admin = { token: 'binding-admin-token-0123456789', role: 'admin' as const, name: 'ops', source: 'WEFT_API_TOKENS' as const };

describe('binding and no-token mode', () => {
  it('refuses to bind beyond loopback while no token exists, and says how to make one', async () => {
    const none = await Credentials.create();
    await expect(assertSafeBinding(none, [{ what: 'API', host: '0.0.0.0' }])).rejects.toThrow(/The API binds to 0.0.0.0.*weft token create.*WEFT_API_TOKENS/);
    await expect(assertSafeBinding(none, [{ what: 'collector', host: '10.0.0.5' }])).rejects.toThrow(/WEFT_INGEST_TOKENS/);
    await expect(
      assertSafeBinding(none, [
        { what: 'API', host: '127.0.0.1' },
        { what: 'collector', host: '::1' },
      ]),
    ).resolves.toBeUndefined();
    await expect(assertSafeBinding(await Credentials.create({ configured: [admin] }), [{ what: 'API', host: '0.0.0.0' }])).resolves.toBeUndefined();
  });

  // Regression: with --public-name (Weft behind a proxy) and no token, a request through the proxy was `local`, admin,
  // and could make itself an admin token; so could one from any proxy on this machine that forwards from elsewhere.
  it('never runs the API in no-token mode behind a proxy: public names need a token, forwarded requests are refused', async () => {
    const none = await Credentials.create();
    await expect(assertSafeBinding(none, [{ what: 'API', host: '127.0.0.1' }], ['weft.example.com'])).rejects.toThrow(
      /The API is reached as weft.example.com \(WEFT_PUBLIC_NAMES\), through a proxy, beyond this machine, and no token for it exists: create one first/,
    );
    await expect(assertSafeBinding(none, [{ what: 'collector', host: '127.0.0.1' }], ['weft.example.com'])).resolves.toBeUndefined();
    const proxied = listenerGuard(none, { host: '127.0.0.1', kind: 'api', publicNames: ['weft.example.com'] });
    expect(await proxied.check({ method: 'GET', headers: { host: 'weft.example.com' } }, 'read')).toMatchObject({ ok: false, error: { statusCode: 401 } });
    const local = listenerGuard(none, { host: '127.0.0.1', kind: 'api' });
    for (const [name, value] of [
      ['x-forwarded-for', '203.0.113.9'],
      ['forwarded', 'for=203.0.113.9'],
      ['x-real-ip', '203.0.113.9'],
      ['x-forwarded-host', 'weft.example.com'],
    ])
      expect(await local.check({ method: 'GET', headers: { host: '127.0.0.1:3000', [name]: value } }, 'read'), name).toMatchObject({
        ok: false,
        error: { statusCode: 403, code: 'WEFT_ERR_PROXIED' },
      });
    const collector = listenerGuard(none, { host: '127.0.0.1', kind: 'collector' });
    const refused = await collector.check({ method: 'POST', headers: { host: '127.0.0.1', 'x-forwarded-for': '203.0.113.9' } }, 'ingest');
    expect(refused).toMatchObject({ ok: false, error: { code: 'WEFT_ERR_PROXIED' } });
    // Regression: the collector said to create an admin token, which does not end its no-token mode (an ingest token does).
    expect(refused.ok ? '' : refused.error.message).toContain('Create an ingest token ("weft token create --role ingest --name NAME", or WEFT_INGEST_TOKENS)');
    const api = await local.check({ method: 'GET', headers: { host: '127.0.0.1:3000', 'x-forwarded-for': '203.0.113.9' } }, 'read');
    expect(api.ok ? '' : api.error.message).toContain('Create an admin token');
    // With a token, a proxied request is judged by its token like any other.
    const withAdmin = listenerGuard(await Credentials.create({ configured: [admin] }), { host: '127.0.0.1', kind: 'api' });
    expect(
      await withAdmin.check(
        { method: 'GET', headers: { host: '127.0.0.1', 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${admin.token}` } },
        'read',
      ),
    ).toMatchObject({ ok: true, identity: { name: 'ops' } });
  });

  it('never runs in no-token mode off loopback: without tokens every request is refused there', async () => {
    const none = await Credentials.create();
    const exposed = listenerGuard(none, { host: '0.0.0.0', kind: 'api' });
    expect(await exposed.check({ method: 'GET', headers: { host: 'weft.example' } }, 'read')).toMatchObject({ ok: false, error: { statusCode: 401 } });
    const local = listenerGuard(none, { host: '127.0.0.1', kind: 'api' });
    expect(await local.check({ method: 'GET', headers: { host: '127.0.0.1:3000' } }, 'read')).toEqual({
      ok: true,
      identity: { name: 'local', role: 'admin', via: 'local' },
    });
  });

  it('ends no-token mode per listener: an API token does not cut off exporters, an ingest token does not close the API', async () => {
    const ingestOnly = await Credentials.create({ configured: [{ ...admin, role: 'ingest', source: 'WEFT_INGEST_TOKENS' }] });
    const adminOnly = await Credentials.create({ configured: [admin] });
    const get = { method: 'GET', headers: { host: '127.0.0.1' } };
    const post = { method: 'POST', headers: { host: '127.0.0.1', 'content-type': 'application/json' } };
    expect(await listenerGuard(adminOnly, { host: '127.0.0.1', kind: 'collector' }).check(post, 'ingest')).toMatchObject({
      ok: true,
      identity: { name: 'local' },
    });
    expect(await listenerGuard(adminOnly, { host: '127.0.0.1', kind: 'api' }).check(get, 'read')).toMatchObject({ ok: false, error: { statusCode: 401 } });
    expect(await listenerGuard(ingestOnly, { host: '127.0.0.1', kind: 'api' }).check(get, 'read')).toMatchObject({ ok: true, identity: { name: 'local' } });
    expect(await listenerGuard(ingestOnly, { host: '127.0.0.1', kind: 'collector' }).check(post, 'ingest')).toMatchObject({
      ok: false,
      error: { statusCode: 401 },
    });
    // Off loopback, an admin token alone is enough to start the collector: only admins may ingest then.
    await expect(assertSafeBinding(adminOnly, [{ what: 'collector', host: '0.0.0.0' }])).resolves.toBeUndefined();
    await expect(assertSafeBinding(ingestOnly, [{ what: 'API', host: '0.0.0.0' }])).rejects.toThrow(/The API binds to 0.0.0.0/);
  });

  it('with tokens, checks Host only when public names are configured', async () => {
    const credentials = await Credentials.create({ configured: [admin] });
    const auth = { authorization: `Bearer ${admin.token}` };
    const anyHost = listenerGuard(credentials, { host: '0.0.0.0', kind: 'api' });
    expect(await anyHost.check({ method: 'GET', headers: { host: 'weft.example', ...auth } }, 'read')).toMatchObject({ ok: true, identity: { name: 'ops' } });
    const named = listenerGuard(credentials, { host: '0.0.0.0', publicNames: ['weft.internal'], kind: 'api' });
    expect(await named.check({ method: 'GET', headers: { host: 'weft.internal:443', ...auth } }, 'read')).toMatchObject({ ok: true });
    expect(await named.check({ method: 'GET', headers: { host: 'weft.example', ...auth } }, 'read')).toMatchObject({
      ok: false,
      error: { code: 'WEFT_ERR_FOREIGN_HOST' },
    });
    // A proxy's public name may change scheme and port in Origin.
    const post = (origin: string) =>
      named.check({ method: 'POST', headers: { host: 'weft.internal:3000', origin, 'content-type': 'application/json', ...auth } }, 'run');
    expect(await post('https://weft.internal')).toMatchObject({ ok: true });
    expect(await post('https://evil.example')).toMatchObject({ ok: false, error: { code: 'WEFT_ERR_CROSS_SITE' } });
  });

  // Regression (break test): a viewer's POST without Content-Type (or an unknown token's) was answered 415 "send
  // Content-Type: application/json"; sent so, it was refused 403 (or 401) all the same. Who may do it is said first.
  it('says a missing or lacking token before the type of a write, and checks the type for those who may write', async () => {
    const viewer = { ...admin, token: 'binding-viewer-token-0123456789', role: 'viewer' as const, name: 'vi' };
    const credentials = await Credentials.create({ configured: [admin, viewer] });
    const guard = listenerGuard(credentials, { host: '127.0.0.1', kind: 'api' });
    const post = (token: string, headers: Record<string, string> = {}) =>
      guard.check({ method: 'POST', headers: { host: '127.0.0.1:3000', authorization: `Bearer ${token}`, ...headers } }, 'run');
    expect(await post(viewer.token)).toMatchObject({ ok: false, error: { statusCode: 403, code: 'WEFT_ERR_FORBIDDEN' } });
    expect(await post('not-a-token-0123456789')).toMatchObject({ ok: false, error: { statusCode: 401 } });
    expect(await post(admin.token)).toMatchObject({ ok: false, error: { statusCode: 415, code: 'WEFT_ERR_MEDIA_TYPE' } });
    expect(await post(admin.token, { 'content-type': 'text/plain' })).toMatchObject({ ok: false, error: { statusCode: 415 } });
    expect(await post(admin.token, { 'content-type': 'application/json', origin: 'https://evil.example' })).toMatchObject({
      ok: false,
      error: { code: 'WEFT_ERR_CROSS_SITE' },
    });
    expect(await post(admin.token, { 'content-type': 'application/json' })).toMatchObject({ ok: true, identity: { name: 'ops' } });
  });

  it('warns when the API is reached through a proxy (public names) that it does not trust: all its clients would share one count of wrong tokens', () => {
    expect(untrustedProxyWarning(['weft.example.com'], [])).toMatch(
      /^The API is reached as weft\.example\.com \(WEFT_PUBLIC_NAMES\), through a proxy, and no proxy is trusted: .* Set WEFT_TRUSTED_PROXIES \(--trusted-proxies\)/,
    );
    expect(untrustedProxyWarning(['weft.example.com'], ['127.0.0.1'])).toBeUndefined();
    expect(untrustedProxyWarning([], [])).toBeUndefined();
  });
});
