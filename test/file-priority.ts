import { readFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import { openEmbeddedStores } from '../clickhouse/index.ts';
import { filePriority } from './schedule.ts';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** CPU the file's worker process used while the file ran (ms): its own threads, and children it waited for. */
    cpuMs?: { own: number; children: number; wallMs: number };
  }
}

// Vitest setup file, run in a file's worker before the file.
const file = expect.getState().testPath ?? '';

// The worker's priority for that file (schedule.ts).
filePriority(file);

/**
 * CPU time of this process's waited-for children (ms), from /proc/self/stat's cutime and cstime (clock ticks, 100 a
 * second on Linux); 0 where there is no /proc.
 */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}
const started = { cpu: process.cpuUsage(), children: childrenCpuMs(), wall: performance.now() };

// After the file's own hooks: an embedded store the file left open is closed, so that the worker's next file can open
// its own (chDB binds one data directory a process). Regression: a test that timed out on a loaded machine (its own
// finally never ran) left its store open, and every later file of its worker failed to open one ("only one active data
// directory per process"), 9 files in one run.
// The file's CPU, for the run's closing list of the costliest files (summary-reporter.ts): what to make cheaper first.
// (Vitest reads a hook's first parameter as fixtures, and takes only an object pattern there.)
afterAll(async ({}, suite) => {
  for (const store of openEmbeddedStores()) {
    process.stderr.write(`${file} left the embedded store at ${store.path} open: closed after the file.\n`);
    await store.close();
  }
  const cpu = process.cpuUsage(started.cpu);
  suite.meta.cpuMs = {
    own: Math.round((cpu.user + cpu.system) / 1000),
    children: childrenCpuMs() - started.children,
    wallMs: Math.round(performance.now() - started.wall),
  };
});
