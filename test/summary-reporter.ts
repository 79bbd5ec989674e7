import type { Reporter, TestModule } from 'vitest/node';

/** How many of the costliest files the closing report lists. */
const COSTLIEST = 15;

/**
 * Prints, after the default report, the files that used the most CPU (`cpu: 41.2 s (children 3.1 s) in 70 s wall
 * demo/e2e.test.ts`, from the meta test/file-priority.ts attaches: the worker's CPU while the file ran, which includes
 * the engine's threads and what the file's own store merged), their sum against the whole run's, and one plain
 * closing line, "tests: N passed, N failed, N skipped". A file that failed without a failed test (its import or a
 * hook threw, and its tests were skipped) counts as one failure, so the line never says 0 failed for a run that failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      failed += mod.state() === 'failed' && failedHere === 0 ? 1 : failedHere;
    }
    process.stdout.write(costliest(testModules));
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

/** The COSTLIEST files by CPU (own threads and waited-for children), a line each, and the sum of all files. */
function costliest(testModules: ReadonlyArray<TestModule>): string {
  const files = testModules
    .map((mod) => ({ name: mod.relativeModuleId, cpu: mod.meta().cpuMs }))
    .filter((f): f is { name: string; cpu: NonNullable<typeof f.cpu> } => f.cpu !== undefined)
    .sort((a, b) => b.cpu.own + b.cpu.children - (a.cpu.own + a.cpu.children));
  if (files.length === 0) return '';
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const total = files.reduce((sum, f) => sum + f.cpu.own + f.cpu.children, 0);
  const lines = files
    .slice(0, COSTLIEST)
    .map((f) => `cpu: ${s(f.cpu.own + f.cpu.children)} s (children ${s(f.cpu.children)} s) in ${s(f.cpu.wallMs)} s wall  ${f.name}`);
  return `\nthe ${lines.length} files that used the most CPU (all ${files.length}: ${s(total)} CPU-s)\n${lines.join('\n')}\n`;
}
