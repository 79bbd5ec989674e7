/**
 * A service without `service.name`: `unknown_service`, or `unknown_service:<process.executable.name>`, as the SDK
 * specification names it (https://opentelemetry.io/docs/specs/semconv/resource/#service) and the collector stores it.
 */
/** Whether the service in `column` is such a nameless one (a SQL condition). */
export const namelessIn = (column: string) => `(${column} = 'unknown_service' OR startsWith(${column}, 'unknown_service:'))`;

/**
 * The order of a span's copies among weft_pairing_spans rows (columns service, arrived, insert_key), first first: the
 * integration's own row before a nameless service's copy, then arrival, then the insert. An `argMin` key: the first
 * copy is the span (span-copies.ts, transport-spans.ts).
 */
export const COPY_ORDER = `(toUInt8(${namelessIn('service')}), arrived, insert_key)`;
