import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyzer, type Analyzer } from '../../analyzer/index.ts';
import { baseCatalogYaml } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { ApiApp } from '../app.ts';
import { buildApiApp } from '../index.ts';

/** The secrets a tester put in span attributes; none may be stored or shown. */
const SECRETS = ['S3cr3tPw', 'K3yK3y', 'p%40ss', 'p@ss', 'T0k3nT0k3n', 'ghp_t0k3n', 'S1gS1g'];

/** One integration run: reads crm, writes erp and a database, with the URLs `url` gives (secret or clean). */
const run = (url: (secret: string, clean: string) => string): SpanSpec => ({
  name: 'sync customers',
  children: [
    {
      name: 'GET',
      kind: api.SpanKind.CLIENT,
      attributes: {
        'http.method': 'GET',
        'http.url': url('https://svc:S3cr3tPw@crm.internal/api/customers?api_key=K3yK3y&page=2', 'https://crm.internal/api/customers?page=2'),
      },
      events: [{ name: 'redirect', attributes: { 'url.full': url('https://ghp_t0k3n@crm.internal/api/v2', 'https://crm.internal/api/v2') } }],
    },
    {
      name: 'POST',
      kind: api.SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'url.full': url('https://svc:p%40ss@erp.internal:8443/api/orders?token=T0k3nT0k3n&sig=S1gS1g&x', 'https://erp.internal:8443/api/orders?x'),
      },
    },
    {
      name: 'INSERT x.orders',
      kind: api.SpanKind.CLIENT,
      attributes: {
        'db.system': 'postgresql',
        'db.name': 'x',
        'db.statement': 'INSERT INTO orders VALUES (1)',
        'server.address': 'pg01',
        'server.port': 5432,
        'db.connection_string': url('postgresql://u:S3cr3tPw@pg01:5432/x', 'postgresql://pg01:5432/x'),
      },
    },
  ],
});

/** A JWT (its signature is what must not be stored). */
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZW5hbnQifQ.Jw7S1gJw7S1gJw7S1gJw7S1gJw7S1g';

/** Secrets that are not in URLs: recorded headers, keys that name a secret, statements, URL forms past `&`, credentials by their shape. */
const OTHER_SECRETS = ['B3ar3rT0k', 'C00k1eS1d', 'K3yK3y', 'S3cr3tPw', 'T0k3nT0k3n', 'Cl13ntS3c', 'Jw7S1g', Buffer.from('svc:S3cr3tPw').toString('base64')];

/** One run with the secrets (`secret` true) or its twin without them: headers, named keys and statements absent or harmless. */
const otherRun = (secret: boolean): SpanSpec => ({
  name: 'provision tenant',
  attributes: secret ? { 'app.client_secret': 'Cl13ntS3c', 'tenant.token_count': 3 } : { 'tenant.token_count': 3 },
  children: [
    {
      name: 'GET',
      kind: api.SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'GET',
        'url.full': secret ? 'https://crm.internal/api/customers?page=2;api_key=K3yK3y' : 'https://crm.internal/api/customers?page=2',
        ...(secret
          ? {
              'http.request.header.authorization': ['Bearer B3ar3rT0k'],
              'http.request.header.cookie': ['sid=C00k1eS1d'],
              'http.request.header.x-api-key': ['K3yK3y'],
              'http.response.header.set-cookie': ['sid=C00k1eS1d; HttpOnly', 'theme=dark'],
              'my.token': 'T0k3nT0k3n',
              // Keys that say nothing: the values are recognisable credentials.
              'upstream.auth': `Basic ${Buffer.from('svc:S3cr3tPw').toString('base64')}`,
              'session.id': JWT,
              'deploy.note': 'cloned https://ci:S3cr3tPw@git.internal/repo',
            }
          : {}),
        'http.request.header.accept': ['application/json'],
      },
    },
    {
      name: 'ALTER ROLE',
      kind: api.SpanKind.CLIENT,
      attributes: {
        'db.system': 'postgresql',
        'db.name': 'tenants',
        'server.address': 'pg01',
        'server.port': 5432,
        'db.statement': secret ? "ALTER ROLE app WITH PASSWORD 'S3cr3tPw' VALID UNTIL 'infinity'" : "ALTER ROLE app VALID UNTIL 'infinity'",
        'db.connection_string': secret ? 'app:S3cr3tPw@pg01:5432/tenants' : 'pg01:5432/tenants',
      },
    },
    {
      name: 'sync orders',
      status: secret
        ? { code: api.SpanStatusCode.ERROR, message: 'login failed: postgresql://app:S3cr3tPw@pg01/x' }
        : { code: api.SpanStatusCode.ERROR, message: 'login failed' },
      attributes: secret ? { 'process.command_line': 'sync --db-password S3cr3tPw --port 5432', 'process.command_args': ['mysql', '-pS3cr3tPw', 'x'] } : {},
      events: [
        {
          name: 'exception',
          attributes: {
            'exception.type': 'AuthError',
            'exception.message': secret ? 'login refused for Password=S3cr3tPw;' : 'login refused',
            'exception.stacktrace': secret ? 'AuthError: token=T0k3nT0k3n\n    at login (auth.js:3)' : 'AuthError\n    at login (auth.js:3)',
          },
        },
      ],
    },
    {
      name: 'AUTH',
      kind: api.SpanKind.CLIENT,
      attributes: {
        'db.system': 'redis',
        'server.address': 'cache01',
        'server.port': 6379,
        'db.statement': secret ? 'AUTH default S3cr3tPw' : 'AUTH default',
      },
    },
    {
      name: 'INSERT tenants.users',
      kind: api.SpanKind.CLIENT,
      attributes: {
        'db.system': 'mysql',
        'db.name': 'tenants',
        'server.address': 'my01',
        'db.statement': secret ? "INSERT INTO users (name, password_hash) VALUES ('x', 'S3cr3tPw')" : "INSERT INTO users (name) VALUES ('x')",
      },
    },
  ],
});

