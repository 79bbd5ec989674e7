import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Thrown by `stopIfInterrupted` after a Ctrl-C: `run` catches it. */
export class Interrupted extends Error {}

/** Something a bench opened in its directory and closes before it is removed: an embedded store, a running Weft. */
type Closer = () => Promise<unknown>;

/** A bench's temporary directory, removed however the bench ends (`benchScratch`). */
export interface BenchScratch {
  /** The directory, new and empty, under the temp directory (TMPDIR). */
  readonly dir: string;
  /** Throws `Interrupted` once Ctrl-C was pressed (or SIGTERM received): a bench calls it between statements, in its loops. */
  stopIfInterrupted(): void;
  /**
   * Registers what `run` closes before it removes the directory (a store's `close`, a Weft's `stop`), once; returns `it`.
   * A bench leaves the closing to `run` (an embedded store closed twice is an error). Throws `Interrupted` (after
   * registering `it`) when Ctrl-C came while `it` was being opened, so that the bench stops before its set-up.
   */
  closing<T>(it: T, close: (it: T) => Promise<unknown>): T;
  /**
   * Runs the bench's `main`, then closes what `closing` registered and was not closed yet (last first) and removes the
   * directory — when `main` returns, throws, or stops at `stopIfInterrupted`. Exits 130 after a Ctrl-C (SIGINT), 143
   * after a SIGTERM (a `kill`, a CI job's timeout, a container stopping); rethrows any
   * other error of `main` once the directory is removed.
   */
  run(main: () => Promise<void>): Promise<void>;
  /** Waits `ms`; rejects with `Interrupted` at once on Ctrl-C (a bench's long waits: a warm-up, a poll). */
  sleep(ms: number): Promise<void>;
}

/** Where the directory comes from and when it is removed. */
export interface ScratchOptions {
  /** An existing directory to use instead of a new one (a store kept by an earlier run): never removed. */
  existing?: string;
  /** Keep the new directory when the bench ends normally (to measure it again); removed when it fails or is interrupted. */
  keep?: boolean;
}

/**
 * A temporary directory for a bench's stores (prefix: its name's start under TMPDIR), and the bench's Ctrl-C (SIGINT;
 * SIGTERM is handled the same way and exits 143). Ctrl-C stops
 * the bench between two statements (at its next `stopIfInterrupted`), not at once: exiting while the embedded engine ran
 * one left the directory behind — the engine wrote into it during or after its removal (ENOTEMPTY) — or crashed the exit
 * (SIGSEGV) or hung it. A second Ctrl-C a second or more later (a launcher such as npm may relay the first one again)
 * leaves at once, saying the directory may be left behind. Run a bench with `node --import tsx`, not the `tsx` command:
 * tsx relays a Ctrl-C and kills its child ~60 ms later when it has not exited, before a busy bench reaches its
 * handler, and the directory was left.
 */
export function benchScratch(prefix: string, options: ScratchOptions = {}): BenchScratch {
  const dir = options.existing ?? mkdtempSync(join(tmpdir(), prefix));
  const remove = (ended: 'normally' | 'not') => {
    if (options.existing === undefined && !(options.keep && ended === 'normally')) rmSync(dir, { recursive: true, force: true });
  };
  const closers: Closer[] = [];
  const sleepers = new Set<() => void>();
  let interrupted = 0;
  /** The exit code once stopped by a signal: 128 + its number, as a shell reports it (130 for SIGINT, 143 for SIGTERM). */
  let exitCode = 130;
  const stop = (signal: 'SIGINT' | 'SIGTERM') => {
    if (interrupted && Date.now() - interrupted < 1_000) return;
    if (interrupted) {
      console.error(`interrupted again: leaving at once (${dir} may be left behind)`);
      process.kill(process.pid, 'SIGKILL');
    }
    interrupted = Date.now();
    exitCode = 128 + os.constants.signals[signal];
    console.error(
      `${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping after the current statement, then closing the store${options.existing === undefined ? ' and removing its directory' : ''} (Ctrl-C again to leave at once)`,
    );
    for (const wake of sleepers) wake();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return {
    dir,
    stopIfInterrupted() {
      if (interrupted) throw new Interrupted('interrupted');
    },
    closing(it, close) {
      closers.push(() => close(it));
      // Stopped while it was opening (an embedded store's migrations take seconds): stop before the bench's set-up.
      if (interrupted) throw new Interrupted('interrupted');
      return it;
    },
    async run(main) {
      let failed: { err: unknown } | undefined;
      try {
        await main();
      } catch (err) {
        if (!(err instanceof Interrupted)) failed = { err };
      }
      await closeAll();
      remove(failed || interrupted ? 'not' : 'normally');
      if (failed) throw failed.err;
      if (interrupted) process.exit(exitCode);
    },
    sleep(ms) {
      if (interrupted) return Promise.reject(new Interrupted('interrupted'));
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          clearTimeout(timer);
          sleepers.delete(wake);
          reject(new Interrupted('interrupted'));
        };
        const timer = setTimeout(() => {
          sleepers.delete(wake);
          resolve();
        }, ms);
        sleepers.add(wake);
      });
    },
  };

  async function closeAll(): Promise<void> {
    for (const close of closers.splice(0).reverse()) await close().catch((e: unknown) => console.error(`closing: ${String(e)}`));
  }
}
