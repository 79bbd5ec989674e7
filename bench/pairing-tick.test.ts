import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const benchDirs = (tmp: string) => readdirSync(tmp).filter((d) => d.startsWith('weft-bench-pairing-'));

describe('bench/pairing-tick', () => {
  // Regression: Ctrl-C exited at once and removed the bench's directory while the embedded engine was still writing in
  // it: the removal failed (ENOTEMPTY, with a stack trace) or the engine wrote files after it, and the directory (tens
  // of MB) was left in the temp directory.
  it('removes its directory when interrupted (SIGINT) while a store is open, and exits 130', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pairing-tick-test-'));
    let child: ReturnType<typeof spawn> | undefined;
    try {
      child = spawn(process.execPath, ['--import', 'tsx', 'bench/pairing-tick.ts', '1', '4'], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | string>((resolve) => child!.on('exit', (code, signal) => resolve(code ?? String(signal))));
      // Interrupted once the first store holds spans and is pairing them (the engine writes parts and merges them).
      const spansIn = (d: string) => join(tmp, d, 'weft', 'data', 'default', 'otel_traces');
      while (
        child.exitCode === null &&
        !benchDirs(tmp).some((d) => existsSync(spansIn(d)) && readdirSync(spansIn(d)).some((p) => /^\d+_\d+_\d+_\d+$/.test(p)))
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGINT');
      // It also crashed (SIGSEGV) or hung in its exit: the child is killed in the end.
      const hung = new Promise<string>((resolve) => setTimeout(() => resolve('still running 30 s after SIGINT'), 30_000).unref());
      expect(await Promise.race([exited, hung])).toBe(130);
      expect(stderr).not.toMatch(/ENOTEMPTY/);
      expect(benchDirs(tmp)).toEqual([]);
    } finally {
      if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
