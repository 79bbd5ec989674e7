/**
 * A test estate on official instrumentation: the integrations in integration.cjs run as child
 * processes under `@opentelemetry/auto-instrumentations-node/register` against this machine's
 * PostgreSQL, MariaDB, RabbitMQ and NATS and two HTTP services on two ports of 127.0.0.1, export to a
 * real Weft collector, and the real analyzer turns what they emit into the graph and findings.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startAnalyzer } from '../../analyzer/index.ts';
import { startHarness } from '../../collector/test/harness.ts';
import { parseCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { serviceAvailable } from '../services.ts';

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
const MIN = 60_000;

/** Whether every service the estate needs answers (skips with a reason, fails under WEFT_REQUIRE_SERVICES=1). */
export async function estateServicesUp(): Promise<boolean> {
  const checks = [
    ['PostgreSQL', 5432],
    ['MariaDB', 3306],
    ['RabbitMQ', 5672],
    ['NATS', 4222],
  ] as const;
  let up = true;
  for (const [name, port] of checks) up = (await serviceAvailable(name, port)) && up;
  return up;
}

export const integrations = [
  'endpoints-crm-erp-sync',
  'endpoints-orders-to-billing',
  'endpoints-order-publisher',
  'endpoints-order-consumer',
  'endpoints-event-publisher',
  'endpoints-event-consumer',
  'endpoints-nats-publisher',
  'endpoints-shadow-copy',
] as const;

/** The catalog documenting the estate, with the match rules that fit what the instrumentations emit. */
export function estateCatalog(ports: { crm: number; erp: number }, suffix: string): string {
  return `owners:
  - { id: endpoints-team, email: endpoints@example.com }
systems:
  - { id: crm, kind: crm, owner: endpoints-team, match: { urlPrefixes: ["http://127.0.0.1:${ports.crm}/"] } }
  - { id: erp, kind: erp, owner: endpoints-team, match: { hosts: ["127.0.0.1:${ports.erp}"] } }
  - { id: orders-db, kind: database, owner: endpoints-team, match: { databases: ["postgresql://localhost/endpoints_orders"] } }
  - { id: billing-db, kind: database, owner: endpoints-team, match: { databases: ["mysql://localhost/endpoints_billing"] } }
  - { id: orders-queue, kind: topic, owner: endpoints-team, match: { destinations: [{ name: endpoints_orders_q_${suffix}, system: rabbitmq }] } }
  - { id: customer-events, kind: topic, owner: endpoints-team, match: { destinations: [{ name: endpoints_events_${suffix}, system: rabbitmq }] } }
  - { id: order-subjects, kind: topic, owner: endpoints-team, match: { destinations: [{ name: "endpoints.${suffix}.orders.*", system: nats }] } }
flows:
  - { id: crm-erp, source: crm, target: erp, owner: endpoints-team, runtime: { service: endpoints-crm-erp-sync } }
  - { id: orders-billing, source: orders-db, target: billing-db, owner: endpoints-team, runtime: { service: endpoints-orders-to-billing } }
  - { id: orders-publish, source: orders-db, target: orders-queue, owner: endpoints-team, runtime: { service: endpoints-order-publisher } }
  - { id: orders-consume, source: orders-queue, target: erp, owner: endpoints-team, runtime: { service: endpoints-order-consumer } }
  - { id: events-publish, source: crm, target: customer-events, owner: endpoints-team, runtime: { service: endpoints-event-publisher } }
  - { id: events-consume, source: customer-events, target: billing-db, owner: endpoints-team, runtime: { service: endpoints-event-consumer } }
  - { id: orders-nats, source: orders-db, target: order-subjects, owner: endpoints-team, runtime: { service: endpoints-nats-publisher } }
`;
}

