import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/alertmanager.ts';

// Regression (new-user pass): `weft start … 2>&1 | head -3` left Weft crashed (SIGSEGV) or hung once head had exited:
// the next log line failed with EPIPE, nothing handled it, and the process ended while the embedded engine ran. Hung,
// its API answered nothing and SIGTERM was ignored for 14 minutes.
describe('weft start with its output closed (| head)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-closed-output-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps serving when the reader of its output goes away, and stops on SIGTERM', async () => {
    const port = await freePort(20000 + Math.floor(Math.random() * 20000));
    const otlp = await freePort(port + 1);
    // A real pipe (a FIFO), as a shell's `|` gives: the pipes of spawn's 'pipe' are sockets, which did not fail so.
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, 'w');
    const child = spawn(
      process.execPath,
      ['bin/weft.mjs', 'start', '--data', join(dir, 'data'), '--port', String(port), '--otlp-port', String(otlp), '--analyze-every', '1s'],
      { stdio: ['ignore', writer, writer] },
    );
    closeSync(writer);
    const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? String(signal))));
    try {
      // Read its first line, then close the pipe, as `head -1` does: what Weft writes after it (its banner, its log)
      // meets a closed pipe.
      let out = '';
      const buf = Buffer.alloc(65536);
      for (const deadline = Date.now() + 60_000; !out.includes('\n') && Date.now() < deadline;) {
        let n = 0;
        try {
          n = readSync(reader, buf);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
        out += buf.toString('utf8', 0, n);
        if (n === 0) await new Promise((r) => setTimeout(r, 50));
      }
      closeSync(reader);
      const api = `http://127.0.0.1:${port}/api/v1/health`;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        if ((await fetch(api, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.status === 200) break;
      }
      // The analyzer logs a line every second: each one meets the closed pipe.
      await new Promise((r) => setTimeout(r, 3000));
      const health = await fetch(api, { signal: AbortSignal.timeout(20_000) });
      expect(health.status).toBe(200);
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running 45 s after SIGTERM'), 45_000))]);
      expect(stopped).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