describe('secrets in span attributes (URLs, recorded headers, keys that name a secret, statements) are never stored nor shown', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let app: ApiApp;
  const query = <T>(q: string, params: Record<string, unknown> = {}) =>
    h.store.client.query({ query: q, query_params: params, format: 'JSONEachRow' }).then((r) => r.json<T>());
  const touches = (id: string) =>
    query<{ reads: unknown[]; writes: unknown[]; unknowns: unknown[] }>(
      'SELECT arraySort(groupUniqArrayArray(reads)) AS reads, arraySort(groupUniqArrayArray(writes)) AS writes, arraySort(groupUniqArrayArray(unknowns)) AS unknowns FROM weft_trace_touch_sets WHERE trace_id = {id:String}',
      { id },
    ).then((r) => r[0]);
  const view = async (id: string) => {
    const r = await app.inject({ method: 'GET', url: `/api/v1/traces/${id}` });
    expect(r.statusCode).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    h = await startHarness();
    const catalogFile = join(h.dir, 'estate.yaml');
    writeFileSync(catalogFile, baseCatalogYaml);
    analyzer = startAnalyzer({
      store: h.store,
      catalog: loadCatalog([catalogFile]),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0 },
      schedule: false,
    });
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: h.store, analyzer } });
  });
  afterAll(async () => {
    await app?.close();
    await analyzer?.stop();
    await h?.close();
  });

  it.each(['proto', 'json'] as const)('over OTLP/%s: stored redacted, shown redacted, endpoints the same as without the secrets', async (protocol) => {
    const [secret, clean] = await sendSpans({ url: h.collector.url, protocol, serviceName: `order-sync-${protocol}` }, [run((s) => s), run((_, c) => c)]);
    await h.collector.flush();
    const rows = await query<{ name: string; attributes: Record<string, string>; events: Record<string, string>[] }>(
      'SELECT SpanName AS name, SpanAttributes AS attributes, Events.Attributes AS events FROM otel_traces WHERE TraceId = {id:String}',
      { id: secret },
    );
    expect(rows).toHaveLength(4);
    const stored = JSON.stringify(rows);
    for (const s of SECRETS) expect(stored).not.toContain(s);
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('GET')!.attributes['http.url']).toBe('https://REDACTED:REDACTED@crm.internal/api/customers?api_key=REDACTED&page=2');
    expect(byName.get('GET')!.events[0]['url.full']).toBe('https://REDACTED@crm.internal/api/v2');
    expect(byName.get('POST')!.attributes['url.full']).toBe('https://REDACTED:REDACTED@erp.internal:8443/api/orders?token=REDACTED&sig=REDACTED&x');
    expect(byName.get('INSERT x.orders')!.attributes['db.connection_string']).toBe('postgresql://REDACTED:REDACTED@pg01:5432/x');

    const body = await view(secret);
    for (const s of SECRETS) expect(body).not.toContain(s);
    expect(body).toContain('https://REDACTED:REDACTED@crm.internal/api/customers?api_key=REDACTED&page=2');

    // The endpoints (and so the flow edges) are those of the same run without secrets: host and path unchanged.
    const [withSecrets, without] = [await touches(secret), await touches(clean)];
    expect(withSecrets.reads.length + withSecrets.writes.length).toBeGreaterThanOrEqual(3);
    expect(withSecrets).toEqual(without);
    expect(JSON.stringify(withSecrets)).toContain('crm.internal');
    expect(JSON.stringify(withSecrets)).toContain('erp.internal:8443');
  });

  it.each(['proto', 'json'] as const)(
    'over OTLP/%s: headers, keys that name a secret and statements stored redacted, shown redacted, endpoints the same',
    async (protocol) => {
      const [secret, clean] = await sendSpans({ url: h.collector.url, protocol, serviceName: `tenant-sync-${protocol}` }, [otherRun(true), otherRun(false)]);
      await h.collector.flush();
      const rows = await query<{ name: string; attributes: Record<string, string>; status: string; events: Record<string, string>[] }>(
        'SELECT SpanName AS name, SpanAttributes AS attributes, StatusMessage AS status, Events.Attributes AS events FROM otel_traces WHERE TraceId = {id:String}',
        { id: secret },
      );
      expect(rows).toHaveLength(6);
      const stored = JSON.stringify(rows);
      for (const s of OTHER_SECRETS) expect(stored).not.toContain(s);
      const byName = new Map(rows.map((r) => [r.name, r.attributes]));
      const sync = rows.find((r) => r.name === 'sync orders')!;
      expect(sync.status).toBe('login failed: postgresql://REDACTED:REDACTED@pg01/x');
      expect(sync.attributes).toMatchObject({
        'process.command_line': 'sync --db-password REDACTED --port 5432',
        'process.command_args': '["mysql","-pREDACTED","x"]',
      });
      expect(sync.events[0]).toMatchObject({
        'exception.message': 'login refused for Password=REDACTED;',
        'exception.stacktrace': 'AuthError: token=REDACTED\n    at login (auth.js:3)',
      });
      expect(byName.get('provision tenant')).toMatchObject({ 'app.client_secret': 'REDACTED', 'tenant.token_count': '3' });
      expect(byName.get('GET')).toMatchObject({
        'url.full': 'https://crm.internal/api/customers?page=2;api_key=REDACTED',
        'http.request.header.authorization': '["REDACTED"]',
        'http.request.header.cookie': '["REDACTED"]',
        'http.request.header.x-api-key': '["REDACTED"]',
        'http.response.header.set-cookie': '["REDACTED","REDACTED"]',
        'http.request.header.accept': '["application/json"]',
        'my.token': 'REDACTED',
        'upstream.auth': 'Basic REDACTED',
        'session.id': 'REDACTED',
        'deploy.note': 'cloned https://REDACTED:REDACTED@git.internal/repo',
      });
      expect(byName.get('ALTER ROLE')).toMatchObject({
        'db.statement': "ALTER ROLE app WITH PASSWORD 'REDACTED' VALID UNTIL 'infinity'",
        'db.connection_string': 'REDACTED:REDACTED@pg01:5432/tenants',
      });
      expect(byName.get('AUTH')!['db.statement']).toBe('AUTH REDACTED REDACTED');
      expect(byName.get('INSERT tenants.users')!['db.statement']).toBe("INSERT INTO users (name, password_hash) VALUES ('x', 'REDACTED')");

      const body = await view(secret);
      for (const s of OTHER_SECRETS) expect(body).not.toContain(s);
      expect(body).toContain("ALTER ROLE app WITH PASSWORD 'REDACTED'");

      const [withSecrets, without] = [await touches(secret), await touches(clean)];
      // The crm read, the MySQL write, and the PostgreSQL and Redis touches (no direction: ALTER and AUTH say none).
      expect(withSecrets.reads.length + withSecrets.writes.length + withSecrets.unknowns.length).toBe(4);
      expect(withSecrets).toEqual(without);
    },
  );

  it('redacts in the trace view a row another writer stored raw in otel_traces', async () => {
    const traceId = 'ab'.repeat(16);
    await h.store.client.command({
      query: `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ServiceName, SpanName, SpanKind, StatusMessage, SpanAttributes, ResourceAttributes, \`Events.Timestamp\`, \`Events.Name\`, \`Events.Attributes\`)
        VALUES (now64(9), '${traceId}', '0123456789abcdef', 'raw-writer', 'GET', 'Client', 'failed: amqp://guest:S3cr3tPw@mq01/',
          map('http.url', 'https://svc:S3cr3tPw@crm.internal/api/customers?api_key=K3yK3y', 'url.full', 'https://crm.internal/a?page=1', 'db.connection_string', 'Server=pg01;Password=S3cr3tPw',
            'http.request.header.authorization', '["Bearer T0k3nT0k3n"]', 'db.statement', 'CREATE USER app WITH PASSWORD ''S3cr3tPw''', 'app.api_key', 'K3yK3y', 'token_count', '7',
            'app.auth_header', 'Bearer T0k3nT0k3n', 'app.session', '${JWT}', 'order.id', 'ORD-2026-000042',
            'http.request.body', '{"user":"app","password":"S3cr3tPw"}'),
          map('service.name', 'raw-writer', 'url.full', 'https://u:p%40ss@h/', 'process.command_line', 'sync --token T0k3nT0k3n'),
          [now64(9)], ['e'], [map('url.full', 'https://x/?X-Goog-Signature=S1gS1g', 'exception.message', 'refused: password=S3cr3tPw')])`,
    });
    const body = await view(traceId);
    for (const s of [...SECRETS, 'Jw7S1g']) expect(body).not.toContain(s);
    const span = (
      JSON.parse(body) as {
        spans: {
          attributes: Record<string, string>;
          resource: Record<string, string>;
          statusMessage: string;
          events: { attributes: Record<string, string> }[];
        }[];
      }
    ).spans[0];
    expect(span.attributes).toEqual({
      'http.url': 'https://REDACTED:REDACTED@crm.internal/api/customers?api_key=REDACTED',
      'url.full': 'https://crm.internal/a?page=1',
      'db.connection_string': 'Server=pg01;Password=REDACTED',
      'http.request.header.authorization': '["REDACTED"]',
      'db.statement': "CREATE USER app WITH PASSWORD 'REDACTED'",
      'app.api_key': 'REDACTED',
      token_count: '7',
      'app.auth_header': 'Bearer REDACTED',
      'app.session': 'REDACTED',
      'order.id': 'ORD-2026-000042',
      'http.request.body': '{"user":"app","password":"REDACTED"}',
    });
    expect(span.resource['url.full']).toBe('https://REDACTED:REDACTED@h/');
    expect(span.resource['process.command_line']).toBe('sync --token REDACTED');
    expect(span.events[0].attributes['url.full']).toBe('https://x/?X-Goog-Signature=REDACTED');
    expect(span.events[0].attributes['exception.message']).toBe('refused: password=REDACTED');
    expect(span.statusMessage).toBe('failed: amqp://REDACTED:REDACTED@mq01/');
  });

  /** [key, value another writer stored, the value the trace view shows]: the siblings of the secrets above. */
  const RAW_SIBLINGS: [string, string, string][] = [
    ['db.statement', "SELECT 'it''s postgres://u:p@S3cr3tPw@pg01/x'", "SELECT 'it''s postgres://REDACTED:REDACTED@pg01/x'"],
    ['upstream.auth', 'NTLM TlRMTVNTUAADAAAAGAAYAEgAAAAYABgAYAAAAA==', 'NTLM REDACTED'],
    ['llm.config', 'sk-ant-api03-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv-AA', 'REDACTED'],
    [
      'url.full',
      'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/XyZ123abcDEF456ghiJKL789',
      'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/REDACTED',
    ],
    ['url.path', '/api/keys/ak_live_2x9QmZ8pLk3', '/api/keys/REDACTED'],
    ['app.download_url', 'https://b.s3.amazonaws.com/o?X-Amz-Signature=ab12cd34ef&x=1', 'https://b.s3.amazonaws.com/o?X-Amz-Signature=REDACTED&x=1'],
    // No secret: kept byte for byte.
    [
      'app.customer_url',
      'https://crm.internal/api/customers/3fa85f64-5717-4562-b3fc-2c963f66afa6',
      'https://crm.internal/api/customers/3fa85f64-5717-4562-b3fc-2c963f66afa6',
    ],
    ['order.id', 'ORD-2026-000042', 'ORD-2026-000042'],
  ];

  it('redacts in the trace view the siblings of those secrets in a row another writer stored raw', async () => {
    const traceId = 'cd'.repeat(16);
    const lit = (v: string) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
    const attrs = RAW_SIBLINGS.map(([k, v]) => `${lit(k)}, ${lit(v)}`).join(', ');
    await h.store.client.command({
      query: `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ServiceName, SpanName, SpanKind, SpanAttributes, \`Events.Timestamp\`, \`Events.Name\`, \`Events.Attributes\`)
        VALUES (now64(9), '${traceId}', '0123456789abcdef', 'raw-writer', 'GET https://api.example.com/v1/export?token=T0k3nT0k3n', 'Client', map(${attrs}),
          [now64(9)], ['redirect to /reset-password/8f2c1e0b9a7d4c3e'], [map()])`,
    });
    const body = await view(traceId);
    for (const s of ['S3cr3tPw', 'TlRMTVNT', 'Ab1Cd2Ef3Gh4', 'XyZ123abc', 'ak_live_2x9QmZ8pLk3', 'ab12cd34ef', 'T0k3nT0k3n', '8f2c1e0b9a7d4c3e'])
      expect(body).not.toContain(s);
    const span = (JSON.parse(body) as { spans: { name: string; attributes: Record<string, string>; events: { name: string }[] }[] }).spans[0];
    expect(span.attributes).toEqual(Object.fromEntries(RAW_SIBLINGS.map(([k, , want]) => [k, want])));
    expect(span.name).toBe('GET https://api.example.com/v1/export?token=REDACTED');
    expect(span.events[0].name).toBe('redirect to /reset-password/REDACTED');
  });
});
