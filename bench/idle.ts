// npm run bench:idle [seconds] — the CPU a running demo Weft uses while nothing goes wrong: `weft start --demo` (its
// estate's traffic, probes, and an analysis every 2 s over a 30 s window, at 0.4 of the demo's time, as the end-to-end
// tests run it), measured over `seconds` (default 60) after a 30 s warm-up, from /proc/<pid>/stat (the process and the
// engine's threads in it). Two runs, one after the other: the collector's default WEFT_BATCH_MAX_WAIT_MS (a spool
// segment sealed 5 s after its first row, or 1 s after its last rows when no more came), and the baseline, 1 s after its
// first row. Prints CPU-seconds a minute for each. Linux only.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchScratch } from './scratch.ts';

const seconds = Number(process.argv[2] ?? 60);
if (!(seconds > 0)) throw new Error('usage: tsx bench/idle.ts [seconds > 0]');
const { dir, sleep, run, closing } = benchScratch('weft-bench-idle-');

/** utime + stime of `pid` (clock ticks: 100 a second on Linux). */
const ticks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

/** CPU-seconds a minute of a demo Weft started with `env` added. */
async function measure(name: string, env: Record<string, string>): Promise<number> {
  const data = join(dir, name);
  const args = ['bin/weft.mjs', 'start', '--demo', '--no-faults', '--no-auto-remediation', '--demo-time-scale', '0.4'];
  args.push('--log-level', 'warn', '--data', data, '--port', '0', '--otlp-port', '0', '--analyze-every', '2s', '--window', '30s');
  const child = closing(spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' }), async (c) => {
    if (c.exitCode !== null) return;
    const ended = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await ended;
  });
  await sleep(30_000);
  if (child.exitCode !== null || child.pid === undefined) throw new Error(`weft start --demo ended early (exit ${child.exitCode})`);
  const t0 = ticks(child.pid);
  await sleep(seconds * 1000);
  const used = (ticks(child.pid) - t0) / 100;
  const ended = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await ended;
  return (used / seconds) * 60;
}

await run(async () => {
  const current = await measure('default', {});
  const baseline = await measure('batch-1s', { WEFT_BATCH_MAX_WAIT_MS: '1000' });
  console.log(`a demo Weft, analysis every 2 s, ${seconds} s after a 30 s warm-up (load ${loadavg()[0].toFixed(1)}):`);
  console.log(`  default (sealed after 5 s, or idle 1 s) ${current.toFixed(1)} CPU-s a minute`);
  console.log(`  WEFT_BATCH_MAX_WAIT_MS=1000 (baseline)  ${baseline.toFixed(1)} CPU-s a minute`);
  console.log(`  ratio: ${(current / baseline).toFixed(2)}`);
});
