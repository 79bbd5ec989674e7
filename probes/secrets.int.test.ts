import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyzer, type Analyzer } from '../analyzer/index.ts';
import { buildApiApp } from '../api/index.ts';
import type { ApiApp } from '../api/app.ts';
import type { Store } from '../clickhouse/index.ts';
import { openMigratedStore } from '../test/migrated-store.ts';
import type { ProbeSpec } from '../core/catalog/index.ts';
import { createLogger } from '../core/log/logger.ts';
import { createFindingStore } from '../findings/index.ts';
import { serviceAvailable } from '../test/services.ts';
import { startProbes, type ProbesRuntime } from './index.ts';
import { catalogOf, SYSTEMS_YAML } from './testing/fixtures.ts';

/**
 * Regression (issue 15, item 4): a probe whose secret shows up in a driver's error put it into
 * /api/v1/probes, findings, the audit, the log and ClickHouse. Real drivers against the machine's
 * PostgreSQL, MariaDB and RabbitMQ, and real HTTP servers; every surface is searched for every form of every secret.
 */
const up = (await serviceAvailable('PostgreSQL', 5432)) && (await serviceAvailable('MariaDB', 3306)) && (await serviceAvailable('RabbitMQ', 5672));

const env: Record<string, string> = {
  SECRETS_MY_DSN: 'mysql://SecretUs3rXyz:Pw-Secret-9876@127.0.0.1:3306/test',
  SECRETS_PG_DSN: 'postgres://SecretPgR0le@127.0.0.1:5432/secretdbQwerty',
  SECRETS_AMQP_URL: 'amqp://guest:Amqp-Secret-555@127.0.0.1:5672',
  SECRETS_NOT_A_URL: 'tok3nValueXy:admin',
  SECRETS_HTTP_TOKEN: 'HttpT0ken-abcdef-123456',
  SECRETS_HTTP_KEY: 'HttpK3y-qwerty-987',
  WEFT_API_TOKENS: 'AdminTok3n-zzzzzz:admin',
};
const secretParts = [
  'SecretUs3rXyz',
  'Pw-Secret-9876',
  'SecretPgR0le',
  'secretdbQwerty',
  'Amqp-Secret-555',
  'tok3nValueXy',
  'HttpT0ken-abcdef-123456',
  'HttpK3y-qwerty-987',
  'AdminTok3n-zzzzzz',
];
/** Each secret, its encodings, and its first and last eight characters (a cut-off secret is a leak too). */
const forms = secretParts.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64').replace(/=+$/, ''), s.slice(0, 8), s.slice(-8)]);
const leaks = (text: string) => forms.filter((f) => text.includes(f));

let dir: string;
let store: Store;
let probes: ProbesRuntime;
let analyzer: Analyzer;
let app: ApiApp;
let base: string;
let echo: Server;
let other: Server;
const otherSaw: IncomingHttpHeaders[] = [];
const log = { text: '' };

const listen = async (s: Server) => {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as { port: number }).port;
};

