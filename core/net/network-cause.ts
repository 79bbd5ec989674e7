const downCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT']);

/**
 * The network-level cause of an error (`ECONNREFUSED`, `ENOTFOUND`, …: the other end is not there), found through
 * `cause` and `errors` (fetch's "fetch failed" wraps it; an AggregateError lists one per address), or undefined.
 */
export function networkCause(err: unknown): string | undefined {
  let e = err as { code?: string; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.code && downCodes.has(e.code)) return e.code;
    if (Array.isArray(e.errors) && e.errors.length > 0) e = e.errors[0] as typeof e;
    else e = e.cause as typeof e;
  }
  return undefined;
}
