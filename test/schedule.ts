import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Files that run a whole demo estate (its systems and integrations, a Weft analysing them every few seconds)
 * until its findings settle. Their CPU time follows their wall time, 0.6–0.9 CPU-s a second: the history-and-kill
 * file used 41 CPU-s in 70 s alone and 95 in 264 s among three others on 2 cores (2026-12-01), and an estate
 * starved of CPU cannot keep its own pace (its flows look stale, its calls slow). They run at normal priority;
 * every other file lowers its worker's (`filePriority`).
 */
export const estateFiles = [/demo\/e2e\.test\.ts$/, /demo\/e2e-history-kill\.test\.ts$/, /alerting\/demo-remediation\.test\.ts$/];

/**
 * The order files start in (patterns; files matching none come after, in vitest's own order). Two estates first,
 * then the browser files, which mostly wait on pages and take the CPU the estates leave; the third estate
 * starts as one of the first two ends, so that no more than two share the 2 cores; then the longest of the rest (their
 * times in a run of the suite on 2 cores, 2026-12-01: 92, 53, 33, 32, 27, 24, 23 s; the rest under 21 s).
 */
export const startOrder = [
  /demo\/e2e\.test\.ts$/,
  /demo\/e2e-history-kill\.test\.ts$/,
  /ui\/ui\.int\.test\.ts$/,
  /ui\/flow-page\.int\.test\.ts$/,
  /alerting\/demo-remediation\.test\.ts$/,
  /analyzer\/flows\/pairing-job\.test\.ts$/,
  /ui\/graph\.int\.test\.ts$/,
  /runtime\/lineage-hops-e2e\.test\.ts$/,
  /test\/auto-estate-/,
  /api\/routes\/analyzer-routes\.test\.ts$/,
  /reports\/schedule\/scheduled-reports\.int\.test\.ts$/,
  /probes\/start-probes\.int\.test\.ts$/,
];

/** Nice value of a worker running a file that is not an estate: the kernel gives it the CPU the estates leave. */
const BACKGROUND_NICE = 10;

/**
 * Sets every thread of this process (the worker's, chDB's pools, an estate's worker thread) to the priority
 * `file` runs at: 0 for an estate file (`estateFiles`), BACKGROUND_NICE for any other. Threads and processes
 * started later inherit it from the thread that starts them. Linux only (a thread's nice value is its own, so
 * each is set). A priority the user may not set (raising one back to 0 needs root) is left as it is: then
 * every file of that worker runs at the same lower priority, as without this.
 */
export function filePriority(file: string): void {
  if (process.platform !== 'linux') return;
  const nice = estateFiles.some((p) => p.test(file)) ? 0 : BACKGROUND_NICE;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // EACCES without the privilege to raise a priority; ESRCH for a thread that has just ended.
    }
  }
}
