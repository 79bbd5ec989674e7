import { accessSync, constants, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from '../core/fs/pid-lock.ts';

const prefix = 'weft-test-run-';

/**
 * The machine's RAM disk, /dev/shm, when it is writable with at least 2 GiB free; else undefined.
 * chDB writes many small files for every store it creates, every insert and every merge; on a VM's
 * ext4 disk each new file cost about a millisecond of kernel time (a new store's migrations: 1.0 CPU-s
 * there, 0.36 on /dev/shm).
 */
function ramDisk(): string | undefined {
  const dir = '/dev/shm';
  try {
    accessSync(dir, constants.W_OK);
    const { bavail, bsize } = statfsSync(dir);
    return bavail * bsize >= 2 * 1024 ** 3 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Vitest global setup: the run's temporary directory. The test processes' TMPDIR (`os.tmpdir()`) is
 * a new directory, `weft-test-run-<pid>-…` on the RAM disk (else under the TMPDIR given), removed with
 * everything in it when the run ends: worker processes are stopped without running exit handlers, and
 * what a test leaves behind must not pile up in memory. Directories of runs whose process is gone
 * (an interrupted run) are removed first.
 */
export default function setup(): () => void {
  const base = ramDisk() ?? tmpdir();
  for (const name of readdirSync(base)) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length).split('-')[0]) : NaN;
    if (pid > 0 && !alive(pid)) rmSync(join(base, name), { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(base, `${prefix}${process.pid}-`));
  const given = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (given === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = given;
    rmSync(dir, { recursive: true, force: true });
  };
}
