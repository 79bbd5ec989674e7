import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { systemClock } from '../../core/time/index.ts';
import { serviceAvailable } from '../../test/services.ts';
import { runProbeOnce } from '../run-probe.ts';
import { Secrets } from '../secrets.ts';
import { startProbes } from '../start-probes.ts';
import { delayProxy, type DelayProxy } from '../testing/delay-proxy.ts';
import { catalogOf, SYSTEMS_YAML } from '../testing/fixtures.ts';
import { createProbe } from './index.ts';

const up = {
  pg: await serviceAvailable('PostgreSQL', 5432),
  my: await serviceAvailable('MariaDB', 3306),
  amqp: await serviceAvailable('RabbitMQ', 5672),
  nats: await serviceAvailable('NATS', 4222),
};
// The drivers are loaded before the clocks start: a cold load on a busy machine would shift every timing below.
await Promise.all([import('amqplib'), import('@nats-io/transport-node'), import('@nats-io/jetstream'), import('pg'), import('mysql2/promise')]);
const secrets = new Secrets(() => undefined);
const proxies: DelayProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
const proxy = async (port: number, delay: { holdMs?: number; latencyMs?: number }) => {
  const p = await delayProxy(port, delay);
  proxies.push(p);
  return p;
};
const specOf = (fields: Record<string, unknown>) => ({ id: 'slow', system: 'broker', every: '1h', timeout: '300ms', ...fields }) as unknown as ProbeSpec;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a probe once through a slow proxy (it times out mid-connect and is closed), then waits past the delay. */
async function timedOutThrough(p: DelayProxy, spec: ProbeSpec, waitMs: number) {
  const probe = createProbe(spec, secrets);
  const { sample } = await runProbeOnce(spec, probe, secrets, systemClock);
  expect(sample).toMatchObject({ ok: false, errorCode: 'timeout' });
  await probe.close();
  await sleep(waitMs);
  return probe;
}

// Regression: a connect that completed after the probe had given up (timed out, closed) was kept by nobody: one open
// connection to the broker per timed-out run, until the broker dropped it.
describe('a probe that times out while connecting leaves no connection open', () => {
  it.skipIf(!up.amqp)('amqp-queue: a handshake slower than the probe timeout (each round trip within the driver timeout)', async () => {
    // Three round trips of 2 × 90 ms: the deadline (300 ms) passes first, amqplib's idle timeout (300 ms) never.
    const p = await proxy(5672, { latencyMs: 90 });
    await timedOutThrough(p, specOf({ kind: 'amqp-queue', url: `amqp://guest:guest@127.0.0.1:${p.port}`, queue: 'weft-none' }), 1200);
    expect(p.accepted()).toBe(1);
    await expect.poll(() => p.open.size, { timeout: 2000 }).toBe(0);
  });

  // The NATS client itself leaves the socket of a connect it timed out open (nats.js issue #64): its own connect
  // timeout is longer than the probe's, so that the connect completes and the probe closes it. 550 ms: 150 ms past
  // the probe's 400 ms, 250 ms before the client's 800 ms.
  it.skipIf(!up.nats)('nats-consumer: a server that answers after the probe timeout', async () => {
    const p = await proxy(4222, { holdMs: 550 });
    const spec = specOf({ kind: 'nats-consumer', timeout: '400ms', servers: `127.0.0.1:${p.port}`, stream: 'WEFT_NONE', consumer: 'none' });
    await timedOutThrough(p, spec, 600);
    expect(p.accepted()).toBe(1);
    await expect.poll(() => p.open.size, { timeout: 2000 }).toBe(0);
  });

  it.skipIf(!up.nats)('nats-consumer: nor when a Weft stops after the run', async () => {
    const p = await proxy(4222, { holdMs: 550 });
    const yaml = `${SYSTEMS_YAML}probes:\n  - { id: slow, kind: nats-consumer, system: broker, every: 1h, timeout: 400ms, servers: "127.0.0.1:${p.port}", stream: WEFT_NONE, consumer: none }\n`;
    const weft = startProbes({ store: null, catalog: catalogOf(yaml), logger: silentLogger(), scheduled: false });
    expect((await weft.runProbe('slow')).sample).toMatchObject({ ok: false, errorCode: 'timeout' });
    await weft.stop();
    await sleep(600);
    await expect.poll(() => p.open.size, { timeout: 2000 }).toBe(0);
  });

  it.skipIf(!up.pg)('sql on PostgreSQL', async () => {
    const p = await proxy(5432, { holdMs: 450 });
    await timedOutThrough(p, specOf({ kind: 'sql', url: `postgres://postgres@127.0.0.1:${p.port}/test`, query: 'select 1 as n' }), 600);
    await expect.poll(() => p.open.size, { timeout: 2000 }).toBe(0);
  });
});

describe('a probe reusing its connection', () => {
  // Regression: two runs at once each opened a connection and the second overwrote the first, which stayed open.
  const overlapping = [
    { kind: 'amqp-queue', port: 5672, up: up.amqp, fields: (port: number) => ({ url: `amqp://guest:guest@127.0.0.1:${port}`, queue: 'weft-none' }) },
    { kind: 'nats-consumer', port: 4222, up: up.nats, fields: (port: number) => ({ servers: `127.0.0.1:${port}`, stream: 'WEFT_NONE', consumer: 'none' }) },
  ];
  for (const k of overlapping) {
    it.skipIf(!k.up)(`${k.kind}: opens one connection for runs that overlap, and none stays open after close`, async () => {
      const p = await proxy(k.port, { latencyMs: 30 });
      const probe = createProbe(specOf({ kind: k.kind, ...k.fields(p.port) }), secrets);
      const runs = await Promise.allSettled([probe.run(5000), probe.run(5000)]);
      expect(runs.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual(['query', 'query']);
      expect(p.accepted()).toBe(1);
      await probe.close();
      await expect.poll(() => p.open.size, { timeout: 2000 }).toBe(0);
    });
  }

  // Regression: a NATS run asked for its connection only after loading the client, so a run closed before that (given
  // up at its deadline while the client loaded) opened a connection after the close, and it stayed open.
  for (const k of overlapping) {
    it.skipIf(!k.up)(`${k.kind}: a run closed as it starts opens nothing that outlives the close`, async () => {
      const p = await proxy(k.port, {});
      const probe = createProbe(specOf({ kind: k.kind, ...k.fields(p.port) }), secrets);
      const run = probe.run(5000).catch(() => undefined);
      await probe.close();
      await run;
      await expect.poll(() => p.open.size, { timeout: 2000 }).toBe(0);
    });
  }

  // Regression: closing a MariaDB pool whose connect had timed out rejected, the probe kept the closed pool, and every
  // later run failed with "Pool is closed." until the Weft restarted.
  it.skipIf(!up.my)('sql on MariaDB: runs again after a run that timed out while connecting', async () => {
    const p = await proxy(3306, { holdMs: 450 });
    const spec = specOf({ kind: 'sql', url: `mysql://root@127.0.0.1:${p.port}/test`, query: 'SELECT 1 AS n' });
    const probe = await timedOutThrough(p, spec, 0);
    await expect.poll(() => p.open.size, { timeout: 2000 }).toBe(0);
    // The same probe, given time for the proxy's delay: its next run opens a new pool.
    const { sample } = await runProbeOnce({ ...spec, timeout: '5s' } as ProbeSpec, probe, secrets, systemClock);
    expect(sample).toMatchObject({ ok: true, value: 1 });
    await probe.close();
  });
});
