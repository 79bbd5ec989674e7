/**
 * Weft's error catalogue. Every error a user can cause has a code, an HTTP status and a message
 * that says what to change. The HTTP edge and the CLI both read `code`, `statusCode` and `message`.
 */
export class WeftError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, statusCode: number, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WeftError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

export type WeftErrorFactory<A extends unknown[]> = ((...args: A) => WeftError) & { code: string; statusCode: number };

/** Declares one error kind: `const ERR_X = defineError('WEFT_ERR_X', 400, (field: string) => \`…${field}…\`)`. */
export function defineError<A extends unknown[]>(code: string, statusCode: number, message: (...args: A) => string): WeftErrorFactory<A> {
  const factory = ((...args: A) => new WeftError(code, message(...args), statusCode)) as WeftErrorFactory<A>;
  factory.code = code;
  factory.statusCode = statusCode;
  return factory;
}

export function isWeftError(err: unknown): err is WeftError {
  return err instanceof WeftError;
}
