import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import type { Finding } from '../core/contracts/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { startWeft, type RunningWeft } from '../runtime/start-weft.ts';
import { HoldingGateway } from './e2e/holding-gateway.ts';
import { describeFindings, openFindings, sleep, waitFor } from './e2e/weft-client.ts';
import { explainedBy, faultSignatures, provesFault } from './faults/expected-findings.ts';
import { faultKinds, type FaultKind } from './faults/fault-switches.ts';
import type { DemoEstate } from './start-demo.ts';
import { startDemoWorker } from './worker/start-demo-worker.ts';

/**
 * The demo estate as telemetry really arrives, each mode with every fault on: the findings must be
 * exactly the injected faults, nothing else.
 * - no context propagation: every call its own trace (`--no-propagation`);
 * - history sent after start, then a crash: the estate runs before Weft exists, a gateway queues its
 *   spans, and the queue reaches a freshly started Weft (spans stamped before Weft's start, older than
 *   its late-arrival window); Weft is then killed (`kill -9`) mid-run and restarted while the estate
 *   keeps exporting through the gateway, and Weft's own spool is replayed at restart.
 * Demo time scale 0.25, analyzer every 2 s.
 */
const TIME_SCALE = '0.25';
/** A wait of the estate's own time, written for time scale 0.4 and scaled to TIME_SCALE. */
const estateMs = (msAt04: number) => Math.round((msAt04 * Number(TIME_SCALE)) / 0.4);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `weft-e2e-${name}-`));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** Every fault is proven by a finding, and no finding is unexplained, twice in a row; returns the time to each. */
async function expectExactlyFaults(apiUrl: string, expected: FaultKind[], deadlineMs: number, since: number): Promise<void> {
  const detected = new Map<FaultKind, { ms: number; finding: Finding }>();
  let open: Finding[] = [];
  let settled = 0;
  await waitFor(
    async () => {
      open = await openFindings(apiUrl);
      for (const kind of expected) {
        const finding = open.find((f) => provesFault(faultSignatures[kind], f));
        if (finding && !detected.has(kind)) detected.set(kind, { ms: Date.now() - since, finding });
      }
      const unexplained = open.filter((f) => !explainedBy(f, expected));
      settled =
        detected.size === expected.length && expected.every((k) => open.some((f) => provesFault(faultSignatures[k], f))) && unexplained.length === 0
          ? settled + 1
          : 0;
      return settled >= 2 ? true : undefined;
    },
    deadlineMs,
    () =>
      `not found: ${expected.filter((k) => !detected.has(k)).join(', ') || '(none)'}; unexplained:\n${describeFindings(open.filter((f) => !explainedBy(f, expected)))}\nopen findings:\n${describeFindings(open)}`,
    2000,
  );
  for (const kind of expected) {
    expect(
      faultSignatures[kind].checkEvidence(detected.get(kind)!.finding.evidence as Record<string, unknown>),
      `${kind}: ${detected.get(kind)!.finding.title}`,
    ).toBeNull();
  }
  expect(describeFindings((await openFindings(apiUrl)).filter((f) => !explainedBy(f, expected)))).toBe('(none)');
  console.log(['time to detect:', ...expected.map((k) => `  ${k.padEnd(20)} ${(detected.get(k)!.ms / 1000).toFixed(1)} s`)].join('\n'));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The estate on its own thread, exporting to `otlpUrl`, every fault on. */
async function startEstate(otlpUrl: string, workDir: string, propagation = true): Promise<DemoEstate> {
  // The ETL jobs' OpenLineage events go through the same gateway (it forwards /api/… to Weft's API).
  const demo = await startDemoWorker({ otlpUrl, lineageUrl: otlpUrl, workDir, faults: true, timeScale: Number(TIME_SCALE), propagation, logLevel: 'warn' });
  cleanups.push(() => demo.stop());
  return demo;
}

// Without automatic remediation: the stale-flow fault must stay open to be listed (alerting's own tests cover remediation).
const weftArgs = (dir: string, more: string[]) => [
  '--data',
  dir,
  '--log-level',
  'warn',
  '--analyze-every',
  '2s',
  '--late-arrival',
  '10s',
  '--no-auto-remediation',
  ...more,
];

describe('demo estate end to end, as telemetry really arrives', () => {
  it('without context propagation (every call its own trace): exactly the injected faults', async () => {
    const dir = tempDir('nop');
    const config = buildConfig(
      parseArgs([
        '--demo',
        '--faults',
        '--no-propagation',
        '--demo-time-scale',
        TIME_SCALE,
        '--port',
        '0',
        '--otlp-port',
        '0',
        '--window',
        '30s',
        ...weftArgs(dir, []),
      ]),
      {},
      dir,
    );
    const started = Date.now();
    const weft: RunningWeft = await startWeft(config, silentLogger());
    cleanups.push(() => weft.stop());
    expect(weft.demo && weft.api).toBeTruthy();
    await expectExactlyFaults(weft.api!.url, [...faultKinds], 150_000, started);
    // The documented flows were rebuilt from pieces: no half-flows through an integration node.
    const graph = (await (await fetch(`${weft.api!.url}/api/v1/graph?since=30s`)).json()) as {
      edges: Array<{ source: string; target: string; observed: boolean }>;
    };
    expect(graph.edges.filter((e) => e.observed && (e.source.startsWith('integration:') || e.target.startsWith('integration:')))).toEqual([]);
  }, 200_000);

  it('history sent after start, then Weft killed (kill -9) mid-run and restarted while the estate keeps exporting: exactly the injected faults, from the history too', async () => {
    const dir = tempDir('history-kill');
    const gateway = new HoldingGateway();
    const gatewayUrl = await gateway.start();
    cleanups.push(() => gateway.stop());
    const demo = await startEstate(gatewayUrl, join(dir, 'estate'));
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
    (child as unknown as ChildProcess).kill('SIGTERM');
  }, 420_000);
});