async function listen(handler: (path: string) => unknown): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(handler(req.url ?? '/')));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Databases, tables, queues and the exchange the estate uses (names prefixed endpoints_, per mode). */
async function prepare(suffix: string): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'endpoints_orders'");
    if (exists.rowCount === 0)
      await admin.query('CREATE DATABASE endpoints_orders').catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e;
      });
  } finally {
    await admin.end();
  }
  const orders = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'endpoints_orders' });
  await orders.connect();
  try {
    await orders.query('CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, customer text NOT NULL)');
    await orders.query("INSERT INTO orders VALUES (1, 'c-1'), (2, 'c-2') ON CONFLICT (id) DO NOTHING");
  } finally {
    await orders.end();
  }
  const my = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
  try {
    await my.query('CREATE DATABASE IF NOT EXISTS endpoints_billing');
    await my.query('CREATE TABLE IF NOT EXISTS endpoints_billing.invoices (id int AUTO_INCREMENT PRIMARY KEY, order_id int NOT NULL, note varchar(200))');
  } finally {
    await my.end();
  }
  const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  try {
    const ch = await conn.createChannel();
    await ch.assertQueue(`endpoints_orders_q_${suffix}`, { durable: false });
    await ch.purgeQueue(`endpoints_orders_q_${suffix}`);
    await ch.assertExchange(`endpoints_events_${suffix}`, 'fanout', { durable: false });
    await ch.assertQueue(`endpoints_events_q_${suffix}`, { durable: false });
    await ch.bindQueue(`endpoints_events_q_${suffix}`, `endpoints_events_${suffix}`, '');
    await ch.purgeQueue(`endpoints_events_q_${suffix}`);
    await ch.close();
  } finally {
    await conn.close();
  }
}

export interface EstateResult {
  /** Observed edges as "source -> target mark". */
  edges: string[];
  /** Open findings as "kind key". */
  findings: string[];
  shadowPort: number;
}

/**
 * Runs every integration once (each in its own auto-instrumented process, in order), then the analyzer
 * after the late-arrival window. `root`: each run inside one root span, or every call its own trace.
 */
export async function runEstate(root: boolean): Promise<EstateResult> {
  const suffix = root ? 'root' : 'noroot';
  await prepare(suffix);
  const h = await startHarness();
  const servers = await Promise.all([listen(() => [{ id: 'c-1' }, { id: 'c-2' }]), listen(() => ({ ok: true })), listen(() => ({ ok: true }))]);
  const [crm, erp, shadow] = servers.map((s) => s.port);
  try {
    for (const name of integrations) {
      await run(process.execPath, ['--require', '@opentelemetry/auto-instrumentations-node/register', join(here, 'integration.cjs'), name], {
        cwd: join(here, '..', '..'),
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          OTEL_SERVICE_NAME: name,
          OTEL_EXPORTER_OTLP_ENDPOINT: h.collector.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
          ESTATE_ROOT: root ? '1' : '0',
          ESTATE_SUFFIX: suffix,
          ESTATE_CRM_PORT: String(crm),
          ESTATE_ERP_PORT: String(erp),
          ESTATE_SHADOW_PORT: String(shadow),
        },
      });
    }
    await h.collector.flush();
    const { catalog, problems } = parseCatalog([{ file: 'estate.yaml', text: estateCatalog({ crm, erp }, suffix) }]);
    if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('\n'));
    const analyzer = startAnalyzer({
      store: h.store,
      catalog,
      logger: silentLogger(),
      schedule: false,
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: MIN },
      clock: { now: () => new Date(Date.now() + 3 * MIN) },
    });
    try {
      const evaluation = await analyzer.runNow();
      if (evaluation.errors.length > 0) throw new Error(`analyzer errors: ${JSON.stringify(evaluation.errors)}`);
      const graph = await analyzer.graph();
      const findings = await analyzer.findings.list({ status: ['open'] });
      return {
        edges: graph.edges
          .filter((e) => e.observed)
          .map((e) => `${e.source} -> ${e.target} ${e.mark}`)
          .sort(),
        findings: findings.map((f) => `${f.kind} ${f.key}`).sort(),
        shadowPort: shadow,
      };
    } finally {
      await analyzer.stop();
    }
  } finally {
    for (const s of servers) s.server.close();
    await h.close();
  }
}

/** What the estate must yield, root span or not: its seven documented flows and the planted shadow copy. */
export function expectedEstate(shadowPort: number): Omit<EstateResult, 'shadowPort'> {
  const shadow = `unknown:127.0.0.1:${shadowPort}`;
  return {
    edges: [
      'crm -> customer-events documented',
      'crm -> erp documented',
      `crm -> ${shadow} undocumented`,
      'customer-events -> billing-db documented',
      'orders-db -> billing-db documented',
      'orders-db -> order-subjects documented',
      'orders-db -> orders-queue documented',
      'orders-queue -> erp documented',
    ].sort(),
    findings: [`undocumented-flow crm->${shadow}@endpoints-shadow-copy`, `unknown-system ${shadow}`].sort(),
  };
}
