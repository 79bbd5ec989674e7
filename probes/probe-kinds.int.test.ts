import { createServer, type Server } from 'node:http';
import amqp from 'amqplib';
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log/logger.ts';
import { serviceAvailable } from '../test/services.ts';
import { startProbes, type ProbesRuntime } from './index.ts';
import { catalogOf, closedPort, SYSTEMS_YAML, uniqueName } from './testing/fixtures.ts';

const up = {
  pg: await serviceAvailable('PostgreSQL', 5432),
  my: await serviceAvailable('MariaDB', 3306),
  amqp: await serviceAvailable('RabbitMQ', 5672),
  nats: await serviceAvailable('NATS', 4222),
};
const SECRET_TOKEN = 'tok-3f9a81c2-very-secret';
const WRONG_PASSWORD = 'pw-77e1b0-not-the-password';
const table = uniqueName('weft_probe');
const queue = uniqueName('weft.probe.q');
const stream = uniqueName('WEFT_PROBE').toUpperCase();
const env: Record<string, string> = {
  PG_DSN: 'postgres://postgres@127.0.0.1:5432/test',
  MY_DSN: 'mysql://root@127.0.0.1:3306/test',
  MY_BAD_PASSWORD: WRONG_PASSWORD,
  API_TOKEN: SECRET_TOKEN,
  AMQP_BAD_PASSWORD: WRONG_PASSWORD,
  AMQP_PASSWORD: 'guest',
};

let http: Server;
let httpPort = 0;
let down = 0;
let probes: ProbesRuntime;

