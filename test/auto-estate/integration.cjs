/**
 * Small integrations of the auto-instrumented test estate (test/auto-estate.int.test.ts). Run as
 *   node --require @opentelemetry/auto-instrumentations-node/register integration.cjs NAME
 * with OTEL_SERVICE_NAME=NAME and the OTLP endpoint in the environment: the only instrumentation is the
 * official one (http, undici, pg, mysql2, amqplib, net, dns…), except NATS, which has no official
 * Node instrumentation, so its publish span is written by hand in the messaging conventions.
 * ESTATE_ROOT=1 wraps each run in one root span; ESTATE_ROOT=0 leaves every call its own trace.
 * CommonJS on purpose: the register hook patches require().
 */
'use strict';
const api = require('@opentelemetry/api');
const { Client } = require('pg');
const mysql = require('mysql2/promise');
const amqp = require('amqplib');

const env = process.env;
const crm = `http://127.0.0.1:${env.ESTATE_CRM_PORT}`;
const erp = `http://127.0.0.1:${env.ESTATE_ERP_PORT}`;
const shadow = `http://127.0.0.1:${env.ESTATE_SHADOW_PORT}`;
const amqpUrl = env.ESTATE_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const tracer = api.trace.getTracer('estate');
const suffix = env.ESTATE_SUFFIX ?? 'root';

const getJson = async (url) => (await fetch(url)).json();
const postJson = async (url, body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status}`);
  await res.arrayBuffer();
};

async function readOrders() {
  const pg = new Client({ host: '127.0.0.1', user: 'postgres', database: 'endpoints_orders' });
  await pg.connect();
  try {
    return (await pg.query('/* estate */ SELECT id, customer FROM orders ORDER BY id')).rows;
  } finally {
    await pg.end();
  }
}

async function withChannel(fn) {
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createChannel();
    await fn(ch);
    await ch.close();
  } finally {
    await conn.close();
  }
}

/** Consumes `count` messages from `queue`, handing each to `handle`, then returns. */
async function consume(queue, count, handle) {
  await withChannel(async (ch) => {
    let seen = 0;
    let done;
    const finished = new Promise((resolve) => (done = resolve));
    const { consumerTag } = await ch.consume(queue, async (msg) => {
      await handle(JSON.parse(msg.content.toString()));
      ch.ack(msg);
      if (++seen === count) done();
    });
    await finished;
    await ch.cancel(consumerTag);
  });
}

const integrations = {
  /** CRM → ERP over HTTP: two services on two ports of one host. */
  'endpoints-crm-erp-sync': async () => {
    const customers = await getJson(`${crm}/api/customers`);
    await postJson(`${erp}/api/customers`, customers);
  },
  /** PostgreSQL → MariaDB. */
  'endpoints-orders-to-billing': async () => {
    const orders = await readOrders();
    const my = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'endpoints_billing' });
    try {
      for (const o of orders) await my.query('INSERT INTO invoices (order_id, note) VALUES (?, ?)', [o.id, 'estate']);
    } finally {
      await my.end();
    }
  },
  /** PostgreSQL → RabbitMQ queue through the default exchange (amqplib reports destination "" + routing key). */
  'endpoints-order-publisher': async () => {
    const orders = await readOrders();
    await withChannel(async (ch) => {
      ch.sendToQueue(`endpoints_orders_q_${suffix}`, Buffer.from(JSON.stringify(orders)));
    });
  },
  /** RabbitMQ queue → ERP. */
  'endpoints-order-consumer': async () => {
    await consume(`endpoints_orders_q_${suffix}`, 1, (orders) => postJson(`${erp}/api/orders`, orders));
  },
  /** CRM → a named RabbitMQ exchange. */
  'endpoints-event-publisher': async () => {
    const customers = await getJson(`${crm}/api/customers`);
    await withChannel(async (ch) => {
      ch.publish(`endpoints_events_${suffix}`, 'customer.changed', Buffer.from(JSON.stringify(customers)));
    });
  },
  /** The named exchange (through its queue) → MariaDB. */
  'endpoints-event-consumer': async () => {
    await consume(`endpoints_events_q_${suffix}`, 1, async (customers) => {
      const my = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'endpoints_billing' });
      try {
        await my.query('INSERT INTO invoices (order_id, note) VALUES (?, ?)', [0, `customers ${customers.length}`]);
      } finally {
        await my.end();
      }
    });
  },
  /** PostgreSQL → a NATS subject (publish span by hand: there is no official NATS instrumentation). */
  'endpoints-nats-publisher': async () => {
    const orders = await readOrders();
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const subject = `endpoints.${suffix}.orders.created`;
    const attributes = {
      'messaging.system': 'nats',
      'messaging.destination.name': subject,
      'messaging.operation.type': 'publish',
      'server.address': '127.0.0.1',
      'server.port': 4222,
    };
    await tracer.startActiveSpan(`publish ${subject}`, { kind: api.SpanKind.PRODUCER, attributes }, async (span) => {
      nc.publish(subject, JSON.stringify(orders));
      await nc.flush();
      span.end();
    });
    await nc.close();
  },
  /** The planted fault: CRM customers copied to a host no catalog system knows (shadow IT). */
  'endpoints-shadow-copy': async () => {
    const customers = await getJson(`${crm}/api/customers`);
    await postJson(`${shadow}/contacts`, customers);
  },
};

async function main() {
  const name = process.argv[2];
  const run = integrations[name];
  if (!run) throw new Error(`unknown integration ${name}; one of ${Object.keys(integrations).join(', ')}`);
  if (env.ESTATE_ROOT === '1') {
    await tracer.startActiveSpan(`run ${name}`, async (span) => {
      try {
        await run();
      } finally {
        span.end();
      }
    });
  } else {
    await run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
