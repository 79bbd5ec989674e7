import { describe, expect, it } from 'vitest';
import { redactAttribute, redactAttributes } from './attribute-secrets.ts';
import { redactParams, redactUrl, SECRET_QUERY_PARAMS } from './url-secrets.ts';

/** URLs with and without secrets; the WHATWG parser (node's URL) is the oracle of what each part is. */
const corpus = [
  'https://svc:S3cr3tPw@crm.internal/api/customers?api_key=K3yK3y',
  'https://svc:p%40ss@crm.internal:8443/api/customers',
  'https://ghp_t0k3n@github.com/acme/repo.git',
  'https://svc:@crm.internal/x',
  'https://:pw@crm.internal/x',
  'http://u:p@[::1]:8080/a/b?x=1&token=t0k&y=2#frag',
  'https://crm.internal/api/customers?page=2&sort=name',
  'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2013&X-Amz-Signature=abc123',
  'https://storage.googleapis.com/b/o?X-Goog-Signature=deadbeef&X-Goog-Expires=60',
  'https://acct.blob.core.windows.net/c/b?sv=2022&sig=abc%2Bdef%3D',
  'https://s3.amazonaws.com/b/o?AWSAccessKeyId=AKIA&Signature=xyz&Expires=1',
  'https://h/cb#access_token=abc&token_type=bearer',
  'https://h/x?API_KEY=k&Api%5Fkey=k2&transport=websocket',
  'http://a:b@c:d@host.example/p',
  'https://h/users/someone@example.com?q=1',
];

describe('redactUrl', () => {
  it.each(corpus)('keeps scheme, host, port and path of %s, and leaves no credential or secret parameter', (raw) => {
    const red = redactUrl(raw);
    const before = new URL(raw);
    const after = new URL(red);
    expect([after.protocol, after.host, after.pathname]).toEqual([before.protocol, before.host, before.pathname]);
    if (before.username !== '') expect(after.username).toBe('REDACTED');
    if (before.password !== '') expect(after.password).toBe('REDACTED');
    for (const params of [before.searchParams, new URLSearchParams(before.hash.slice(1))]) {
      const redParams = params === before.searchParams ? after.searchParams : new URLSearchParams(after.hash.slice(1));
      for (const [name, value] of params) {
        const secret = SECRET_QUERY_PARAMS.has(name.toLowerCase()) && value !== '';
        expect(redParams.getAll(name)).toContain(secret ? 'REDACTED' : value);
      }
    }
  });

  it('redacts user and password as the semantic conventions show', () => {
    expect(redactUrl('https://svc:S3cr3tPw@crm.internal/api/customers?api_key=K3yK3y')).toBe(
      'https://REDACTED:REDACTED@crm.internal/api/customers?api_key=REDACTED',
    );
    expect(redactUrl('https://svc:p%40ss@crm.internal/api')).toBe('https://REDACTED:REDACTED@crm.internal/api');
    expect(redactUrl('https://ghp_t0k3n@github.com/acme')).toBe('https://REDACTED@github.com/acme');
  });

  it('returns a URL without secrets byte for byte, the same string', () => {
    for (const raw of [
      'https://crm.internal/api/customers?page=2',
      'HTTP://Crm.Internal:80//a/../b?x#y',
      'https://h/users/a@b.com',
      'https://h/x?token&api_key=',
    ]) {
      expect(redactUrl(raw)).toBe(raw);
    }
  });

  it('never throws on a string that is no URL, and redacts what it can split', () => {
    for (const raw of ['', 'not a url', '%', '?%zz=1&token=%', '://@', 'http://[::1', 'https://u:p@', '@@@', '\u0000\uffff']) {
      expect(() => redactUrl(raw)).not.toThrow();
    }
    expect(redactUrl('https://u:p@')).toBe('https://REDACTED:REDACTED@');
    expect(redactUrl('?%zz=1&token=%')).toBe('?%zz=1&token=REDACTED');
    expect(redactUrl('not a url')).toBe('not a url');
    expect(redactUrl(' https://u:S3cr3tPw@h/x')).toBe(' https://REDACTED:REDACTED@h/x');
    expect(redactUrl('jdbc:mysql://u:S3cr3tPw@db1/x')).toBe('jdbc:mysql://REDACTED:REDACTED@db1/x');
  });
});

