// npm run bench:migrate [rounds] — a fresh store migrated, as `weft start` makes its store the first time: the schema of
// every migration in one run, each view a later migration drops and makes again made once (clickhouse/superseded-views.ts),
// against the baseline in the same run, every statement of every migration sent in order (what `migrate` sent before).
// Prints the median CPU time (ms, this process: the engine runs in it) and wall time of each, over `rounds` fresh stores
// of each (alternating), and the statements each sent.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { listMigrations, migrate, openStore, renderMigration } from '../clickhouse/index.ts';
import { benchScratch } from './scratch.ts';

const rounds = Number(process.argv[2] ?? 3);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error('usage: tsx bench/migrate.ts [rounds ≥ 1]');
const retention = { rawDays: 30, rollupDays: 400, recordDays: 730 };
const { dir, stopIfInterrupted, run } = benchScratch('weft-bench-migrate-');

type Mode = 'migrate' | 'every statement';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Migrates a fresh store in `mode`; resolves to its CPU time (ms), wall time (ms) and statements sent. */
async function once(mode: Mode, n: number): Promise<{ cpu: number; wall: number; sent: number }> {
  const store = await openStore({ kind: 'embedded', path: join(dir, `${mode === 'migrate' ? 'a' : 'b'}${n}`) });
  try {
    let sent = 0;
    const command = store.client.command.bind(store.client);
    store.client.command = (params) => (sent++, command(params));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if (mode === 'migrate') await migrate(store, { retention });
    else for (const m of listMigrations()) for (const query of renderMigration(m.sql, retention)) await store.client.command({ query });
    const c = process.cpuUsage(c0);
    return { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0, sent };
  } finally {
    await store.close();
  }
}

await run(async () => {
  const results: Record<Mode, { cpu: number[]; wall: number[]; sent: number }> = {
    migrate: { cpu: [], wall: [], sent: 0 },
    'every statement': { cpu: [], wall: [], sent: 0 },
  };
  for (let n = 0; n < rounds; n++)
    for (const mode of Object.keys(results) as Mode[]) {
      stopIfInterrupted();
      const r = await once(mode, n);
      results[mode].cpu.push(r.cpu);
      results[mode].wall.push(r.wall);
      results[mode].sent = r.sent;
    }
  console.log(`a fresh store, ${listMigrations().length} migrations, median of ${rounds} (load ${loadavg()[0].toFixed(1)}):`);
  for (const [mode, r] of Object.entries(results))
    console.log(
      `  ${(mode === 'migrate' ? 'migrate (weft start)' : 'every statement (baseline)').padEnd(28)} ${median(r.cpu).toFixed(0)} ms CPU, ${median(r.wall).toFixed(0)} ms wall, ${r.sent} statements`,
    );
  console.log(`  CPU ratio: ${(median(results.migrate.cpu) / median(results['every statement'].cpu)).toFixed(2)}`);
});
