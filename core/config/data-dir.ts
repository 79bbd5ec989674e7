import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Where an embedded Weft store keeps its schema: `<data dir>/data/metadata/default/weft_migrations.sql`. */
const MARKER = ['metadata', 'default', 'weft_migrations.sql'];

/** True when `storePath` (a data directory's `data/`) holds a Weft store. */
export function isWeftStore(storePath: string): boolean {
  return existsSync(join(storePath, ...MARKER));
}

/**
 * The data directory a `--data` value names. `weft start` prints the store's own path
 * (`<data dir>/data`); given that, the data directory is its parent, so the path can be pasted
 * back exactly as printed. Any other path is the data directory itself.
 */
export function dataDirOf(path: string): string {
  return basename(path) === 'data' && isWeftStore(path) ? dirname(path) : path;
}

/**
 * Why `dir` is not a Weft data directory, or null when it is one (it holds a Weft store). Commands
 * that read what Weft stored (audit, probes, reconcile) refuse such a directory instead of creating
 * an empty store and reporting nothing.
 */
export function notWeftDataProblem(dir: string): string | null {
  if (isWeftStore(join(dir, 'data'))) return null;
  if (!existsSync(dir)) return `${dir} does not exist`;
  if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  const entries = readdirSync(dir);
  if (entries.length === 0) return `${dir} is empty`;
  return `${dir} holds no Weft store (no data/ written by weft start; found ${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''})`;
}
