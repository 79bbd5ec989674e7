import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Whether a process with this pid exists (signal 0; EPERM: it exists but is another user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks this process as the owner of a directory with a pid file. When a live process other than
 * this one holds it, `onHeld(pid)` says so (it should throw); a file left by a process that is gone
 * (a crash) is taken over. Returns the release, which removes the file if it is still ours.
 */
export function claimPidFile(file: string, onHeld: (pid: number) => never): () => void {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && alive(pid)) onHeld(pid);
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

/** The pid a pid file holds; undefined when there is no file or no number in it. Never throws. */
function pidIn(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** The live process other than this one whose pid `file` holds; undefined when none (no file, a process gone). Never throws. */
export function liveHolder(file: string): number | undefined {
  const pid = pidIn(file);
  return pid !== undefined && pid !== process.pid && alive(pid) ? pid : undefined;
}

/** The file beside a directory's pid file in which its holder states its API address (`holderAddress`). */
const ADDRESS_FILE = 'weft.url';

/**
 * States that this process, the holder of directory `dir` (its pid file `weft.pid`), answers at `url` (its API's
 * address), so that a command refused the directory can say where to ask instead. Returns the removal, which leaves
 * a file another process wrote since. Throws what writing the file throws.
 */
export function stateHolderAddress(dir: string, url: string): () => void {
  const file = join(dir, ADDRESS_FILE);
  const text = JSON.stringify({ pid: process.pid, url });
  writeFileSync(file, text);
  return () => {
    try {
      if (readFileSync(file, 'utf8') === text) rmSync(file);
    } catch {
      // already gone
    }
  };
}

/**
 * The API address the live process holding `dir` stated (`stateHolderAddress`); undefined when it stated none, or the
 * file is another process's (a holder that is gone, or one that did not start its API). Never throws.
 */
export function holderAddress(dir: string): string | undefined {
  try {
    const holder = pidIn(join(dir, 'weft.pid'));
    const stated = JSON.parse(readFileSync(join(dir, ADDRESS_FILE), 'utf8')) as { pid?: unknown; url?: unknown };
    return holder !== undefined && stated.pid === holder && alive(holder) && typeof stated.url === 'string' && /^https?:\/\/[^\s]+$/.test(stated.url)
      ? stated.url
      : undefined;
  } catch {
    return undefined;
  }
}
