import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import { startOrder } from './test/schedule.ts';

/** Starts files in `startOrder` (test/schedule.ts); the rest keep vitest's order. */
class StartOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = startOrder.findIndex((p) => p.test(f.moduleId));
      return i === -1 ? startOrder.length : i;
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
// Four worker processes on two cores: the longest files mostly wait (on the demo estate's pace, the
// analyzer's runs, a page's network going idle: the browser file used 39 CPU-s in 91 s, the demo's
// end-to-end modes 46 in 96), and the two more workers run other files in those waits.
// Measured 2026-12-01 (CPU per file from /proc/self/stat, children included): the suite used 680–695 CPU-s, 70 % of
// it in 14 files. The files that run a demo estate use CPU for as long as they run (0.6–0.9 CPU-s a second: the
// estate's traffic and a Weft analysing it every 2 s), so they cost more on a busier machine: the history-and-kill
// file used 41 CPU-s in 70 s alone and 95 in 264 s in the suite. Six workers ran 624 s and five estate files missed
// their deadlines. Starting at most two estates at a time, with the other files at a lower priority (nice 10,
// test/schedule.ts), ran as long (455 s against 447), the browser files slower by what the estates gained; it is
// kept because an estate starved of CPU cannot keep its pace: two clean-clone runs with every file at one priority
// failed in the estates at load 11–12 (one's start over 60 s; flows stale, calls slow), and the run with it passed.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 4,
    reporters: ['default', './test/summary-reporter.ts'],
    sequence: { sequencer: StartOrder },
    setupFiles: ['./test/file-priority.ts'],
    include: ['**/*.test.ts'],
    exclude,
    isolate: false,
    globalSetup: ['./test/run-dir.ts'],
    // expect.poll waits on a browser drawing a page or a running Weft analysing: under a loaded CI machine
    // that takes seconds, not vitest's default 1 s (a phone page's 8 span rows were not drawn in 1 s).
    expect: { poll: { timeout: 30_000, interval: 100 } },
  },
});
