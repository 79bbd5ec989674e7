import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

// Regression: the report sections imported the analyzer's and the probes' indexes, which load the store and with it
// libchdb; a worker thread that had loaded it crashed the whole process (SIGSEGV) when it ended.
describe('the report worker thread', () => {
  it('loads neither libchdb nor the store', async () => {
    const main = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
    const worker = new Worker(
      `require('tsx/cjs/api').register(); require(${JSON.stringify(main)});
       require('node:worker_threads').parentPort.postMessage(Object.keys(require.cache).filter((f) => /[\\/]chdb|[\\/]clickhouse[\\/]/.test(f)));
       process.exit(0);`,
      { eval: true },
    );
    const loaded = await new Promise<string[]>((resolve, reject) => (worker.once('message', resolve), worker.once('error', reject)));
    expect(loaded).toEqual([]);
  }, 60_000);
});
