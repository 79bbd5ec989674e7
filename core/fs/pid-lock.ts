import { readFileSync, rmSync, writeFileSync } from 'node:fs';

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
