/** Why a probe run failed, in words an operator can act on. Messages never carry credentials. */
export type ProbeErrorCode = 'down' | 'timeout' | 'auth' | 'query' | 'status' | 'response' | 'config';

export class ProbeError extends Error {
  readonly code: ProbeErrorCode;
  /** Numbers read before it failed (an HTTP status and latency), still worth recording. */
  readonly metrics: Record<string, number>;
  constructor(code: ProbeErrorCode, message: string, metrics: Record<string, number> = {}) {
    super(message);
    this.name = 'ProbeError';
    this.code = code;
    this.metrics = metrics;
  }
}

const downCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE']);

/** Network-level causes shared by every kind: the target is not there. */
export function networkCause(err: unknown): string | undefined {
  let e = err as { code?: string; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.code && downCodes.has(e.code)) return e.code;
    if (Array.isArray(e.errors) && e.errors.length > 0) e = e.errors[0] as typeof e;
    else e = e.cause as typeof e;
  }
  return undefined;
}

export function isProbeError(err: unknown): err is ProbeError {
  return err instanceof ProbeError;
}

/** Runs `work` with a deadline: a run that outlives `timeoutMs` fails as a timeout; `onTimeout` releases what it holds. */
export async function withDeadline<T>(timeoutMs: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ProbeError('timeout', `${what} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