describe('redactParams', () => {
  it.each([
    ['token=t', 'token=REDACTED'],
    ['a=1&token=t', 'a=1&token=REDACTED'],
    ['token=t&a=1&key=k', 'token=REDACTED&a=1&key=REDACTED'],
    ['a=b=c&secret=x=y', 'a=b=c&secret=REDACTED'],
    ['&&token=t&', '&&token=REDACTED&'],
    ['token&token=&token=t', 'token&token=&token=REDACTED'],
    ['Token+=t&%74oken=u&to%ZZken=v', 'Token+=REDACTED&%74oken=REDACTED&to%ZZken=v'],
    ['a=1&b', 'a=1&b'],
    ['next=https://svc:S3cr3tPw@hook.internal/x&a=1', 'next=https://REDACTED:REDACTED@hook.internal/x&a=1'],
    ['cb=https%3A%2F%2Fsvc%3AS3cr3tPw%40hook.internal%2Fx', 'cb=https%3A%2F%2FREDACTED%3AREDACTED%40hook.internal%2Fx'],
    ['email=a@b.com&to=https://h/x@y', 'email=a@b.com&to=https://h/x@y'],
    ['bad=%E0%A4%A&u=https://u@h', 'bad=%E0%A4%A&u=https://REDACTED@h'],
    ['', ''],
  ])('%s → %s', (query, want) => {
    expect(redactParams(query)).toBe(want);
    // The same as URLSearchParams reads it: every secret value REDACTED, every other pair as it was.
    const before = [...new URLSearchParams(query)];
    const after = [...new URLSearchParams(redactParams(query))];
    // (A value holding a URL with credentials has them redacted, as the exact result above says.)
    const secret = (n: string, v: string) => SECRET_QUERY_PARAMS.has(n.trim().toLowerCase()) && v !== '';
    expect(after).toEqual(before.map(([n, v]) => [n, secret(n, v) ? 'REDACTED' : v.includes('@') ? expect.any(String) : v]));
    expect(JSON.stringify(after)).not.toContain('S3cr3tPw');
  });
});

describe('parameters past `&`', () => {
  it.each([
    ['url.full', 'https://h/p?a=1;api_key=K3yK3y', 'https://h/p?a=1;api_key=REDACTED'],
    ['url.full', 'https://h/p?a=1;token=T0k3n&b=2', 'https://h/p?a=1;token=REDACTED&b=2'],
    ['url.query', 'a=1;api_key=K3yK3y', 'a=1;api_key=REDACTED'],
    ['http.target', '/cb?a=1;access_token=T0k3n', '/cb?a=1;access_token=REDACTED'],
    ['url.full', 'https://h/p?a=1?token=T0k3n', 'https://h/p?a=1?token=REDACTED'],
    [
      'url.full',
      'https://h/cb?next=https://svc:S3cr3tPw@hook.internal/x?token=T0k3n&b=2',
      'https://h/cb?next=https://REDACTED:REDACTED@hook.internal/x?token=REDACTED&b=2',
    ],
    [
      'url.full',
      'https://h/cb?next=https%3A%2F%2Fh2%2Fx%3Fapi_key%3DK3yK3y%26page%3D2',
      'https://h/cb?next=https%3A%2F%2Fh2%2Fx%3Fapi_key%3DREDACTED%26page%3D2',
    ],
    ['url.full', 'https://h/socket.io/?token=a?transport=websocket', 'https://h/socket.io/?token=REDACTED?transport=websocket'],
    ['db.connection_string', 'app:S3cr3tPw@pg01:5432/orders', 'REDACTED:REDACTED@pg01:5432/orders'],
    ['db.connection_string', 'app@pg01:5432/orders', 'REDACTED@pg01:5432/orders'],
    ['db.connection_string', 'scott/S3cr3tPw@ora01:1521/orcl', 'REDACTED/REDACTED@ora01:1521/orcl'],
    [
      'db.connection_string',
      'app:S3cr3tPw@pg01:5432/orders?sslmode=require&password=S3cr3tPw',
      'REDACTED:REDACTED@pg01:5432/orders?sslmode=require&password=REDACTED',
    ],
  ])('%s %s → %s', (key, raw, want) => {
    expect(redactAttribute(key, raw)).toBe(want);
    expect(redactAttribute(key, want)).toBe(want);
  });

  it('keeps the path (a `;` there is part of the endpoint) and values without a secret', () => {
    for (const [key, raw] of [
      ['url.full', 'https://h/a;jsessionid=abc/b?x=1;y=2'],
      ['url.full', 'https://h/p?filter=a;b&sort=c?d'],
      ['db.connection_string', 'pg01:5432/orders'],
      ['db.connection_string', 'Server=db1;User Id=u@corp;Database=x'],
    ]) {
      expect(redactAttribute(key, raw)).toBe(raw);
    }
  });
});

