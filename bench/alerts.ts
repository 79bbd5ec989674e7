/**
 * npm run bench:alerts (first part) — time from a fault switched on in the demo estate to the firing
 * notification received by a webhook receiver, per rule kind, at default settings (weft start --demo:
 * analyzer and alerting every 10 s, late-arrival 10 s; the receiver's default groupWait 5 s). The
 * stale flow is remediated automatically (the runtime's run endpoint); its resolved notification is timed too.
 * Usage: tsx bench/alerts.ts
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebhookPayload } from '../alerting/index.ts';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { FaultKind } from '../demo/faults/fault-switches.ts';
import { startWeft } from '../runtime/start-weft.ts';

const received: Array<{ at: number; payload: WebhookPayload }> = [];
const hook = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    received.push({ at: Date.now(), payload: JSON.parse(body) as WebhookPayload });
    res.end('{}');
  });
});
await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

const dir = mkdtempSync(join(tmpdir(), 'alerting-bench-'));
const config = buildConfig(parseArgs(['--demo', '--no-faults', '--data', dir, '--port', '0', '--otlp-port', '0', '--log-level', 'warn']), {}, process.cwd());
const weft = await startWeft(config, silentLogger());
appendFileSync(weft.catalogFiles[0], `\nreceivers:\n  - { id: bench-hook, type: webhook, url: "${hookUrl}" }\nroutes:\n  - { receiver: bench-hook }\n`);
await weft.analyzer!.reloadCatalog();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seen = (rule: string, status: 'firing' | 'resolved', after: number) =>
  received.find((r) => r.at >= after && r.payload.alerts.some((a) => a.labels.alertname === rule && a.status === status));
async function waitFor(rule: string, status: 'firing' | 'resolved', after: number, timeoutMs: number): Promise<number | null> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(250)) {
    const r = seen(rule, status, after);
    if (r) return r.at - after;
  }
  return null;
}

console.log(
  `bench:alerts — weft start --demo at defaults (evaluation every ${config.analyzer.intervalMs / 1000}s, late-arrival ${config.analyzer.lateMs! / 1000}s, webhook groupWait 5s); warming up 60 s`,
);
await sleep(60_000);
const early = received.filter((r) => r.payload.status === 'firing').flatMap((r) => r.payload.alerts.map((a) => a.labels.alertname));
if (early.length) console.log(`(alerts firing before any fault: ${[...new Set(early)].join(', ')})`);
const cases: Array<{ fault: FaultKind; rule: string; kind: string }> = [
  { fault: 'latency-regression', rule: 'flow-latency-p95', kind: 'latency' },
  { fault: 'stale-flow', rule: 'flow-stale', kind: 'stale' },
  { fault: 'replica-drift', rule: 'record-count-drift', kind: 'drift' },
];
const rows: string[] = [];
for (const c of cases) {
  const t0 = Date.now();
  weft.demo!.setFault(c.fault, true);
  const fired = await waitFor(c.rule, 'firing', t0, 240_000);
  let resolved = 'not awaited';
  if (c.fault === 'stale-flow') {
    // Nobody switches the fault off: the remediation calls the runtime's run endpoint.
    const r = fired === null ? null : await waitFor(c.rule, 'resolved', t0, 240_000);
    const attempts = await weft.alerting!.alertStore.attempts();
    resolved =
      r === null
        ? 'did not resolve in 240 s'
        : `resolved ${(r / 1000).toFixed(1)} s after the fault (remediation ${attempts
            .filter((a) => a.action === 'rerun-product-sync')
            .map((a) => a.outcome)
            .join(', ')})`;
  } else {
    weft.demo!.setFault(c.fault, false);
  }
  const line = `${c.kind.padEnd(8)} ${c.fault.padEnd(20)} ${c.rule.padEnd(20)} fault → firing notification: ${fired === null ? 'none in 240 s' : `${(fired / 1000).toFixed(1)} s`}  ${resolved}  (load ${loadavg()[0].toFixed(1)})`;
  rows.push(line);
  console.log(line);
}
console.log('errors   (the demo has no fault that makes a flow fail; not measured)');
const repeats = received.filter((r) => r.payload.status === 'firing').length;
console.log(`webhook messages: ${received.length} (${repeats} firing, ${received.length - repeats} resolved) for ${cases.length} faults`);
await weft.stop();
hook.close();
rmSync(dir, { recursive: true, force: true });
