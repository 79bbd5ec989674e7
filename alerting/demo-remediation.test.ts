import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { startWeft, type RunningWeft } from '../runtime/start-weft.ts';
import type { WebhookPayload } from './index.ts';
import { seedWeftStore } from '../test/migrated-store.ts';
import { startedForFile } from '../test/started-for-file.ts';

/**
 * The acceptance path in the demo estate (time scale 0.2): a user adds a webhook receiver (groupWait 1 s, groupInterval 5 s); the
 * stale-flow fault stops the product sync; Weft fires flow-stale, calls the batch runtime's run
 * endpoint (auto remediation), the sync runs again and the alert resolves by itself — one firing and
 * one resolved notification, nothing in between.
 */
describe('the demo estate: a stale flow is remediated automatically and resolves', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-demo-'));
  const received: WebhookPayload[] = [];
  let hook: Server;
  let weft: RunningWeft;
  const weftOfFile = startedForFile<RunningWeft>();

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => (received.push(JSON.parse(body) as WebhookPayload), res.end('{}')));
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const args = [
      '--demo',
      '--no-faults',
      '--demo-time-scale',
      '0.2',
      '--analyze-every',
      '2s',
      '--data',
      dir,
      '--port',
      '0',
      '--otlp-port',
      '0',
      '--log-level',
      'error',
    ];
    const config = buildConfig(parseArgs(args), {}, dir);
    // A store already migrated: what this file looks at is the remediation, not a first start (test/migrated-store.ts).
    await seedWeftStore(config);
    weft = await weftOfFile.open(() => startWeft(config, silentLogger()));
    appendFileSync(
      weft.catalogFiles[0],
      `\nreceivers:\n  - { id: team-hook, type: webhook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook" }\nroutes:\n  - { receiver: team-hook, groupWait: 1s, groupInterval: 5s }\n`,
    );
    await weft.analyzer!.reloadCatalog();
    // The suite's hook timeout (120 s): this takes 6 s alone, and took over 60 s once in a clean-clone run beside the
    // demo's end-to-end files (load 11–12 on 2 cores).
  });

  afterAll(async () => {
    await weftOfFile.stop();
    hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires flow-stale, runs the remediation, resolves, and tells the webhook once of each', async () => {
    // The product sync's messages (under a loaded machine the demo's other scheduled jobs may run late too, and be told so).
    const stale = () =>
      received.flatMap((p) =>
        p.alerts.filter((a) => a.labels.alertname === 'flow-stale' && a.labels.flow === 'erp-cpq-product-sync').map((a) => `${a.labels.flow}:${a.status}`),
      );
    weft.demo!.setFault('stale-flow', true);
    await expect.poll(stale, { timeout: 150_000, interval: 1000 }).toContain('erp-cpq-product-sync:resolved');
    const attempts = await weft.alerting!.alertStore.attempts();
    expect(attempts.filter((a) => a.action === 'rerun-product-sync').map((a) => a.outcome)).toContain('succeeded');
    // One message per transition, nothing in between (the remediation may fix it within groupWait: the
    // episode is still told as firing first).
    expect(stale()).toEqual(['erp-cpq-product-sync:firing', 'erp-cpq-product-sync:resolved']);
    const events = (await weft.alerting!.alertStore.events()).filter((e) => e.rule === 'flow-stale').map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['firing', 'resolved']));
  }, 180_000);
});
