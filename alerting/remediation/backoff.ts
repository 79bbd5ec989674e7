/**
 * Exponential backoff with "equal jitter": before attempt n+1 (n ≥ 1) wait
 * d = min(maxMs, baseMs · 2^(n−1)), of which half is fixed and half random: d/2 + random·d/2.
 * `random` is injectable for tests (Math.random by default).
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Waits, or returns early when the signal aborts (shutdown). */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
