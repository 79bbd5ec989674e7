/**
 * npm run bench:report-loop — what a compliance report export does to the event loop the collector, the analyzer and
 * the API share, on a large estate (bench/report-estate.ts: systems × flows, every flow documented, half of them
 * regulated). Each phase runs in a fresh process on the same data directory (`weft start`'s parts in one process on
 * the embedded store) and, while its exports run, measures the event loop's delay (perf_hooks.monitorEventLoopDelay,
 * max and p99), the latency of the collector's GET /healthz (asked every 20 ms, one at a time, from a thread of its own) and the process's
 * peak RSS (sampled every 50 ms; worker threads count in it). Phases:
 *   worker ×1, ×5  the fix: POST /api/v1/reports to the running Weft (assembly in a worker thread, 1 export at a time,
 *                  the others waiting in its queue: the defaults)
 *   loop ×1, ×5    the baseline in the same run: the old path, assembled on the event loop and not bounded (5 at once)
 *   idle           no export for 30 s: what the process shows without one
 * The analyzer evaluates once at the start and then hourly (--analyze-every 1h), so that its own evaluations of the
 * large estate are not counted as the export's.
 * Usage: tsx bench/report-loop.ts [systems=3000] [flows=3000] [phases, e.g. idle,worker-1 (default: all five)]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { createReportService } from '../reports/index.ts';
import { startWeft } from '../runtime/start-weft.ts';
import { reportEstateYaml } from './report-estate.ts';

/** Asks GET /healthz every 20 ms (one at a time) until told to stop; answers with the latencies (ms). */
const PINGER = `
const { parentPort, workerData } = require('node:worker_threads');
const latencies = [];
let running = true;
parentPort.once('message', () => (running = false));
(async () => {
  while (running) {
    const t = performance.now();
    await (await fetch(workerData.url)).text();
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  parentPort.postMessage(latencies);
})();
`;

type Phase = 'idle' | 'worker-1' | 'worker-5' | 'loop-1' | 'loop-5';
interface Figures {
  phase: Phase;
  seconds: number;
  loopMaxMs: number;
  loopP99Ms: number;
  healthzMaxMs: number;
  healthzP99Ms: number;
  healthzAsked: number;
  rssStartMb: number;
  rssPeakMb: number;
  bytes: number;
}

const phaseAt = process.argv.indexOf('--phase');
if (phaseAt >= 0) await runPhase(process.argv[phaseAt + 1] as Phase, process.argv[process.argv.indexOf('--dir') + 1]);
else await main(Number(process.argv[2] ?? 3000), Number(process.argv[3] ?? 3000), process.argv[4]?.split(',') as Phase[] | undefined);

