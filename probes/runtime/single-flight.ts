/**
 * One run per key at a time: a second call while the first is going gets the first's promise.
 * `settled()` waits for everything running (used when stopping).
 */
export function singleFlight() {
  const inFlight = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const running = inFlight.get(key);
      if (running) return running as Promise<T>;
      const p = work().finally(() => inFlight.delete(key));
      inFlight.set(key, p);
      return p;
    },
    async settled(): Promise<void> {
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}

export type SingleFlight = ReturnType<typeof singleFlight>;
