import { defineError } from '../../core/errors/index.ts';

/** A request the collector cannot read: 400 with a message that names what was wrong and where. */
export const ERR_OTLP_BAD_INPUT = defineError('WEFT_ERR_OTLP_BAD_INPUT', 400, (what: string) => what);
export const ERR_OTLP_MEDIA_TYPE = defineError(
  'WEFT_ERR_OTLP_MEDIA_TYPE',
  415,
  (got: string) => `Unsupported content type "${got}": send application/x-protobuf or application/json.`,
);
export const ERR_OTLP_ENCODING = defineError(
  'WEFT_ERR_OTLP_ENCODING',
  415,
  (got: string) => `Unsupported content encoding "${got}": send gzip or no content encoding.`,
);
export const ERR_OTLP_TOO_LARGE = defineError(
  'WEFT_ERR_OTLP_TOO_LARGE',
  413,
  (limit: number, when: string) => `Request body exceeds ${limit} bytes ${when}; send smaller batches.`,
);
export const ERR_OTLP_BUSY = defineError('WEFT_ERR_OTLP_BUSY', 429, () => 'The collector is at its in-flight limit; retry after the delay in Retry-After.');
export const ERR_OTLP_SPOOL_FULL = defineError(
  'WEFT_ERR_OTLP_SPOOL_FULL',
  503,
  () => 'The collector spool is full while storage catches up; retry after the delay in Retry-After.',
);
export const ERR_OTLP_SPOOL_WRITE = defineError(
  'WEFT_ERR_OTLP_SPOOL_WRITE',
  503,
  (reason: string) => `The collector cannot write its spool (${reason}); retry after the delay in Retry-After.`,
);
export const ERR_OTLP_SLOW_BODY = defineError(
  'WEFT_ERR_OTLP_SLOW_BODY',
  408,
  (seconds: number, rate: number, most: number) =>
    `The request body arrived too slowly: it may take ${seconds} s plus 1 s per ${rate} bytes received, at most ${most} s; the connection is closed.`,
);