function catalogYaml(): string {
  const base = `http://127.0.0.1:${httpPort}`;
  return `${SYSTEMS_YAML}probes:
  - { id: pg-count, kind: sql, system: crm, domain: customer, every: 1h, timeout: 5s, dsn: env:PG_DSN, query: "select count(*) as customers from ${table}" }
  - { id: my-count, kind: sql, system: erp, domain: customer, every: 1h, timeout: 5s, dsn: env:MY_DSN, query: "SELECT COUNT(*) AS customers, MAX(id) AS top FROM ${table}" }
  - { id: pg-down, kind: sql, system: crm, every: 1h, timeout: 3s, url: "postgres://postgres@127.0.0.1:${down}/test", query: "select 1" }
  - { id: pg-slow, kind: sql, system: crm, every: 1h, timeout: 500ms, dsn: env:PG_DSN, query: "select pg_sleep(3), 1 as n" }
  - { id: pg-badcreds, kind: sql, system: crm, every: 1h, timeout: 3s, url: "postgres://no_such_weft_user@127.0.0.1:5432/test", query: "select 1" }
  - { id: pg-badquery, kind: sql, system: crm, every: 1h, timeout: 3s, dsn: env:PG_DSN, query: "select count(*) from no_such_table_weft" }
  - { id: pg-nonsense, kind: sql, system: crm, every: 1h, timeout: 3s, dsn: env:PG_DSN, query: "select 'hello' as greeting" }
  - { id: pg-nodsn, kind: sql, system: crm, every: 1h, timeout: 3s, dsn: env:NOT_SET_ANYWHERE, query: "select 1" }
  - { id: my-down, kind: sql, system: erp, every: 1h, timeout: 3s, url: "mysql://root@127.0.0.1:${down}/test", query: "SELECT 1" }
  - { id: my-slow, kind: sql, system: erp, every: 1h, timeout: 500ms, dsn: env:MY_DSN, query: "SELECT COUNT(*) FROM ${table} WHERE SLEEP(3) = 0" }
  - { id: my-badcreds, kind: sql, system: erp, every: 1h, timeout: 3s, url: "mysql://root@127.0.0.1:3306/test", password: env:MY_BAD_PASSWORD, query: "SELECT 1" }
  - { id: my-badquery, kind: sql, system: erp, every: 1h, timeout: 3s, dsn: env:MY_DSN, query: "SELEC COUNT(*) FROM ${table}" }
  - { id: http-count, kind: http, system: web, domain: customer, every: 1h, timeout: 2s, url: "${base}/customers", count: $.data.items, headers: { authorization: "Bearer env:API_TOKEN" } }
  - { id: http-total, kind: http, system: web, every: 1h, timeout: 2s, url: "${base}/customers", count: $.total, headers: { authorization: "Bearer env:API_TOKEN" } }
  - { id: http-slow, kind: http, system: web, every: 1h, timeout: 300ms, url: "${base}/slow", count: $.total }
  - { id: http-noauth, kind: http, system: web, every: 1h, timeout: 2s, url: "${base}/customers", count: $.total }
  - { id: http-text, kind: http, system: web, every: 1h, timeout: 2s, url: "${base}/text", count: $.total }
  - { id: http-nopath, kind: http, system: web, every: 1h, timeout: 2s, url: "${base}/empty", count: $.data.items }
  - { id: http-down, kind: http, system: web, every: 1h, timeout: 2s, url: "http://127.0.0.1:${down}/x" }
  - { id: amqp-depth, kind: amqp-queue, system: broker, every: 1h, timeout: 3s, url: "amqp://guest@127.0.0.1:5672", password: env:AMQP_PASSWORD, queue: "${queue}" }
  - { id: amqp-missing, kind: amqp-queue, system: broker, every: 1h, timeout: 3s, url: "amqp://guest@127.0.0.1:5672", password: env:AMQP_PASSWORD, queue: "${queue}.missing" }
  - { id: amqp-badcreds, kind: amqp-queue, system: broker, every: 1h, timeout: 3s, url: "amqp://guest@127.0.0.1:5672", password: env:AMQP_BAD_PASSWORD, queue: "${queue}" }
  - { id: amqp-down, kind: amqp-queue, system: broker, every: 1h, timeout: 3s, url: "amqp://guest@127.0.0.1:${down}", password: env:AMQP_PASSWORD, queue: "${queue}" }
  - { id: nats-pending, kind: nats-consumer, system: broker, every: 1h, timeout: 3s, servers: "127.0.0.1:4222", stream: ${stream}, consumer: weft-test }
  - { id: nats-missing, kind: nats-consumer, system: broker, every: 1h, timeout: 3s, servers: "127.0.0.1:4222", stream: ${stream}, consumer: nobody }
  - { id: nats-down, kind: nats-consumer, system: broker, every: 1h, timeout: 2s, servers: "127.0.0.1:${down}", stream: ${stream}, consumer: weft-test }
`;
}

beforeAll(async () => {
  down = await closedPort();
  http = createServer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('{"total": 1}'), 2000);
    if (req.url === '/text') return void res.end('<html>maintenance</html>');
    if (req.url === '/empty') return void res.end('{"data": {}}');
    if (req.headers.authorization !== `Bearer ${SECRET_TOKEN}`) {
      res.statusCode = 401;
      return void res.end('{"error":"unauthorized"}');
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { items: [{ id: 1 }, { id: 2 }, { id: 3 }] }, total: '42' }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpPort = (http.address() as { port: number }).port;
  if (up.pg) {
    const c = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await c.connect();
    await c.query(`CREATE TABLE ${table} (id int primary key)`);
    await c.query(`INSERT INTO ${table} SELECT g FROM generate_series(1, 3) g`);
    await c.end();
  }
  if (up.my) {
    const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' });
    await c.query(`CREATE TABLE ${table} (id int primary key)`);
    await c.query(`INSERT INTO ${table} VALUES (1), (2), (3), (4)`);
    await c.end();
  }
  if (up.amqp) {
    const c = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await c.createChannel();
    await ch.assertQueue(queue, { durable: false, autoDelete: false });
    for (let i = 0; i < 3; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
    await ch.close();
    await c.close();
  }
  if (up.nats) {
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
    await jsm.consumers.add(stream, { durable_name: 'weft-test', ack_policy: AckPolicy.Explicit });
    for (let i = 0; i < 5; i++) nc.publish(`${stream.toLowerCase()}.x`, `m${i}`);
    await nc.flush();
    await nc.close();
  }
  probes = startProbes({ store: null, catalog: catalogOf(catalogYaml()), logger: silentLogger(), env: (n) => env[n], scheduled: false });
});

