import { describe, expect, it } from 'vitest';
import { isWeftError } from '../../core/errors/index.ts';
import { ExportSlots } from './export-slots.ts';

describe('ExportSlots', () => {
  it('runs `concurrency` reports, queues `queue` more in order, and refuses the next with 429 and a Retry-After', async () => {
    let now = 0;
    const slots = new ExportSlots({ concurrency: 1, queue: 2 }, () => now);
    const first = slots.take({ refuse: true });
    const second = slots.take({ refuse: true });
    const third = slots.take({ refuse: true });
    const order: string[] = [];
    void second.ready.then(() => order.push('second'));
    void third.ready.then(() => order.push('third'));
    expect(slots.busy()).toEqual({ running: 1, waiting: 2 });
    let refused: unknown;
    try {
      slots.take({ refuse: true });
    } catch (err) {
      refused = err;
    }
    expect(isWeftError(refused) && { code: refused.code, status: refused.statusCode, details: refused.details }).toEqual({
      code: 'WEFT_ERR_REPORTS_BUSY',
      status: 429,
      details: { retryAfterSeconds: 30 },
    });
    expect((refused as Error).message).toMatch(/^Weft is assembling 1 report and has 2 waiting, as many as it takes at once: try again in 30 s/);
    now = 10_000;
    first.release();
    first.release(); // twice: gives back one place only
    await Promise.resolve();
    expect(order).toEqual(['second']);
    expect(slots.busy()).toEqual({ running: 1, waiting: 1 });
    // Retry-After follows how long reports held their place.
    expect(slots.retryAfterSeconds()).toBe(24);
    second.release();
    await Promise.resolve();
    expect(order).toEqual(['second', 'third']);
    third.release();
    expect(slots.busy()).toEqual({ running: 0, waiting: 0 });
  });

  it('lets a schedule wait beyond the queue rather than refusing its tick', async () => {
    const slots = new ExportSlots({ concurrency: 1, queue: 0 });
    const running = slots.take({ refuse: true });
    expect(() => slots.take({ refuse: true })).toThrow(/as many as it takes at once/);
    const scheduled = slots.take({ refuse: false });
    let started = false;
    void scheduled.ready.then(() => (started = true));
    running.release();
    await Promise.resolve();
    expect(started).toBe(true);
  });

  it('gives back a place left before its turn', () => {
    const slots = new ExportSlots({ concurrency: 1, queue: 1 });
    const running = slots.take({ refuse: true });
    const waiting = slots.take({ refuse: true });
    waiting.release();
    expect(slots.busy()).toEqual({ running: 1, waiting: 0 });
    expect(() => slots.take({ refuse: true })).not.toThrow();
    running.release();
  });
});
