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

export { networkCause } from '../core/net/network-cause.ts';

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