describe('redactAttribute', () => {
  it('redacts the URL-valued attributes and no other', () => {
    expect(redactAttribute('http.url', 'https://svc:S3cr3tPw@crm.internal/api')).toBe('https://REDACTED:REDACTED@crm.internal/api');
    expect(redactAttribute('url.query', 'a=1&access_token=x')).toBe('a=1&access_token=REDACTED');
    expect(redactAttribute('http.target', '//u:p@h/x?password=pw')).toBe('//u:p@h/x?password=REDACTED');
    expect(redactAttribute('db.connection_string', 'postgresql://u:S3cr3tPw@pg01:5432/x')).toBe('postgresql://REDACTED:REDACTED@pg01:5432/x');
    expect(redactAttribute('db.connection_string', 'jdbc:mysql://u:pw@db1/x?password=pw')).toBe('jdbc:mysql://REDACTED:REDACTED@db1/x?password=REDACTED');
    expect(redactAttribute('db.connection_string', 'Server=db1;User Id=u;Password="a;b";Pwd=c')).toBe('Server=db1;User Id=u;Password=REDACTED;Pwd=REDACTED');
    expect(redactAttribute('server.address', 'u:p@h')).toBe('u:p@h');
    // A parameter's value that is a credential by its shape, whatever its name.
    expect(redactAttribute('url.full', 'https://h/cb?state=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl&x=1')).toBe('https://h/cb?state=REDACTED&x=1');
    expect(redactAttribute('url.full', 'https://h/cb?id=4bf92f3577b34da6a3ce929d0e0e4736')).toBe('https://h/cb?id=4bf92f3577b34da6a3ce929d0e0e4736');
    // Another key loses a URL's password and its secret parameters (value-secrets.ts), not its user alone.
    expect(redactAttribute('custom.url', 'https://u:p@h/?api_key=k')).toBe('https://REDACTED:REDACTED@h/?api_key=REDACTED');
    expect(redactAttribute('custom.url', 'https://u@h/')).toBe('https://u@h/');
  });

  it('is idempotent', () => {
    for (const raw of corpus) expect(redactAttribute('url.full', redactAttribute('url.full', raw))).toBe(redactAttribute('url.full', raw));
  });
});

describe('redactAttributes', () => {
  it('returns the same map when nothing changes, and a copy otherwise', () => {
    const clean = { 'url.full': 'https://h/a', 'http.request.method': 'GET' };
    expect(redactAttributes(clean)).toBe(clean);
    const raw = { 'url.full': 'https://u:p@h/a', 'http.request.method': 'GET' };
    expect({ ...redactAttributes(raw) }).toEqual({ 'url.full': 'https://REDACTED:REDACTED@h/a', 'http.request.method': 'GET' });
    expect(raw['url.full']).toBe('https://u:p@h/a');
  });
});
