import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Regression (break test): `weft probe run` of a NATS probe whose server accepts the connection and never answers printed
// its timeout and never exited (the NATS client keeps the socket of a connect that timed out); a running Weft with
// such a probe did not exit on Ctrl-C either. A finished command now exits.
describe('a finished weft command exits', () => {
  it('even when a library left a socket open (a NATS server that never answers)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'weft-exit-'));
    try {
      writeFileSync(
        join(dir, 'estate.yaml'),
        `systems:\n  - { id: billing, kind: billing }\nprobes:\n  - { id: silent, kind: nats-consumer, system: billing, every: 1m, timeout: 1s, servers: "127.0.0.1:${port}", stream: S, consumer: C }\n`,
      );
      const weft = join(import.meta.dirname, '..', 'bin', 'weft.mjs');
      const result = await new Promise<{ code: number | null; killed: boolean; out: string }>((resolve) =>
        execFile(process.execPath, [weft, 'probe', 'run', 'silent', '--catalog', 'estate.yaml', '--no-record'], { cwd: dir, timeout: 45_000 }, (err, out) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, killed: Boolean(err && (err as { killed?: boolean }).killed), out }),
        ),
      );
      expect(result.killed, 'weft probe run was still running after 45 s').toBe(false);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/FAILED\s+timeout/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
