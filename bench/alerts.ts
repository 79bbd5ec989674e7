/**
 * npm run bench:alerts (first part) — time from a fault switched on in the demo estate to the firing
 * notification received by a webhook receiver, per rule kind (latency, errors, stale, drift), at default
 * settings (weft start --demo: analyzer every 10 s, pairing every 5 s, late-arrival 10 s, alerts evaluated
 * right after each pairing run and finding change; the receiver's default groupWait 5 s). The
 * stale flow is remediated automatically (the runtime's run endpoint); the resolved notifications are timed too.
 * Usage: tsx bench/alerts.ts [warmupSeconds=300] — the warm-up fills the rules' 5-minute windows, so a
 * fault has to show against a full window of healthy traffic, as in an estate that has been running.
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import type { WebhookPayload } from '../alerting/index.ts';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { FaultKind } from '../demo/faults/fault-switches.ts';
import { startWeft } from '../runtime/start-weft.ts';
import { benchScratch } from './scratch.ts';

const warmupS = Number(process.argv[2] ?? 300);
const { dir, closing, run, sleep } = benchScratch('alerting-bench-');
await run(async () => {
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
  closing(hook, (h) => {
    h.closeAllConnections();
    return new Promise((r) => h.close(r));
  });
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

  const config = buildConfig(parseArgs(['--demo', '--no-faults', '--data', dir, '--port', '0', '--otlp-port', '0', '--log-level', 'error']), {}, process.cwd());
  const weft = closing(await startWeft(config, silentLogger()), (w) => w.stop());
  appendFileSync(weft.catalogFiles[0], `\nreceivers:\n  - { id: bench-hook, type: webhook, url: "${hookUrl}" }\nroutes:\n  - { receiver: bench-hook }\n`);
  await weft.analyzer!.reloadCatalog();
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
    `bench:alerts — weft start --demo at defaults (analyzer every ${config.analyzer.intervalMs / 1000}s, pairing every 5s, late-arrival ${config.analyzer.lateMs! / 1000}s; alerts evaluated after each pairing run and finding change; webhook groupWait 5s); load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; warming up ${warmupS} s`,
  );
  await sleep(warmupS * 1000);
  const early = received.filter((r) => r.payload.status === 'firing').flatMap((r) => r.payload.alerts.map((a) => a.labels.alertname));
  if (early.length) console.log(`(alerts firing before any fault: ${[...new Set(early)].join(', ')})`);

  interface Case {
    fault: FaultKind;
    rule: string;
    kind: string;
    /** What the catalog allows before the condition is true at all (stale: staleAfter after the last run; drift: the settle time). */
    allowance?: (t0: number) => Promise<number>;
    /** Switched off by Weft itself (auto remediation), not by the bench. */
    selfHealing?: boolean;
  }
  const cases: Case[] = [
    { fault: 'latency-regression', rule: 'flow-latency-p95', kind: 'latency' },
    { fault: 'failing-flow', rule: 'flow-error-rate', kind: 'errors' },
    {
      fault: 'stale-flow',
      rule: 'flow-stale',
      kind: 'stale',
      // The flow's last run before the fault + the batch class's staleAfter (60 s): the firing event's
      // value is how long the flow had been silent then.
      allowance: async (t0) => {
        const fired = (await weft.alerting!.alertStore.events()).find((e) => e.rule === 'flow-stale' && e.event === 'firing' && Date.parse(e.at) >= t0)!;
        return Date.parse(fired.at) - fired.value + 60_000;
      },
      selfHealing: true,
    },
    // The customer domain's drift settle time (45 s): a divergence younger than that is records in flight.
    { fault: 'replica-drift', rule: 'record-count-drift', kind: 'drift', allowance: async (t0) => t0 + 45_000 },
  ];
  const s1 = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
  const results: Array<{
    c: Case;
    fired: number | null;
    firedAlert: number | null;
    beyond: number | null;
    off: number;
    resolved: number | null;
    load: number;
  }> = [];
  for (const c of cases) {
    const t0 = Date.now();
    weft.demo!.setFault(c.fault, true);
    const fired = await waitFor(c.rule, 'firing', t0, 240_000);
    const alert = (await weft.alerting!.alertStore.listAlerts(['firing', 'resolved'])).find(
      (a) => a.rule === c.rule && a.firedAt && Date.parse(a.firedAt) >= t0,
    );
    const beyond = fired !== null && c.allowance ? t0 + fired - (await c.allowance(t0)) : null;
    const off = Date.now();
    if (!c.selfHealing) weft.demo!.setFault(c.fault, false);
    const r = {
      c,
      fired,
      firedAlert: alert?.firedAt ? Date.parse(alert.firedAt) - t0 : null,
      beyond,
      off: c.selfHealing ? t0 : off,
      resolved: null,
      load: loadavg()[0],
    };
    results.push(r);
    console.log(
      `${c.kind.padEnd(7)} ${c.fault.padEnd(19)} ${c.rule.padEnd(19)} fault → alert firing ${s1(r.firedAlert)}, → webhook firing notification ${fired === null ? 'none in 240 s' : s1(fired)}${
        beyond !== null ? ` (${s1(beyond)} after the catalog's allowance ran out)` : ''
      }  (load ${r.load.toFixed(1)})`,
    );
  }
  // Resolved notifications: the faults were switched off right after their firing notification (the stale
  // flow is run again by the automatic remediation); latency and errors resolve once their 5-minute window is
  // clean and keepFiringFor (5 min) has passed, so they are awaited together.
  console.log('waiting for the resolved notifications (latency and errors: window 5 min + keepFiringFor 5 min)…');
  await Promise.all(
    results.map(async (r) => {
      if (r.fired !== null) r.resolved = await waitFor(r.c.rule, 'resolved', r.off, 900_000);
    }),
  );
  for (const r of results) {
    const attempts = r.c.selfHealing ? await weft.alerting!.alertStore.attempts() : [];
    console.log(
      `${r.c.kind.padEnd(7)} resolved notification ${r.resolved === null ? 'none' : `${s1(r.resolved)} after ${r.c.selfHealing ? 'the fault (remediated automatically: ' + attempts.map((a) => a.outcome).join(', ') + ')' : 'the fault was switched off'}`}`,
    );
  }
  const firing = received.filter((r) => r.payload.status === 'firing').length;
  console.log(
    `webhook messages: ${received.length} (${firing} firing, ${received.length - firing} resolved) for ${cases.length} faults; load ${loadavg()[0].toFixed(1)}`,
  );
});
