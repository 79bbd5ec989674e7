import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

interface Child {
  /** Resolves with the exit code (or the signal's name); 'hung' when it has not exited 30 s after it was stopped. */
  exited: Promise<number | string>;
  ready: Promise<string>;
  stderr: () => string;
  interrupt: (signal?: NodeJS.Signals) => void;
  stdout: () => string;
  /** Resolves with the directory once the child printed `opening <dir>` (mode `opening`). */
  opening: Promise<string>;
}

const tmps: string[] = [];
afterEach(() => {
  for (const t of tmps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** Runs bench/test/scratch-child.ts with its own TMPDIR (returned as `tmp`). */
function child(mode: string, existing?: string): Child & { tmp: string } {
  const tmp = mkdtempSync(join(tmpdir(), 'scratch-test-'));
  tmps.push(tmp);
  const c = spawn(process.execPath, ['--import', 'tsx', 'bench/test/scratch-child.ts', mode, ...(existing ? [existing] : [])], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  c.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const waitFor = (re: RegExp) => new Promise<string>((resolve) => c.stdout.on('data', () => re.test(out) && resolve(re.exec(out)![1])));
  c.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const ready = waitFor(/ready (\S+)/);
  const opening = waitFor(/opening (\S+)/);
  const exited = new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      resolve('hung');
    }, 45_000);
    c.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? String(signal));
    });
  });
  return { tmp, exited, ready, opening, stderr: () => err, stdout: () => out, interrupt: (signal = 'SIGINT') => c.kill(signal) };
}

const left = (tmp: string) => readdirSync(tmp).filter((d) => d.startsWith('weft-scratch-test-'));

// Regression: bench:storage, bench:analyze, bench:alerts and bench:first-sight removed their directory only when they
// completed — a failure or a Ctrl-C left it (a 100M-span bench:analyze store is gigabytes) — and a Ctrl-C during a
// statement of the embedded engine could crash or hang the exit.
describe('bench/scratch (the benches’ temporary directory)', () => {
  it('on Ctrl-C stops after the current statement, closes the store, removes the directory and exits 130', async () => {
    const c = child('loop');
    await c.ready;
    c.interrupt();
    expect(await c.exited).toBe(130);
    expect(c.stderr()).not.toMatch(/ENOTEMPTY|Error/);
    expect(left(c.tmp)).toEqual([]);
  }, 60_000);

  // Regression: SIGTERM (a kill, a CI job's timeout) killed a bench at once and left its directory.
  it('on SIGTERM does the same and exits 143', async () => {
    const c = child('loop');
    await c.ready;
    c.interrupt('SIGTERM');
    expect(await c.exited).toBe(143);
    expect(c.stderr()).toContain('terminated: stopping after the current statement');
    expect(left(c.tmp)).toEqual([]);
  }, 60_000);

  // Regression: a Ctrl-C while the store opened (its migrations take seconds) was seen only at the bench's first loop,
  // after its set-up (bench:analyze generated a day of spans first: 10–15 s on a loaded machine).
  it('on Ctrl-C while the store opens stops before the set-up', async () => {
    const c = child('opening');
    await c.opening;
    c.interrupt();
    expect(await c.exited).toBe(130);
    expect(c.stdout()).not.toContain('set up');
    expect(left(c.tmp)).toEqual([]);
  }, 60_000);

  it('on Ctrl-C during a sleep wakes at once', async () => {
    const c = child('sleep');
    await c.ready;
    c.interrupt();
    // The child sleeps 10 minutes: still asleep, it is 'hung' 45 s after it started.
    expect(await c.exited).toBe(130);
    expect(left(c.tmp)).toEqual([]);
  }, 60_000);

  it('bench:analyze: Ctrl-C while it generates removes its store and exits 130', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'scratch-test-'));
    tmps.push(tmp);
    const c = spawn(process.execPath, ['--import', 'tsx', 'bench/analyze.ts', '200000', '20000'], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
    const exited = new Promise<number | string>((resolve) => c.on('exit', (code, signal) => resolve(code ?? String(signal))));
    try {
      const tables = () => readdirSync(tmp).map((d) => join(tmp, d, 'data', 'data', 'default', 'otel_traces'));
      while (c.exitCode === null && !tables().some((t) => existsSync(t))) await new Promise((r) => setTimeout(r, 50));
      c.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(readdirSync(tmp).filter((d) => d.startsWith('weft-bench-analyze-'))).toEqual([]);
    } finally {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }, 90_000);

  // Regression: --measure opened and migrated any directory before it looked for bench.json: a mistyped path became a
  // store left behind, and a Weft data directory had its retention rewritten to 3650 days.
  it('bench:analyze --measure refuses a directory a --keep run did not leave, and opens nothing', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'scratch-test-'));
    tmps.push(tmp);
    const c = spawn(process.execPath, ['--import', 'tsx', 'bench/analyze.ts', '--measure', join(tmp, 'typo')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    expect(await new Promise((resolve) => c.on('exit', (code) => resolve(code)))).toBe(2);
    expect(stderr).toContain('not a store kept by `bench/analyze.ts --keep` (it has no bench.json); nothing was opened.');
    expect(existsSync(join(tmp, 'typo'))).toBe(false);
  }, 60_000);

  it('removes the directory when the bench fails, and exits with its error', async () => {
    const c = child('fail');
    expect(await c.exited).toBe(1);
    expect(c.stderr()).toContain('the bench failed');
    expect(left(c.tmp)).toEqual([]);
  }, 60_000);

  it('removes it when the bench completes, unless kept; never removes an existing directory', async () => {
    const done = child('done');
    expect(await done.exited).toBe(0);
    expect(left(done.tmp)).toEqual([]);

    const kept = child('keep');
    const dir = await kept.ready;
    expect(await kept.exited).toBe(0);
    expect(left(kept.tmp)).toHaveLength(1);
    expect(existsSync(join(dir, 'data'))).toBe(true);

    const again = child('existing', dir);
    expect(await again.exited).toBe(0);
    expect(existsSync(join(dir, 'data'))).toBe(true);
  }, 120_000);
});