beforeAll(async () => {
  if (!up) return;
  dir = mkdtempSync(join(tmpdir(), 'secrets-leak-'));
  store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 400, recordDays: 730 });
  const findings = createFindingStore(store);
  // Another origin: it must never see the catalog's credential headers.
  other = createServer((req, res) => {
    otherSaw.push(req.headers);
    res.end('{"count": 1}');
  });
  const otherPort = await listen(other);
  // Echoes the credentials it got in a body that is not JSON, and redirects elsewhere on /away.
  echo = createServer((req, res) => {
    if (req.url?.startsWith('/away')) {
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/landed` }).end();
      return;
    }
    res.end(`you sent ${req.headers.authorization} and ${req.headers['x-api-key']} ${req.url}`);
  });
  const echoPort = await listen(echo);

  const catalog = catalogOf(`${SYSTEMS_YAML}probes:
  - { id: my-secret-dsn, kind: sql, system: erp, every: 1h, dsn: env:SECRETS_MY_DSN, query: "SELECT 1" }
  - { id: pg-secret-dsn, kind: sql, system: crm, every: 1h, dsn: env:SECRETS_PG_DSN, query: "select 1" }
  - { id: mq-secret-url, kind: amqp-queue, system: broker, every: 1h, url: env:SECRETS_AMQP_URL, queue: secrets_q }
  - { id: mq-not-a-url, kind: amqp-queue, system: broker, every: 1h, url: env:SECRETS_NOT_A_URL, queue: secrets_q }
  - { id: http-echo, kind: http, system: web, every: 1h, url: "http://127.0.0.1:${echoPort}/count?api_key=env:SECRETS_HTTP_KEY", count: $.count, headers: { authorization: "Bearer env:SECRETS_HTTP_TOKEN", x-api-key: env:SECRETS_HTTP_KEY } }
  - { id: http-away, kind: http, system: web, every: 1h, url: "http://127.0.0.1:${echoPort}/away", count: $.count, headers: { authorization: "Bearer env:SECRETS_HTTP_TOKEN", x-api-key: env:SECRETS_HTTP_KEY } }
`);
  // Validation refuses env:WEFT_*; a catalog that got past it anyway (an older Weft) meets the run-time guard.
  catalog.probes.push({ id: 'mq-weft-token', kind: 'amqp-queue', system: 'broker', every: '1h', url: 'env:WEFT_API_TOKENS', queue: 'q' } as ProbeSpec);
  const stream = new PassThrough();
  stream.on('data', (chunk) => (log.text += String(chunk)));
  const logger = createLogger('debug', stream);
  probes = startProbes({ store, catalog, logger, findings, env: (n) => env[n], scheduled: false });
  analyzer = startAnalyzer({
    store,
    catalog,
    loadCatalog: () => ({ catalog: catalog, warnings: [] }),
    logger,
    findings,
    config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0 },
    schedule: false,
  });
  app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger, services: { store, findings, analyzer, probes } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  if (!up) return;
  await app?.close();
  await probes?.stop();
  await analyzer?.stop();
  await store?.close();
  echo?.close();
  other?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!up)('secrets in probe errors, with real drivers', () => {
  it('fail for the reasons the drivers gave, named by reference', async () => {
    const first = await probes.runAll();
    await probes.runAll();
    const byId = new Map(first.results.map((s) => [s.probeId, s]));
    expect(byId.get('my-secret-dsn')).toMatchObject({
      ok: false,
      errorCode: 'auth',
      error: expect.stringContaining('MySQL/MariaDB at env:SECRETS_MY_DSN refused the credentials'),
    });
    expect(byId.get('pg-secret-dsn')).toMatchObject({ ok: false, error: expect.stringContaining('PostgreSQL at env:SECRETS_PG_DSN') });
    expect(byId.get('mq-secret-url')).toMatchObject({
      ok: false,
      errorCode: 'auth',
      error: expect.stringContaining('RabbitMQ at env:SECRETS_AMQP_URL refused the credentials'),
    });
    expect(byId.get('mq-not-a-url')).toMatchObject({
      ok: false,
      errorCode: 'config',
      error: expect.stringContaining('the value of env:SECRETS_NOT_A_URL is not an amqp:// or amqps:// URL'),
    });
    expect(byId.get('mq-weft-token')).toMatchObject({
      ok: false,
      errorCode: 'config',
      error: expect.stringContaining("names one of Weft's own settings (WEFT_*)"),
    });
    expect(byId.get('http-echo')).toMatchObject({ ok: false, errorCode: 'response', error: expect.stringContaining('not JSON ("you sent Bearer ***') });
    expect(byId.get('http-away')).toMatchObject({ ok: true, value: 1 });
    for (const s of first.results) expect(leaks(s.error), s.probeId).toEqual([]);
  });

  it('never forwards a credential header across origins on a redirect', () => {
    expect(otherSaw.length).toBeGreaterThan(0);
    for (const h of otherSaw) {
      expect(h.authorization).toBeUndefined();
      expect(h['x-api-key']).toBeUndefined();
    }
  });

  it('shows no part of any secret in /probes, samples, findings, the audit, or /catalog', async () => {
    await probes.evaluate();
    const findings = await (await fetch(`${base}/api/v1/findings?status=open`)).text();
    expect(findings).toContain('probe-failing');
    for (const path of [
      '/api/v1/probes',
      '/api/v1/probes/my-secret-dsn/samples',
      '/api/v1/probes/http-echo/samples',
      '/api/v1/findings?status=open',
      '/api/v1/audit?since=1h',
      '/api/v1/catalog',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(leaks(await res.text()), path).toEqual([]);
    }
  });

  it('leaves no part of any secret in ClickHouse or the log', async () => {
    const tables = await (
      await store.client.query({
        query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT LIKE '%View%'",
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    expect(tables.map((t) => t.name)).toContain('probe_samples');
    let stored = '';
    for (const { name } of tables) stored += await (await store.client.query({ query: `SELECT * FROM \`${name}\``, format: 'JSONEachRow' })).text();
    expect(stored).toContain('env:SECRETS_MY_DSN');
    expect(leaks(stored)).toEqual([]);
    expect(log.text).toContain('probe failed');
    expect(leaks(log.text)).toEqual([]);
  });
});
