import { describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../core/catalog/index.ts';
import { systemClock } from '../core/time/index.ts';
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
});
