import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ProbeSpec, SqlProbeSpec } from '../core/catalog/index.ts';
import { systemClock } from '../core/time/index.ts';
import { sqlProbe } from './kinds/sql-probe.ts';
import { runProbeOnce } from './run-probe.ts';
import { Secrets } from './secrets.ts';

describe('runProbeOnce', () => {
  // Regression (break test): a SQL probe with timeout 2s to a server that never answers said "did not answer within
  // 2000 ms" with latency 10057 ms: the latency included closing its pool, which waits for the pending connect.
  it("a timed-out probe's latency is its timeout, not the time its close took", async () => {
    const spec = { id: 'p', kind: 'sql', system: 's', timeout: '100ms' } as unknown as ProbeSpec;
    let closed = false;
    const probe = {
      run: () => new Promise<never>(() => undefined),
      close: () => new Promise<void>((r) => setTimeout(() => ((closed = true), r()), 600)),
    };
    const { sample } = await runProbeOnce(spec, probe, new Secrets(() => undefined), systemClock);
    expect(closed).toBe(true);
    expect(sample).toMatchObject({ ok: false, errorCode: 'timeout' });
    expect(sample.latencyMs).toBeGreaterThanOrEqual(95);
    expect(sample.latencyMs).toBeLessThan(500);
  });

  // Regression (known since a break test): a SQL probe to a server that accepts and never answers timed out at its own
  // timeout, but closing it waited for the driver's connect, given up after a fixed 10 s: `weft probe run` with a 2 s
  // timeout took about 11.5 s, and a Weft's stop as long. The connection is now given up at the probe's timeout.
  it.each(['postgres', 'mysql'])(
    'gives up a %s connection to a server that never answers at the probe timeout, not 10 s later',
    async (scheme) => {
      const held: number[] = [];
      let accepted = 0;
      const server = createServer((socket) => {
        accepted++;
        const at = Date.now();
        socket.on('error', () => undefined);
        // Read what the client sends (PostgreSQL's startup message) and never answer: its close is then seen.
        socket.resume();
        socket.on('close', () => held.push(Date.now() - at));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as AddressInfo).port;
        const spec = { id: 'silent', kind: 'sql', system: 's', timeout: '300ms', url: `${scheme}://weft@127.0.0.1:${port}/crm`, query: 'SELECT 1 AS n' };
        const secrets = new Secrets(() => undefined);
        const probe = sqlProbe(spec as unknown as SqlProbeSpec, secrets);
        const { sample } = await runProbeOnce(spec as unknown as ProbeSpec, probe, secrets, systemClock);
        expect(sample).toMatchObject({ ok: false, errorCode: 'timeout' });
        // The probe was closed (a timed-out probe is), and its close waited for the pending connection to end.
        expect(accepted).toBeGreaterThan(0);
        await expect.poll(() => held.length, { timeout: 15_000 }).toBe(accepted);
        // Ended by the driver at the probe's 300 ms (its own clock, on a loaded machine), not at the fixed 10 s.
        expect(Math.max(...held)).toBeLessThan(5000);
      } finally {
        server.close();
      }
    },
    30_000,
  );
});
