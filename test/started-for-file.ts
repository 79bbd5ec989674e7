/** What a test file starts once (a running Weft, the demo estate) and must stop before the next file of its worker. */
export interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * What a test file starts in its `beforeAll` and stops in its `afterAll`, stopped also when the start finishes after its
 * hook gave up: `open(start)` (in the beforeAll) runs `start` (once: a second call resolves to the first's) and
 * resolves to what it started; `stop()` (in the afterAll) stops it, and a start still running when `stop()` is called
 * stops what it started as soon as it has (its `open` then rejects). Regression: a beforeAll that timed out on a loaded
 * machine left its start running; it finished later with nothing to stop it, its embedded store stayed open in the
 * worker (chDB holds one data directory a process) and every later file of that worker failed to open one (57 files in
 * one run).
 */
export function startedForFile<T extends Stoppable>(): { open(start: () => Promise<T>): Promise<T>; stop(): Promise<void> } {
  let opening: Promise<T> | undefined;
  let stopping = false;
  return {
    open: (start) =>
      (opening ??= start().then(async (it) => {
        if (!stopping) return it;
        await it.stop();
        throw new Error('stopped before its start finished: the file ended first');
      })),
    stop: async () => {
      stopping = true;
      const it = await opening?.catch(() => undefined);
      await it?.stop();
    },
  };
}
