import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/** The longest files, started first so that the suite does not end waiting on one of them (patterns, in order). */
const longestFirst = [
  /ui\/ui\.int\.test\.ts$/,
  /demo\/e2e-modes\.test\.ts$/,
  /alerting\/demo-remediation\.test\.ts$/,
  /cli\/commands\/start-counts\.int\.test\.ts$/,
  /demo\/e2e\.test\.ts$/,
  /runtime\/lineage-hops-e2e\.test\.ts$/,
  /test\/auto-estate-/,
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = longestFirst.findIndex((p) => p.test(f.moduleId));
      return i === -1 ? longestFirst.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

const exclude = ['node_modules/**', 'ui/node_modules/**', 'ui/build/**', 'ui/.svelte-kit/**', '.weft/**'];

// The run's temporary directory (TMPDIR) is its own, on the RAM disk when there is one, and removed
// when the run ends (test/run-dir.ts).
// Files share their worker process (and its module graph) with the files before them: no new process
// and no new imports per file, which were half the suite's CPU time on 2 cores. chDB binds one data
// directory per process at a time, so a file closes its store (and stops any Weft it started) before
// the next file in the same process opens another.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    sequence: { sequencer: LongestFirst },
    include: ['**/*.test.ts'],
    exclude,
    isolate: false,
    globalSetup: ['./test/run-dir.ts'],
  },
});
