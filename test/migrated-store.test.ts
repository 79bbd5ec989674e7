import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { migrate, openStore } from '../clickhouse/index.ts';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { seedWeftStore } from './migrated-store.ts';

const retention = { rawDays: 30, rollupDays: 400, recordDays: 730 };
const templates = () => readdirSync(tmpdir()).filter((d) => d.startsWith('weft-store-template-') && !d.endsWith('.lock'));

describe('openMigratedStore', () => {
  // Regression: every worker process of a run migrated a template store of its own (2 CPU-s each, four workers).
  it("makes a retention's template once for the whole run: another process copies the one made", async () => {
    const before = templates();
    const dirs: string[] = [];
    for (let i = 0; i < 2; i++) {
      // A fresh module instance: a process that has made no template yet.
      vi.resetModules();
      const { openMigratedStore } = await import('./migrated-store.ts');
      const dir = join(tmpdir(), `weft-migrated-store-test-${process.pid}-${i}`);
      dirs.push(dir);
      const store = await openMigratedStore(join(dir, 'data'), retention);
      try {
        const [row] = await store.client
          .query({ query: 'SELECT count() AS n FROM weft_migrations', format: 'JSONEachRow' })
          .then((r) => r.json<{ n: string }>());
        expect(Number(row.n)).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    expect(templates().filter((t) => !before.includes(t)).length).toBeLessThanOrEqual(1);
  });

  it("gives a Weft's new --data directory a store on which its start's migrate applies nothing", async () => {
    const dir = join(tmpdir(), `weft-seeded-store-test-${process.pid}`);
    const config = buildConfig(parseArgs(['--data', dir]), {}, dir);
    await seedWeftStore(config);
    const store = await openStore(config.store);
    try {
      expect((await migrate(store, { retention: config.retention })).applied).toEqual([]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