afterAll(async () => {
  await probes?.stop();
  http?.close();
  if (up.pg) {
    const c = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await c.connect();
    await c.query(`DROP TABLE IF EXISTS ${table}`);
    await c.end();
  }
  if (up.my) {
    const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' });
    await c.query(`DROP TABLE IF EXISTS ${table}`);
    await c.end();
  }
  if (up.amqp) {
    const c = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await c.createChannel();
    await ch.deleteQueue(queue);
    await c.close();
  }
  if (up.nats) {
    const nc = await connect({ servers: '127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(stream);
    await nc.close();
  }
});

const run = async (id: string) => (await probes.runProbe(id)).sample;

describe.skipIf(!up.pg)('sql probe on PostgreSQL', () => {
  it('reads the count and fingerprints the table, twice on one pooled connection', async () => {
    const first = await probes.runProbe('pg-count');
    expect(first.sample).toMatchObject({ ok: true, value: 3, system: 'crm', domain: 'customer', errorCode: '' });
    expect((await run('pg-count')).value).toBe(3);
    expect((await run('pg-count')).value).toBe(3);
    const c = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await c.connect();
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'weft-probe:pg-count'`);
    await c.end();
    expect(rows[0].n).toBe(1);
  });
  it('reports a closed port as down', async () => {
    expect(await run('pg-down')).toMatchObject({ ok: false, errorCode: 'down' });
  });
  it('cancels a query slower than the timeout', async () => {
    const s = await run('pg-slow');
    expect(s).toMatchObject({ ok: false, errorCode: 'timeout' });
    expect(s.error).toMatch(/500 ms/);
  });
  it('reports refused credentials', async () => {
    expect(await run('pg-badcreds')).toMatchObject({ ok: false, errorCode: 'auth' });
  });
  it('reports a bad query with the database message', async () => {
    const s = await run('pg-badquery');
    expect(s).toMatchObject({ ok: false, errorCode: 'query' });
    expect(s.error).toMatch(/no_such_table_weft/);
  });
  it('rejects a row without a number', async () => {
    const s = await run('pg-nonsense');
    expect(s).toMatchObject({ ok: false, errorCode: 'response' });
    expect(s.error).toMatch(/greeting="hello"/);
  });
  it('names an unset env reference without guessing its value', async () => {
    const s = await run('pg-nodsn');
    expect(s).toMatchObject({ ok: false, errorCode: 'config' });
    expect(s.error).toMatch(/NOT_SET_ANYWHERE/);
  });
  it('runs in a read-only transaction', async () => {
    const spec = probes.catalog.probes.find((p) => p.id === 'pg-count')!;
    const writer = startProbes({
      store: null,
      catalog: { ...probes.catalog, probes: [{ ...spec, id: 'pg-write', query: `insert into ${table} values (99) returning 1` } as typeof spec] },
      logger: silentLogger(),
      env: (n) => env[n],
      scheduled: false,
    });
    const s = (await writer.runProbe('pg-write')).sample;
    await writer.stop();
    expect(s).toMatchObject({ ok: false, errorCode: 'query' });
    expect(s.error).toMatch(/read-only/);
  });
});

describe.skipIf(!up.my)('sql probe on MariaDB', () => {
  it('reads the first numeric column as the value and the others as metrics', async () => {
    expect(await run('my-count')).toMatchObject({ ok: true, value: 4, metrics: { customers: 4, top: 4 } });
  });
  it('reports a closed port as down', async () => {
    expect(await run('my-down')).toMatchObject({ ok: false, errorCode: 'down' });
  });
  it('stops a statement slower than the timeout', async () => {
    expect(await run('my-slow')).toMatchObject({ ok: false, errorCode: 'timeout' });
  });
  it('reports refused credentials without the password', async () => {
    const s = await run('my-badcreds');
    expect(s).toMatchObject({ ok: false, errorCode: 'auth' });
    expect(JSON.stringify(s)).not.toContain(WRONG_PASSWORD);
  });
  it('reports a syntax error', async () => {
    expect(await run('my-badquery')).toMatchObject({ ok: false, errorCode: 'query' });
  });
});

describe('http probe', () => {
  it('counts an array by JSON path, with status and latency', async () => {
    const s = await run('http-count');
    expect(s).toMatchObject({ ok: true, value: 3, metrics: { status: 200 } });
    expect(s.metrics.latency_ms).toBeGreaterThanOrEqual(0);
  });
  it('reads a numeric string as a count', async () => {
    expect((await run('http-total')).value).toBe(42);
  });
  it('times out on a slow server', async () => {
    expect(await run('http-slow')).toMatchObject({ ok: false, errorCode: 'timeout' });
  });
  it('reports 401 as refused credentials and keeps the status', async () => {
    expect(await run('http-noauth')).toMatchObject({ ok: false, errorCode: 'auth', metrics: { status: 401 } });
  });
  it('reports a body that is not JSON', async () => {
    const s = await run('http-text');
    expect(s).toMatchObject({ ok: false, errorCode: 'response' });
    expect(s.error).toMatch(/not JSON/);
  });
  it('names the missing path', async () => {
    const s = await run('http-nopath');
    expect(s).toMatchObject({ ok: false, errorCode: 'response' });
    expect(s.error).toMatch(/\$\.data\.items is missing/);
  });
  it('reports a closed port as down', async () => {
    expect(await run('http-down')).toMatchObject({ ok: false, errorCode: 'down' });
  });
});

describe.skipIf(!up.amqp)('amqp-queue probe', () => {
  it('reads depth and consumers', async () => {
    expect(await run('amqp-depth')).toMatchObject({ ok: true, value: 3, metrics: { messages: 3, consumers: 0 } });
  });
  it('names a queue that does not exist', async () => {
    const s = await run('amqp-missing');
    expect(s).toMatchObject({ ok: false, errorCode: 'query' });
    expect(s.error).toMatch(/does not exist/);
  });
  it('reports refused credentials without the password', async () => {
    const s = await run('amqp-badcreds');
    expect(s).toMatchObject({ ok: false, errorCode: 'auth' });
    expect(JSON.stringify(s)).not.toContain(WRONG_PASSWORD);
  });
  it('reports a closed port as down', async () => {
    expect(await run('amqp-down')).toMatchObject({ ok: false, errorCode: 'down' });
  });
});

describe.skipIf(!up.nats)('nats-consumer probe', () => {
  it('reads pending and ack-pending', async () => {
    expect(await run('nats-pending')).toMatchObject({ ok: true, value: 5, metrics: { pending: 5, ack_pending: 0 } });
  });
  it('names a consumer that does not exist', async () => {
    const s = await run('nats-missing');
    expect(s).toMatchObject({ ok: false, errorCode: 'query' });
    expect(s.error).toMatch(/nobody/);
  });
  it('reports a closed port as down', async () => {
    expect(await run('nats-down')).toMatchObject({ ok: false, errorCode: 'down' });
  });
});

describe('probe runs', () => {
  it('never carry a resolved credential into a sample', async () => {
    const { results } = await probes.runAll();
    expect(results.length).toBe(probes.catalog.probes.length);
    const text = JSON.stringify(results);
    expect(text).not.toContain(SECRET_TOKEN);
    expect(text).not.toContain(WRONG_PASSWORD);
  });
});
