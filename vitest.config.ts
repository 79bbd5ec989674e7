import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that run in a process of their own: the end-to-end runs of the demo estate and the browser
 * tests. They start whole Wefts (collector, analyzer, API, demo estate) for minutes and are the most
 * sensitive to a busy machine, so nothing else's state or timers share their process.
 */
const ownProcess = ['demo/e2e*.test.ts', 'alerting/demo-remediation.test.ts', 'test/auto-estate-*.test.ts', 'ui/ui.int.test.ts', 'runtime/*e2e*.test.ts'];

/** The longest files, started first so that the suite does not end waiting on one of them (patterns, in order). */
const longestFirst = [
  /demo\/e2e-modes\.test\.ts$/,
  /demo\/e2e\.test\.ts$/,
  /ui\/ui\.int\.test\.ts$/,
  /alerting\/demo-remediation\.test\.ts$/,
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

// chDB binds one data directory per process at a time: a file opens its store and closes it before the
// next file in the same process opens another. Every other file shares its worker process with the files
// before it (no new process and no new module graph per file: half the suite's CPU time on 2 cores).
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'own-process', include: ownProcess, exclude, isolate: true } },
      { extends: true, test: { name: 'shared', include: ['**/*.test.ts'], exclude: [...exclude, ...ownProcess], isolate: false } },
    ],
  },
});
