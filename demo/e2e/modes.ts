import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Finding } from '../../core/contracts/index.ts';
import { explainedBy, faultSignatures, provesFault } from '../faults/expected-findings.ts';
import type { FaultKind } from '../faults/fault-switches.ts';
import type { DemoEstate } from '../start-demo.ts';
import { startDemoWorker } from '../worker/start-demo-worker.ts';
import { describeFindings, openFindings, waitFor } from './weft-client.ts';

/**
 * Helpers of the end-to-end test of telemetry as it really arrives (`e2e-history-kill.test.ts`): the demo
 * estate with every fault on; the findings must be exactly the injected faults, nothing else. Demo time
 * scale 0.25, analyzer every 2 s.
 */
export const TIME_SCALE = '0.25';
/** A wait of the estate's own time, written for time scale 0.4 and scaled to TIME_SCALE. */
export const estateMs = (msAt04: number) => Math.round((msAt04 * Number(TIME_SCALE)) / 0.4);

/** What a test started, stopped in reverse order by `run()` (each test file calls it in its own afterEach). */
export class Cleanups {
  private readonly list: Array<() => Promise<void>> = [];
  push(c: () => Promise<void>): void {
    this.list.push(c);
  }
  async run(): Promise<void> {
    for (const c of this.list.splice(0).reverse()) await c().catch(() => undefined);
  }
  /** A new temporary directory `weft-e2e-<name>-…`, removed at cleanup. */
  tempDir(name: string): string {
    const dir = mkdtempSync(join(tmpdir(), `weft-e2e-${name}-`));
    this.push(async () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }
}

/** Every fault is proven by a finding, and no finding is unexplained, twice in a row; prints the time to each. */
export async function expectExactlyFaults(apiUrl: string, expected: FaultKind[], deadlineMs: number, since: number): Promise<void> {
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

/** A free TCP port on 127.0.0.1 (listened on and closed). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The estate on its own thread, exporting to `otlpUrl`, every fault on; stopped at cleanup. */
export async function startEstate(cleanups: Cleanups, otlpUrl: string, workDir: string, propagation = true): Promise<DemoEstate> {
  // The ETL jobs' OpenLineage events go through the same gateway (it forwards /api/… to Weft's API).
  const demo = await startDemoWorker({ otlpUrl, lineageUrl: otlpUrl, workDir, faults: true, timeScale: Number(TIME_SCALE), propagation, logLevel: 'warn' });
  cleanups.push(() => demo.stop());
  return demo;
}

// Without automatic remediation: the stale-flow fault must stay open to be listed (alerting's own tests cover remediation).
export const weftArgs = (dir: string, more: string[]) => [
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
