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
/** Most events one lineage request may hold: its answer names each rejected one. */
export const MAX_EVENTS_PER_REQUEST = 1000;
/** A lineage request holding more events than MAX_EVENTS_PER_REQUEST (nothing of it is stored). */
export const ERR_LINEAGE_TOO_MANY_EVENTS = defineError(
  'WEFT_ERR_LINEAGE_TOO_MANY_EVENTS',
  413,
  (n: number) =>
    `The lineage request holds ${n} events, more than ${MAX_EVENTS_PER_REQUEST}; send at most ${MAX_EVENTS_PER_REQUEST} per request (the OpenLineage clients send one event per request). Nothing of it was stored.`,
);
