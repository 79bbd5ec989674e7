import { join } from 'node:path';
import { defineError } from '../../core/errors/index.ts';
import { claimPidFile } from '../../core/fs/pid-lock.ts';

export const ERR_SPOOL_IN_USE = defineError(
  'WEFT_ERR_SPOOL_IN_USE',
  503,
  (dir: string, pid: number) => `The spool directory ${dir} is in use by another Weft process (pid ${pid}). Give each collector its own --spool directory.`,
);

/**
 * One collector per spool directory: two would replay each other's segments. A pid file marks
 * the owner; a file left by a process that is gone (a crash) is taken over.
 */
export function lockSpool(dir: string): () => void {
  return claimPidFile(join(dir, 'collector.pid'), (pid) => {
    throw ERR_SPOOL_IN_USE(dir, pid);
  });
}
