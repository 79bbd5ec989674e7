import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HoldingGateway } from './e2e/holding-gateway.ts';
import { Cleanups, estateMs, expectExactlyFaults, freePort, startEstate, weftArgs } from './e2e/modes.ts';
import { sleep, waitFor } from './e2e/weft-client.ts';
import { faultKinds } from './faults/fault-switches.ts';

/**
 * Telemetry as it really arrives, every fault on (demo/e2e/modes.ts), in one estate: no context propagation
 * (`--no-propagation`: every call its own trace, the runs rebuilt from pieces); history sent after start (the
 * estate runs before Weft exists, a gateway queues its spans, and the queue reaches a freshly started Weft:
 * spans stamped before Weft's start, older than its late-arrival window); then a crash (Weft killed with
 * `kill -9` mid-run and restarted while the estate keeps exporting through the gateway, its own spool
 * replayed at restart). The findings must be exactly the injected faults, nothing else. The three ran as
 * estates of their own before; one estate costs a third of the CPU, and each hardship makes the others'
 * findings no easier.
 */
const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('demo estate end to end, as telemetry really arrives', () => {
  it('without context propagation, history sent after start, then Weft killed (kill -9) mid-run and restarted while the estate keeps exporting: exactly the injected faults, from the history too', async () => {
    const dir = cleanups.tempDir('history-kill');
    const gateway = new HoldingGateway();
    const gatewayUrl = await gateway.start();
    cleanups.push(() => gateway.stop());
    const demo = await startEstate(cleanups, gatewayUrl, join(dir, 'estate'), false);
    // The estate runs before Weft exists: its spans wait in the gateway's queue (a gateway's sending
    // queue reaching a new Weft: spans stamped before Weft's start, older than its late-arrival window).
    await sleep(30_000);
    expect(gateway.queued).toBeGreaterThan(0);
    const [port, otlpPort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${port}`;
    let log = '';
    let child: ChildProcess | null = null;
    const spawnWeft = async () => {
      child = spawn(
        process.execPath,
        [
          resolve('bin/weft.mjs'),
          'start',
          '--catalog',
          demo.catalogFile,
          '--port',
          String(port),
          '--otlp-port',
          String(otlpPort),
          '--window',
          '2m',
          ...weftArgs(join(dir, 'weft'), []).map((a) => (a === 'warn' ? 'info' : a)),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
      );
      child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      await waitFor(
        async () => ((await fetch(`${apiUrl}/api/v1/health`).catch(() => null))?.ok ? true : undefined),
        90_000,
        () => `Weft did not start:\n${log.slice(-3000)}`,
        500,
      );
    };
    cleanups.push(async () => void (child as ChildProcess | null)?.kill('SIGKILL'));
    const started = Date.now();
    await spawnWeft();
    gateway.forwardTo(`http://127.0.0.1:${otlpPort}`, apiUrl);
    await sleep(estateMs(20_000));

    // Mid-run: hold a few seconds of spans, let Weft accept a batch into its spool, and kill it before it loads them.
    gateway.hold();
    await sleep(3000);
    const before = gateway.forwarded;
    gateway.forwardTo(`http://127.0.0.1:${otlpPort}`, apiUrl);
    await waitFor(
      async () => (gateway.forwarded > before ? true : undefined),
      10_000,
      () => 'the gateway forwarded nothing',
      5,
    );
    (child as unknown as ChildProcess).kill('SIGKILL');
    await new Promise((r) => (child as unknown as ChildProcess).once('exit', r));
    // The estate keeps exporting; the gateway queues while Weft is down.
    await sleep(5000);
    log = '';
    await spawnWeft();
    await expectExactlyFaults(apiUrl, [...faultKinds], 220_000, started);
    expect(log, "Weft's spool should be replayed at restart").toContain('replaying spool segments');
    // Flows were paired from the history too: spans stamped well before Weft started (a span-time watermark would drop them).
    const inventory = (await (await fetch(`${apiUrl}/api/v1/inventory/flows?since=10m`)).json()) as { flows: Array<{ stats: { firstSeen: string } | null }> };
    const firstSeen = Math.min(...inventory.flows.flatMap((f) => (f.stats ? [Date.parse(f.stats.firstSeen)] : [])));
    expect(firstSeen).toBeLessThan(started - 20_000);
    // The documented flows were rebuilt from pieces: no half-flows through an integration node.
    const graph = (await (await fetch(`${apiUrl}/api/v1/graph?since=2m`)).json()) as {
      edges: Array<{ source: string; target: string; observed: boolean }>;
    };
    expect(graph.edges.filter((e) => e.observed && (e.source.startsWith('integration:') || e.target.startsWith('integration:')))).toEqual([]);
    (child as unknown as ChildProcess).kill('SIGTERM');
  }, 420_000);
});
