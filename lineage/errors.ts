import { defineError } from '../core/errors/index.ts';

/** A lineage request Weft cannot read at all (not JSON, not an event or an array of events, or every event invalid). */
export const ERR_LINEAGE_BAD_INPUT = defineError('WEFT_ERR_LINEAGE_BAD_INPUT', 400, (what: string) => what);
/** The request is larger than the lineage body limit. */
export const ERR_LINEAGE_TOO_LARGE = defineError(
  'WEFT_ERR_LINEAGE_TOO_LARGE',
  413,
  (max: number) => `The lineage request is larger than ${max} bytes; send fewer events per request (the OpenLineage clients send one event per request).`,
);
/** A Content-Encoding other than gzip or identity. */
export const ERR_LINEAGE_ENCODING = defineError(
  'WEFT_ERR_LINEAGE_ENCODING',
  415,
  (got: string) => `Content-Encoding ${got} is not read here; send the body uncompressed or gzip-compressed ("compression: gzip" in the OpenLineage client).`,
);
