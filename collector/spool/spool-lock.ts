import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineError } from '../../core/errors/index.ts';

export const ERR_SPOOL_IN_USE = defineError(
  'WEFT_ERR_SPOOL_IN_USE',
  503,
  (dir: string, pid: number) =>
    `The spool directory ${dir} is in use by another Weft process (pid ${pid}). Give each collector its own --spool directory.`,
);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One collector per spool directory: two would replay each other's segments. A pid file marks
 * the owner; a file left by a process that is gone (a crash) is taken over.
 */
export function lockSpool(dir: string): () => void {
  const file = join(dir, 'collector.pid');
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && alive(pid)) throw ERR_SPOOL_IN_USE(dir, pid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
    } catch {
      // already gone
    }
  };
}
