import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { loadCatalog } from '../core/catalog/index.ts';
import { createLogger } from '../core/log/logger.ts';
import { demoCensus } from './estate/census.ts';
import { startDemo, type InProcessDemo } from './start-demo.ts';
import { startedForFile } from '../test/started-for-file.ts';

/** A bare OTLP/HTTP endpoint that keeps what the demo's exporters send. */
function otlpSink() {
  const bodies: Array<{ contentType: string; body: Buffer }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  return { server, bodies, text: () => Buffer.concat(bodies.map((b) => b.body)).toString('latin1') };
}

describe('demo estate', () => {
  const sink = otlpSink();
  const dir = mkdtempSync(join(tmpdir(), 'weft-demo-'));
  let demo: InProcessDemo;
  const demoOfFile = startedForFile<InProcessDemo>();
  /** What the demo logs (JSON lines). */
  const logged: Array<Record<string, unknown>> = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Retries `check` until it passes (a loaded machine runs the estate slower), then lets its last failure speak. */
  const eventually = async (check: () => void | Promise<void>, deadlineMs = 20_000) => {
    const until = Date.now() + deadlineMs;
    for (;;) {
      try {
        return await check();
      } catch (err) {
        if (Date.now() > until) throw err;
        await wait(250);
      }
    }
  };

  beforeAll(async () => {
    await new Promise<void>((r) => sink.server.listen(0, '127.0.0.1', () => r()));
    const otlpUrl = `http://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
    demo = await demoOfFile.open(() =>
      startDemo({
        otlpUrl,
        workDir: dir,
        faults: false,
        timeScale: 0.05,
        seed: { customers: 3000, products: 20 },
        logger: createLogger('info', logStream),
      }),
    );
  });
  afterAll(async () => {
    await demoOfFile.stop();
    sink.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the three processes and the syncs, each runtime exporting OTLP protobuf under its own service.name', async () => {
    await eventually(async () => {
      await demo.flush();
      const sent = sink.text();
      for (const service of [
        'l2c-orchestrator',
        'shop-order-events',
        'erp-order-intake',
        'fulfillment-orchestrator',
        'tpl-status-events',
        'crm-status-consumer',
        'support-case-enricher',
        'batch-sync-jobs',
      ]) {
        expect(sent, service).toContain(service);
      }
      for (const attribute of ['url.full', 'server.address', 'crm.demo.local', 'messaging.destination.name', 'orders.web', 'integration.records'])
        expect(sent).toContain(attribute);
      expect(demo.stores.crm.collection('order-status').count()).toBeGreaterThan(0);
    });
    expect(new Set(sink.bodies.map((b) => b.contentType))).toEqual(new Set(['application/x-protobuf']));
    expect(sink.text()).not.toContain('growth-contacts-export');
  }, 30_000);

  it('keeps the replicas in step while clean, and loses about 1% of billing customers under the replica-drift fault until repaired', async () => {
    const crm = () => demo.stores.crm.collection('customers').count();
    const billing = () => demo.stores.billing.collection('customers').count();
    // In step: billing lags the CRM only by the leads converted since the last sync run (the catalog tolerates 10).
    await eventually(() => expect(Math.abs(crm() - billing())).toBeLessThanOrEqual(10));
    demo.setFault('replica-drift', true);
    expect(crm() - billing()).toBeGreaterThanOrEqual(30);
    demo.setFault('replica-drift', false);
    await eventually(() => expect(Math.abs(crm() - billing())).toBeLessThanOrEqual(10));
  }, 45_000);

  it('runs a rogue integration only while its fault is on', async () => {
    demo.setFault('shadow-it', true);
    expect(demo.activeFaults()).toEqual(['shadow-it']);
    await eventually(async () => {
      await demo.flush();
      expect(sink.text()).toContain('contacts.growthhub.example');
    });
  }, 30_000);

  // Regression: the failing-flow fault's failure was logged as a warning, "demo job failed", which a newcomer running
  // `npm start` took for something broken.
  it("says the failing-flow fault's failure once, as planned, not as a warning", async () => {
    demo.setFault('failing-flow', true);
    const planned = () => logged.filter((l) => l.job === 'case-to-resolution' && String(l.msg).includes('as the failing-flow fault makes it'));
    await eventually(() => expect(planned()).toHaveLength(1));
    // It keeps failing: still said once.
    await wait(1000);
    demo.setFault('failing-flow', false);
    expect(planned()).toMatchObject([{ level: 30, err: expect.stringContaining('answered 400') }]);
    expect(logged.filter((l) => l.job === 'case-to-resolution' && l.level === 40)).toEqual([]);
  }, 30_000);

  it('writes the catalog that documents it, with probe URLs on its own ports', () => {
    const catalog = readFileSync(demo.catalogFile, 'utf8');
    expect(catalog).toContain(`url: "${demo.systems.crm}/api/customers/count"`);
  });

  // Regression: the start log said "systems": 9 (its servers less the shadow-IT host) where the banner said 13
  // systems (its catalog) and the UI 14 (with the shadow-IT host): the log names what it counts.
  it('logs its applications and the hosts outside its catalog, named as such, as its catalog has them', () => {
    const running = logged.find((l) => typeof l.msg === 'string' && l.msg.startsWith('demo estate running'));
    expect(running).toMatchObject({ applications: demoCensus.applications.length, unknownHosts: [] });
    expect(running).not.toHaveProperty('systems');
    const catalog = loadCatalog([demo.catalogFile]);
    const documented = catalog.systems.map((s) => s.id);
    // Every application is a documented system; the catalog documents more (the lake, the warehouse, the topics).
    expect(documented).toEqual(expect.arrayContaining(demoCensus.applications));
    expect(documented.length).toBeGreaterThan(demoCensus.applications.length);
    // The shadow-IT host is in no catalog rule, so Weft counts it as an unknown system.
    const hosts = catalog.systems.flatMap((s) => s.match.hosts);
    for (const u of demoCensus.unknownHosts) expect(hosts).not.toContain(u.host);
    // Each server is an application or the shadow-IT host's.
    expect(Object.keys(demo.systems).sort()).toEqual([...demoCensus.applications, 'growthhub'].sort());
  });
});
