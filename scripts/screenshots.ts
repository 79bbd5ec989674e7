/**
 * npm run screenshots — the pictures in docs/screenshots/ (and the README), taken from the living demo:
 * Weft and the demo estate start in this process (temp data directory, free ports, three times faster
 * than `npm start`), the script waits until every injected fault is reported (its finding opened, or its
 * remediation ran), with the logs silenced (the demo's faults make its jobs fail on purpose), then Debian's chromium
 * opens each page as a person would and saves it. Run it after changing a page.
 * Usage: tsx scripts/screenshots.ts [outDir=docs/screenshots]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import type { FindingKind } from '../core/contracts/index.ts';
import { faultReported, faultSignatures, type FaultKind } from '../demo/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { startWeft } from '../runtime/start-weft.ts';
import { chromiumLaunch } from '../test/services.ts';

const out = resolve(process.argv[2] ?? 'docs/screenshots');
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'weft-screenshots-'));
const config = buildConfig(
  parseArgs(['--demo', '--demo-time-scale', '0.3', '--data', dir, '--port', '0', '--otlp-port', '0', '--analyze-every', '3s', '--log-level', 'silent']),
  {},
  dir,
);
const startedAt = new Date();
const weft = await startWeft(config, silentLogger());
const base = weft.api!.url;
const get = async <T>(path: string): Promise<T> => (await fetch(`${base}/api/v1${path}`)).json() as Promise<T>;

type F = {
  id: string;
  kind: FindingKind;
  status: string;
  subject: { systems: string[]; flows: string[]; domains: string[] };
  evidence: Record<string, unknown>;
};
// Wait for what the demo shows: each active fault's finding (resolved ones count: the stale product sync is
// re-run by the demo's auto remediation, which may resolve its finding before this loop sees it open), or a
// remediation run for the fault's flow.
const faults = weft.demo?.activeFaults() ?? [];
const deadline = Date.now() + 240_000;
let findings: F[] = [];
let missing: FaultKind[] = [];
for (;;) {
  findings = (await get<{ findings: F[] }>('/findings?status=open,acknowledged,resolved')).findings;
  const attempts = (await get<{ attempts?: Array<{ flow: string }> }>('/remediations?limit=500')).attempts ?? [];
  const remediated = new Set(attempts.map((a) => a.flow));
  missing = faults.filter((k) => !faultReported(faultSignatures[k], findings, remediated));
  if (missing.length === 0) break;
  if (Date.now() > deadline) {
    console.warn(`not reported within 4 minutes: ${missing.map((k) => `${k} (${faultSignatures[k].finding})`).join(', ')}; taking the pictures anyway`);
    break;
  }
  await new Promise((r) => setTimeout(r, 2000));
}
console.log(`${faults.length - missing.length} of ${faults.length} demo faults reported after ${Math.round((Date.now() - deadline + 240_000) / 1000)} s`);
findings = findings.filter((f) => f.status !== 'resolved');
// The charts need a few minutes of runs: the flow page is taken over the demo's whole run (from its start).
const minRunMs = 180_000;
if (Date.now() - startedAt.getTime() < minRunMs) {
  console.log(
    `letting the demo run ${Math.round((minRunMs - (Date.now() - startedAt.getTime())) / 1000)} s more, so the charts have ${minRunMs / 60_000} minutes of runs`,
  );
  await new Promise((r) => setTimeout(r, minRunMs - (Date.now() - startedAt.getTime())));
}
const sinceStart = `from=${encodeURIComponent(startedAt.toISOString())}`;

const browser = await chromium.launch(chromiumLaunch);
const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const shoot = async (name: string, path: string, ready?: (p: Page) => Promise<unknown>) => {
  // A page that says what it waits for is taken once loaded: the overview's requests (prefetched with the app,
  // refreshed every 15 s) kept 'networkidle' from ever coming.
  await page.goto(`${base}${path}`, { waitUntil: ready ? 'load' : 'networkidle' });
  if (ready) await ready(page);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
  console.log(`${name.padEnd(12)} ${path}`);
};

const latency = findings.find((f) => f.kind === 'latency-slo-breach');
const trace = (latency?.evidence.sampleTraceIds as string[] | undefined)?.[0];
await shoot('overview', '/', (p) => p.getByRole('img', { name: /^Dependency graph of/ }).waitFor());
await shoot('focus', '/?focus=erp&hops=1', (p) => p.getByRole('img', { name: /^Dependency graph of/ }).waitFor());
await shoot('inventory', '/inventory?tab=flows');
await shoot('findings', '/findings');
if (latency) await shoot('finding', `/findings/${latency.id}`);
// Compared with the period before, the range is the run's second half: the period before is its first half, not before the demo began.
const half = new Date((startedAt.getTime() + Date.now()) / 2);
// Once the charts are drawn and the summary holds the period before's figures ('…' while they load).
await shoot('flow', `/flows/erp-wms-pick-task?from=${encodeURIComponent(half.toISOString())}&compare=1`, async (p) => {
  await p.getByRole('img', { name: /^Throughput of/ }).waitFor();
  await p.waitForFunction(
    `(() => { const c = document.querySelectorAll('[data-testid="figure-traces"] td')[2]; return !!c && c.textContent.trim() !== '…'; })()`,
  );
});
if (trace) await shoot('trace', `/traces/${trace}`, (p) => p.getByTestId('span-row').first().waitFor());
await shoot('traces', '/traces');
await shoot('probes', '/probes');
for (const [name, path] of [
  ['alerts', '/alerts'],
  ['reports', '/reports'],
] as const) {
  const status = (await fetch(`${base}${path}`)).status;
  if (status === 200) await shoot(name, path);
}
const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
await phone.goto(`${base}/findings`, { waitUntil: 'networkidle' });
await phone.waitForTimeout(1000);
await phone.screenshot({ path: join(out, 'phone-findings.png') });
console.log(`phone        /findings at 390 px`);
// Tables become one card a row on a phone, and the flow's time labels stay apart.
await phone.goto(`${base}/flows/erp-wms-pick-task?${sinceStart}`, { waitUntil: 'networkidle' });
await phone.getByRole('img', { name: /^Throughput of/ }).waitFor();
await phone.waitForTimeout(1000);
await phone.screenshot({ path: join(out, 'phone-flow.png'), fullPage: true });
console.log(`phone        /flows/erp-wms-pick-task?${sinceStart} at 390 px`);
await phone.goto(`${base}/inventory?tab=flows`, { waitUntil: 'networkidle' });
await phone.waitForTimeout(1000);
await phone.screenshot({ path: join(out, 'phone-inventory.png') });
console.log(`phone        /inventory?tab=flows at 390 px`);
// The overview's graph fits a phone: every node and label inside the canvas, the legend below it.
await phone.goto(`${base}/`, { waitUntil: 'load' });
await phone.getByRole('img', { name: /^Dependency graph of/ }).waitFor();
await phone.waitForTimeout(1500);
await phone.screenshot({ path: join(out, 'phone-overview.png'), fullPage: true });
console.log(`phone        / at 390 px`);

await browser.close();
await weft.stop();
rmSync(dir, { recursive: true, force: true });
console.log(`screenshots in ${out}`);
