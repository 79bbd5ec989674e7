import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { schedule } from './scheduler.ts';

describe('schedule', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every interval plus jitter, and skips a tick while the previous run is still going', async () => {
    const started: number[] = [];
    const skipped: string[] = [];
    let finish: () => void = () => undefined;
    const handle = schedule(
      [{ id: 'p', every: '10s', jitter: '2s' }],
      (_id) => {
        started.push(Date.now());
        return new Promise<void>((resolve) => (finish = resolve));
      },
      (id) => skipped.push(id),
      () => 0.5,
    );
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(1000);
    expect(started.map((t) => t - t0)).toEqual([1000]);
    await vi.advanceTimersByTimeAsync(11_000);
    expect(skipped).toEqual(['p']);
    finish();
    await vi.advanceTimersByTimeAsync(11_000);
    expect(started.map((t) => t - t0)).toEqual([1000, 23_000]);
    handle.stop();
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).toHaveLength(2);
  });
});
