import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openStore, type Store } from '../clickhouse/index.ts';
import type { RetentionConfig } from '../core/config/index.ts';

/** Files at the top of a closed store that belong to the process that had it open, not to the store. */
const processFiles = ['weft.pid', 'status'];

/** This process's migrated empty stores, one per retention ("raw/rollup/record" days): what test stores are copied from. */
const templates = new Map<string, string>();

/**
 * An embedded store at `path` (absent or empty) with Weft's schema, as `openStore` and `migrate` leave
 * a new directory, for tests. The first call for a retention in a process migrates a template store;
 * each call copies the template to `path` and runs `migrate` on the copy, which finds every migration
 * applied and the retention as configured. A test store then costs a directory copy instead of the 24
 * migrations (0.36 CPU-s on a RAM disk, 1.0 on a VM's ext4 disk). As with `openStore`, no other store
 * may be open in the process (chDB binds one directory at a time). Throws what `openStore` and
 * `migrate` throw, and an Error when `path` holds files.
 */
export async function openMigratedStore(path: string, retention: RetentionConfig): Promise<Store> {
  if (existsSync(path) && readdirSync(path).length > 0) throw new Error(`openMigratedStore makes a new store and ${path} is not empty: pass a new directory.`);
  const template = await templateFor(retention);
  const left = new Set(processFiles.map((f) => join(template, f)));
  cpSync(template, path, { recursive: true, verbatimSymlinks: true, filter: (from) => !left.has(from) });
  const store = await openStore({ kind: 'embedded', path });
  try {
    await migrate(store, { retention });
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

async function templateFor(retention: RetentionConfig): Promise<string> {
  const key = `${retention.rawDays}/${retention.rollupDays}/${retention.recordDays}`;
  const known = templates.get(key);
  if (known) return known;
  // Under the test run's TMPDIR, which test/run-dir.ts removes when the run ends.
  const dir = mkdtempSync(join(tmpdir(), 'weft-store-template-'));
  const store = await openStore({ kind: 'embedded', path: dir });
  try {
    await migrate(store, { retention });
  } finally {
    await store.close();
  }
  templates.set(key, dir);
  return dir;
}
