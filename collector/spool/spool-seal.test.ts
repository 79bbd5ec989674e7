import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Segment } from './segment.ts';
import { Spool } from './spool.ts';

/** When an open segment is sealed (becomes one insert): at its row limit, its longest wait, or a while after its last rows. */
describe('spool: sealing a segment by time', () => {
  let dir: string;
  let spool: Spool;
  let sealed: Segment[];
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    dir = mkdtempSync(join(tmpdir(), 'weft-spool-seal-'));
    sealed = [];
    spool = new Spool({ dir, maxBytes: 1 << 30, batchRows: 1000, batchMaxWaitMs: 5000, batchIdleMs: 1000, onSealed: (s) => sealed.push(s) });
  });
  afterEach(() => {
    spool.sealAll();
    spool.release();
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });
  const rows = (n: number) => ({ data: Buffer.alloc(n * 10, 1), rows: n });

  // Regression (with the 5 s wait): a burst of spans — a new integration's first trace — waited the whole 5 s to be stored.
  it('seals a burst the idle time after its last rows', () => {
    spool.append('otel_traces', rows(2));
    vi.advanceTimersByTime(600);
    spool.append('otel_traces', rows(1));
    vi.advanceTimersByTime(999);
    expect(sealed).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sealed.map((s) => s.rows)).toEqual([3]);
  });

  it('keeps a steady trickle in one segment until the longest wait since its first rows', () => {
    for (let t = 0; t < 4900; t += 700) {
      spool.append('otel_traces', rows(1));
      vi.advanceTimersByTime(700);
    }
    expect(sealed).toHaveLength(0);
    spool.append('otel_traces', rows(1));
    vi.advanceTimersByTime(100);
    expect(sealed.map((s) => s.rows)).toEqual([8]);
    // The next segment starts with the next rows, and its own clocks.
    spool.append('otel_traces', rows(1));
    vi.advanceTimersByTime(1000);
    expect(sealed.map((s) => s.rows)).toEqual([8, 1]);
  });

  it('seals by the longest wait alone when given no idle time', () => {
    spool.sealAll();
    spool.release();
    spool = new Spool({ dir, maxBytes: 1 << 30, batchRows: 1000, batchMaxWaitMs: 5000, onSealed: (s) => sealed.push(s) });
    spool.append('otel_traces', rows(1));
    vi.advanceTimersByTime(4999);
    expect(sealed).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sealed).toHaveLength(1);
  });

  it('waits at most the longest wait when it is shorter than the idle time', () => {
    spool.sealAll();
    spool.release();
    spool = new Spool({ dir, maxBytes: 1 << 30, batchRows: 1000, batchMaxWaitMs: 200, batchIdleMs: 1000, onSealed: (s) => sealed.push(s) });
    spool.append('otel_traces', rows(1));
    vi.advanceTimersByTime(200);
    expect(sealed).toHaveLength(1);
  });
});
