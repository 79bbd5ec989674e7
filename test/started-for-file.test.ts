import { describe, expect, it } from 'vitest';
import { startedForFile } from './started-for-file.ts';

/** A stand-in for a running Weft: counts its stops. */
const thing = () => ({
  stops: 0,
  stop: async function (this: { stops: number }) {
    this.stops++;
  },
});

describe('startedForFile (what a test file starts in its beforeAll)', () => {
  it('stops what was started, once, when the start finished before the afterAll', async () => {
    const s = startedForFile<ReturnType<typeof thing>>();
    const it1 = await s.open(async () => thing());
    expect(await s.open(async () => thing())).toBe(it1);
    await s.stop();
    expect(it1.stops).toBe(1);
  });

  it('stops what a start still running in the afterAll (its hook timed out) started, as soon as it has', async () => {
    const s = startedForFile<ReturnType<typeof thing>>();
    let finish: (t: ReturnType<typeof thing>) => void = () => undefined;
    const opened = s.open(() => new Promise((resolve) => (finish = resolve)));
    const stopped = s.stop();
    const late = thing();
    finish(late);
    await expect(opened).rejects.toThrow(/stopped before its start finished/);
    await stopped;
    expect(late.stops).toBe(1);
  });

  it('does nothing when nothing was started, or the start failed', async () => {
    await startedForFile().stop();
    const s = startedForFile();
    await expect(s.open(() => Promise.reject(new Error('port in use')))).rejects.toThrow('port in use');
    await s.stop();
  });
});