async function main(systems: number, flows: number, only?: Phase[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-loop-'));
  try {
    writeFileSync(join(dir, 'estate.yaml'), reportEstateYaml(systems, flows));
    mkdirSync(join(dir, 'data'));
    console.log(
      `estate: ${systems} systems, ${flows} flows; data in ${dir}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const results: Figures[] = [];
    for (const phase of only ?? (['idle', 'worker-1', 'loop-1', 'worker-5', 'loop-5'] as Phase[])) {
      const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--phase', phase, '--dir', dir], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      });
      const figures = JSON.parse(out.trim().split('\n').at(-1)!) as Figures;
      results.push(figures);
      console.log(
        `${phase.padEnd(9)} ${figures.seconds.toFixed(1).padStart(6)} s   loop delay max ${ms(figures.loopMaxMs)} p99 ${ms(figures.loopP99Ms)}   ` +
          `/healthz max ${ms(figures.healthzMaxMs)} p99 ${ms(figures.healthzP99Ms)} (${figures.healthzAsked} asked)   RSS ${figures.rssStartMb.toFixed(0)} → peak ${figures.rssPeakMb.toFixed(0)} MB`,
      );
    }
    if (results.length < 5) return;
    const by = (p: Phase) => results.find((r) => r.phase === p)!;
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : '—');
    console.log(
      `1 export:  loop delay max ${ms(by('loop-1').loopMaxMs)} on the loop vs ${ms(by('worker-1').loopMaxMs)} with the worker (${ratio(by('loop-1').loopMaxMs, by('worker-1').loopMaxMs)}); ` +
        `/healthz max ${ms(by('loop-1').healthzMaxMs)} vs ${ms(by('worker-1').healthzMaxMs)} (${ratio(by('loop-1').healthzMaxMs, by('worker-1').healthzMaxMs)})`,
    );
    console.log(
      `5 exports: peak RSS ${by('loop-5').rssPeakMb.toFixed(0)} MB on the loop, all at once vs ${by('worker-5').rssPeakMb.toFixed(0)} MB with the worker, one at a time; ` +
        `loop delay max ${ms(by('loop-5').loopMaxMs)} vs ${ms(by('worker-5').loopMaxMs)}; /healthz max ${ms(by('loop-5').healthzMaxMs)} vs ${ms(by('worker-5').healthzMaxMs)}`,
    );
    console.log(
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ms(v: number): string {
  return `${v.toFixed(0)} ms`.padStart(8);
}

/** The 99th percentile of `values` (ms). */
function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

async function runPhase(phase: Phase, dir: string): Promise<void> {
  const args = [
    '--data',
    join(dir, 'data'),
    '--catalog',
    join(dir, 'estate.yaml'),
    '--port',
    '0',
    '--otlp-port',
    '0',
    '--log-level',
    'warn',
    '--analyze-every',
    '1h',
  ];
  const weft = await startWeft(buildConfig(parseArgs(args), {}, dir), silentLogger());
  // The start's own work (migrations, the catalog stored, the first analysis) settles before the measure; the analyzer
  // runs again only in an hour, so the figures are the export's (on this estate an evaluation alone holds the loop for
  // seconds: measure it with --analyze-every at its default, 30s).
  await new Promise((r) => setTimeout(r, 15_000));
  const count = phase.endsWith('-5') ? 5 : 1;
  const period = { since: '6h' };
  // /healthz is asked from a thread of its own, so that a request falls due, is sent and waits while the loop is held.
  const pinger = new Worker(PINGER, { eval: true, workerData: { url: `${weft.collector!.url}/healthz` } });
  let rssPeak = process.memoryUsage.rss();
  const rssStart = rssPeak;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 50);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  let bytes = 0;
  if (phase === 'idle') {
    // No export: what the loop and /healthz show with the parts' own work alone (the analyzer's evaluations).
    await new Promise((r) => setTimeout(r, 30_000));
  } else if (phase.startsWith('worker')) {
    const api = weft.api!.url;
    const post = async () => {
      const res = await fetch(`${api}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(period) });
      if (res.status !== 202) throw new Error(`POST /api/v1/reports answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { report: { id: string } }).report.id;
    };
    const ids = await Promise.all(Array.from({ length: count }, post));
    for (const id of ids) {
      for (;;) {
        const { report } = (await (await fetch(`${api}/api/v1/reports/${id}`)).json()) as { report: { status: string; bytes: number; error: string } };
        if (report.status === 'failed') throw new Error(`report ${id} failed: ${report.error}`);
        if (report.status === 'done') {
          bytes = report.bytes;
          break;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } else {
    // The old path: assembled on the event loop, every export at once.
    const service = createReportService({
      store: weft.store,
      dataDir: join(dir, 'data'),
      logger: silentLogger(),
      assembly: 'loop',
      exports: { concurrency: count, queue: 0 },
    });
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: count }, () =>
        service.generate({
          period: { since: new Date(now - 6 * 3_600_000).toISOString(), until: new Date(now).toISOString() },
          actor: 'bench',
          trigger: 'api',
        }),
      ),
    );
    bytes = results[0].zip.length;
  }
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  pinger.postMessage('stop');
  const healthz = await new Promise<number[]>((resolve) => pinger.once('message', resolve));
  clearInterval(sampler);
  const figures: Figures = {
    phase,
    seconds,
    loopMaxMs: delay.max / 1e6,
    loopP99Ms: delay.percentile(99) / 1e6,
    healthzMaxMs: Math.max(...healthz),
    healthzP99Ms: p99(healthz),
    healthzAsked: healthz.length,
    rssStartMb: rssStart / 1e6,
    rssPeakMb: rssPeak / 1e6,
    bytes,
  };
  await weft.stop();
  console.log(JSON.stringify(figures));
  process.exit(0);
}
