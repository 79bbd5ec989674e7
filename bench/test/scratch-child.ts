// A bench in miniature for bench/scratch.test.ts: `node --import tsx bench/test/scratch-child.ts MODE [DIR]` opens an
// embedded store in its scratch directory and writes to it in a loop. MODE: `loop` (until Ctrl-C), `fail` (throws
// after the first insert), `done` (returns after three inserts), `keep` (as done, with keep), `existing` (as done, in
// DIR), `sleep` (waits 10 minutes in the scratch's sleep), `opening` (as loop, printing `opening <dir>` before it opens
// the store and `set up` once its table is created). Prints `ready <dir>` once the store holds rows.
import { join } from 'node:path';
import { openStore } from '../../clickhouse/index.ts';
import { benchScratch } from '../scratch.ts';

const [mode, existing] = process.argv.slice(2);
const { dir, stopIfInterrupted, closing, run, sleep } = benchScratch('weft-scratch-test-', {
  keep: mode === 'keep',
  existing: mode === 'existing' ? existing : undefined,
});
await run(async () => {
  if (mode === 'opening') console.log(`opening ${dir}`);
  const store = closing(await openStore({ kind: 'embedded', path: join(dir, 'data') }), (s) => s.close());
  await store.client.command({ query: 'CREATE TABLE IF NOT EXISTS t (n UInt64) ENGINE = MergeTree ORDER BY n' });
  if (mode === 'opening') console.log('set up');
  for (let i = 0; ; i++) {
    stopIfInterrupted();
    await store.client.command({ query: `INSERT INTO t SELECT number FROM numbers(${i * 1000}, 1000)` });
    if (i === 0) console.log(`ready ${dir}`);
    if (mode === 'fail') throw new Error('the bench failed');
    if (mode === 'sleep') await sleep(600_000);
    if (mode !== 'loop' && i === 2) return;
  }
});
