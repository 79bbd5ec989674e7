import { afterAll, expect } from 'vitest';
import { openEmbeddedStores } from '../clickhouse/index.ts';
import { filePriority } from './schedule.ts';

// Vitest setup file, run in a file's worker before the file.
const file = expect.getState().testPath ?? '';

// The worker's priority for that file (schedule.ts).
filePriority(file);

// After the file's own hooks: an embedded store the file left open is closed, so that the worker's next file can open
// its own (chDB binds one data directory a process). Regression: a test that timed out on a loaded machine (its own
// finally never ran) left its store open, and every later file of its worker failed to open one ("only one active data
// directory per process"), 9 files in one run.
afterAll(async () => {
  for (const store of openEmbeddedStores()) {
    process.stderr.write(`${file} left the embedded store at ${store.path} open: closed after the file.\n`);
    await store.close();
  }
});
