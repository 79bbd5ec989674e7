import { defineError } from '../../core/errors/index.ts';

/**
 * What one export request may contain and cost. Attribute limits carry the names of the
 * OpenTelemetry SDK specification's attribute limits (AttributeCountLimit,
 * AttributeValueLengthLimit: https://opentelemetry.io/docs/specs/otel/common/#attribute-limits)
 * and are applied the way the specification says an SDK applies them: attributes past the count
 * are discarded, string (and bytes) values longer than the length are truncated; both are
 * reported as a warning in `partial_success` (rejected 0, `error_message` set), as the OTLP
 * specification allows. Defaults are in `defaultIngestLimits` and docs/security-limits.md.
 */
export interface IngestLimits {
  /** Attributes kept per resource, scope, span, event and link (the first ones on the wire). */
  attributeCountLimit: number;
  /** Longest string or bytes attribute value, in UTF-8 bytes (cut at a character boundary). */
  attributeValueLengthLimit: number;
  /** Deepest nesting of AnyValue arrays and kvlists; deeper is refused with 400. */
  maxAnyValueDepth: number;
  /**
   * Largest row data one request may expand to (RowBinary bytes, everything repeated per row
   * included: resource and scope attributes are copied into every span's row). Over it: 413,
   * checked before the rows are built.
   */
  maxExpandedBytes: number;
}

export const defaultIngestLimits = (maxBodyBytes: number): IngestLimits => ({
  attributeCountLimit: 128,
  attributeValueLengthLimit: 64 * 1024,
  maxAnyValueDepth: 32,
  maxExpandedBytes: Math.max(4 * maxBodyBytes, 16 * 1024 * 1024),
});

export const ERR_OTLP_EXPANDS_TOO_MUCH = defineError(
  'WEFT_ERR_OTLP_EXPANDS_TOO_MUCH',
  413,
  (limit: number, detail: string) =>
    `The request would expand to more than ${limit} bytes of rows (${detail}); ` +
    'send fewer items per request or smaller resource and scope attributes (WEFT_MAX_EXPANDED_BYTES).',
);

export const ERR_OTLP_TOO_DEEP = defineError(
  'WEFT_ERR_OTLP_TOO_DEEP',
  400,
  (limit: number, where: string) => `${where} nests arrayValue/kvlistValue deeper than ${limit} levels; flatten the attribute value.`,
);

/** 2000-01-01T00:00:00Z in nanoseconds: spans that start earlier are refused. */
export const EARLIEST_NS = 946_684_800_000_000_000;
const DAY_NS = 86_400_000_000_000;

/**
 * Why a span's times are refused, or undefined when they are fine. Times must lie between
 * 2000-01-01 and one day after `nowNs`, and the end must not precede the start. `start`/`end`
 * are nanoseconds as doubles (exact enough for these bounds); `endBeforeStart` is decided
 * exactly by the caller. Refused spans never reach storage, so they cannot move the
 * observation history (first seen, watched since) of anything.
 */
export function spanTimeProblem(start: number, end: number, endBeforeStart: boolean, nowNs: number): string | undefined {
  if (start < EARLIEST_NS) return 'start before 2000-01-01';
  if (start > nowNs + DAY_NS || end > nowNs + DAY_NS) return 'start or end more than a day ahead of the collector clock';
  if (endBeforeStart) return 'end before start';
  return undefined;
}

/**
 * What the OpenTelemetry SDK specification names a service without `service.name`:
 * `unknown_service`, or `unknown_service:<process.executable.name>` when that is known
 * (https://opentelemetry.io/docs/specs/semconv/resource/#service).
 */
export function unknownServiceName(executable: string | undefined): string {
  return executable ? `unknown_service:${executable}` : 'unknown_service';
}

/**
 * Refusals and warnings of one request, for `partial_success`: a count per reason and the first
 * place it happened, so the message says what to change without listing every item.
 */
export class IngestReport {
  rejected = 0;
  private readonly reasons = new Map<string, { count: number; first: string; rejects: boolean }>();

  /** One item refused for `reason`, at `where` (the item's path in the request). */
  reject(reason: string, where: string): void {
    this.rejected++;
    this.note(reason, where, true);
  }

  /** Something changed but kept (truncated, dropped attributes, unknown enum). */
  warn(reason: string, where: string): void {
    this.note(reason, where, false);
  }

  private note(reason: string, where: string, rejects: boolean): void {
    const r = this.reasons.get(reason);
    if (r) r.count++;
    else this.reasons.set(reason, { count: 1, first: where, rejects });
  }

  get message(): string {
    return [...this.reasons].map(([reason, r]) => `${r.count} ${r.rejects ? 'rejected' : 'kept'}: ${reason} (first at ${r.first})`).join('; ');
  }
}

/** Cuts `s` to at most `limit` UTF-8 bytes at a character boundary. */
export function truncateUtf8(s: string, limit: number): string {
  if (s.length * 3 <= limit) return s;
  const b = Buffer.from(s, 'utf8');
  if (b.length <= limit) return s;
  return b.subarray(0, utf8Cut(b, 0, limit)).toString('utf8');
}

/** The end of `b[start, start+limit)` moved back to a UTF-8 character boundary. */
export function utf8Cut(b: Uint8Array, start: number, limit: number): number {
  let cut = start + limit;
  while (cut > start && (b[cut] & 0xc0) === 0x80) cut--;
  return cut;
}
