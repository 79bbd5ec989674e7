import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMigrations, migrate, openStore, type Store } from '../clickhouse/index.ts';
import type { RetentionConfig, WeftConfig } from '../core/config/index.ts';

/** Files at the top of a closed store that belong to the process that had it open, not to the store. */
const processFiles = ['weft.pid', 'status'];

/** Templates this process has found or made, by retention ("raw/rollup/record" days): what test stores are copied from. */
const templates = new Map<string, string>();

/** How long a process waits for another to publish a template before it makes its own (ms). */
const TEMPLATE_WAIT_MS = 120_000;

/**
 * An embedded store at `path` (absent or empty) with Weft's schema, as `openStore` and `migrate` leave
 * a new directory, for tests. The template for the retention is made once per test run (`templateDir`);
 * each call copies it to `path` and runs `migrate` on the copy, which finds every migration applied and
 * the retention as configured. A test store then costs a directory copy (0.3 CPU-s) instead of the
 * migrations (1.7–2.2 CPU-s on a RAM disk, 2026-12-03). As with `openStore`, no other store may be open
 * in the process (chDB binds one directory at a time). Throws what `openStore` and `migrate` throw, and
 * an Error when `path` holds files.
 */
export async function openMigratedStore(path: string, retention: RetentionConfig): Promise<Store> {
  await seedMigratedStore(path, retention);
  const store = await openStore({ kind: 'embedded', path });
  try {
    await migrate(store, { retention });
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/**
 * Copies the migrated empty store for `retention` to `path` (absent or empty) without opening it: the
 * data directory of a Weft a test starts (`startWeft`, whose own `migrate` then finds every migration
 * applied), when the test is not about a first start on a new directory. May open and close the
 * template store (`templateDir`), so no other store may be open in the process. Throws an Error when
 * `path` holds files, and what `openStore` and `migrate` throw.
 */
export async function seedMigratedStore(path: string, retention: RetentionConfig): Promise<void> {
  if (existsSync(path) && readdirSync(path).length > 0)
    throw new Error(`a migrated store is copied to a new directory, and ${path} is not empty: pass a new directory.`);
  const template = await templateDir(retention);
  const left = new Set(processFiles.map((f) => join(template, f)));
  cpSync(template, path, { recursive: true, verbatimSymlinks: true, filter: (from) => !left.has(from) });
}

/**
 * The closed, migrated empty store for `retention`, shared by the processes of one test run: it lives
 * in the run's TMPDIR (test/run-dir.ts removes it when the run ends) as `weft-store-template-R-R-R-H`
 * (H: a digest of the migrations' names and text, so that a template is never one of other migrations).
 * The first process to ask takes `….lock` (mkdir: one process gets it), migrates a store in a
 * directory of its own and renames it into place when it is closed; the others wait for it (the four
 * workers used to migrate one each, 2 CPU-s apiece). A process that waits longer than
 * TEMPLATE_WAIT_MS (its maker died) makes its own. Throws what `openStore` and `migrate` throw.
 */
export async function templateDir(retention: RetentionConfig): Promise<string> {
  const key = `${retention.rawDays}-${retention.rollupDays}-${retention.recordDays}`;
  const known = templates.get(key);
  if (known) return known;
  const schema = createHash('sha256');
  for (const m of listMigrations()) schema.update(`${m.name}\0${m.sql}\0`);
  const shared = join(tmpdir(), `weft-store-template-${key}-${schema.digest('hex').slice(0, 16)}`);
  let dir: string;
  if (existsSync(shared)) dir = shared;
  else if (takeLock(`${shared}.lock`)) {
    try {
      renameSync(await migrated(retention), shared);
    } catch (err) {
      rmSync(`${shared}.lock`, { recursive: true, force: true });
      throw err;
    }
    dir = shared;
  } else dir = (await published(shared)) ? shared : await migrated(retention);
  templates.set(key, dir);
  return dir;
}

function takeLock(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function published(path: string): Promise<boolean> {
  for (const until = Date.now() + TEMPLATE_WAIT_MS; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) if (existsSync(path)) return true;
  return false;
}

/** A new directory under TMPDIR holding a closed store that `migrate` has given Weft's schema with `retention`. */
async function migrated(retention: RetentionConfig): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-store-template-new-'));
  try {
    const store = await openStore({ kind: 'embedded', path: dir });
    try {
      await migrate(store, { retention });
    } finally {
      await store.close();
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

/**
 * Gives the embedded store of `config` (its `--data` directory, new) the migrated template, for a test
 * that starts a Weft (`startWeft`) and is not about a first start on a new directory: the start's
 * `migrate` then finds every migration applied (1.7 CPU-s less a start on a RAM disk, 2026-12-03).
 * Nothing for a ClickHouse server. Throws what `seedMigratedStore` throws.
 */
export async function seedWeftStore(config: Pick<WeftConfig, 'store' | 'retention'>): Promise<void> {
  if (config.store.kind === 'embedded') await seedMigratedStore(config.store.path, config.retention);
}
