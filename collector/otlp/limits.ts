import { defaultMaxExpandedBytes } from '../../core/config/index.ts';
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
  /** Attributes kept per scope, span, event, link, log record and data point (the first ones on the wire); resources are exempt (`resourceLimits`). */
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

/** AttributeValueLengthLimit's default (UTF-8 bytes), and the least a resource's values are held to (`resourceLimits`). */
export const DEFAULT_ATTRIBUTE_VALUE_LENGTH = 64 * 1024;

/**
 * The limits a resource's attributes are held to: no attribute count limit, and values cut at the larger of
 * AttributeValueLengthLimit and its default (64 KiB). The OpenTelemetry specification's attribute limits exempt
 * resources ("Resource attributes SHOULD be exempt from the limits described above":
 * https://opentelemetry.io/docs/specs/otel/common/#attribute-limits); before, a small WEFT_ATTRIBUTE_COUNT_LIMIT or
 * value length limit dropped or cut `service.name`, and the spans were stored under another service. Their values keep
 * a bound, as every identity Weft reads from a resource (instance, host, pod, run id) is stored with each span: a
 * 15 MiB `service.name` with one span was taken whole. What a resource repeats into every row stays bounded by the
 * expansion budget (`maxExpandedBytes`), and its nesting by `maxAnyValueDepth`.
 */
export const resourceLimits = (limits: IngestLimits): IngestLimits => ({
  ...limits,
  attributeCountLimit: Infinity,
  attributeValueLengthLimit: Math.max(limits.attributeValueLengthLimit, DEFAULT_ATTRIBUTE_VALUE_LENGTH),
});

export const defaultIngestLimits = (maxBodyBytes: number): IngestLimits => ({
  attributeCountLimit: 128,
  attributeValueLengthLimit: DEFAULT_ATTRIBUTE_VALUE_LENGTH,
  maxAnyValueDepth: 32,
  maxExpandedBytes: defaultMaxExpandedBytes(maxBodyBytes),
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

/**
 * The share of the expansion budget one decoded message (protobufjs) or JSON object or array takes, in bytes, for the
 * bound below. An empty message measured 95 bytes of heap (2,000,000 empty ResourceMetrics: 181 MiB); payloads as
 * SDKs and collectors send them spend 11.5 bytes of body or more on each message (hostmetrics' points with five short
 * attributes), so that a full 20 MiB body of them stays under the bound (at 48, 19.2 MiB of them were refused).
 */
export const DECODED_BYTES_PER_MESSAGE = 32;

/**
 * The most messages (protobuf) or objects and arrays (JSON) a request decoded whole may hold: its share of the
 * expansion budget, `maxExpandedBytes / DECODED_BYTES_PER_MESSAGE` (2,621,440 at the default 80 MiB, which a dense
 * 20 MiB body of data points stays under). Metrics and logs in protobuf, and every signal in OTLP/JSON, are decoded
 * into objects before their rows are counted: 19 KiB of gzip holding 10 million empty ResourceMetrics (20 MiB once
 * inflated) took 5 s of the main thread and about 900 MiB of heap each, and five of them at once took the collector
 * from 375 MiB to 2.3 GiB.
 */
export const maxDecodedMessages = (maxExpandedBytes: number): number => Math.max(1, Math.floor(maxExpandedBytes / DECODED_BYTES_PER_MESSAGE));

export const ERR_OTLP_TOO_MANY_MESSAGES = defineError(
  'WEFT_ERR_OTLP_TOO_MANY_MESSAGES',
  413,
  (limit: number, what: string) =>
    `The request holds more than ${limit} ${what} (WEFT_MAX_EXPANDED_BYTES / ${DECODED_BYTES_PER_MESSAGE}); send fewer items per request.`,
);

/**
 * The longest name Weft derives from telemetry, in UTF-8 bytes: a span's ServiceName (its resource's `service.name`),
 * and the integration, domain and endpoint (system, host, name, peer) of its touches. Longer ones are cut at a character
 * boundary. A name is an identity shown and stored everywhere (the graph, the inventory, findings): a 30 KiB request
 * whose `messaging.destination.name` was an array of 4 million "x" made a system named by 16.6 MB of text, the inventory
 * answered 50 MB in 13 s, and every analysis failed on a 100 MB row; a 15 MiB `service.name` did the same.
 */
export const MAX_NAME_BYTES = 1024;

/** The `partial_success` warning for a ServiceName cut to MAX_NAME_BYTES. */
export const WARN_SERVICE_NAME_CUT = `service.name values longer than ${MAX_NAME_BYTES} bytes were cut to ${MAX_NAME_BYTES} bytes for ServiceName`;

/** 2000-01-01T00:00:00Z in nanoseconds: spans that start earlier are refused. */
export const EARLIEST_NS = 946_684_800_000_000_000;
const DAY_NS = 86_400_000_000_000;

/**
 * Why a span's times are refused, or undefined when they are fine. Start and end must lie between
 * 2000-01-01 and one day after `nowNs` (an end of 0 is an end never set: OTLP requires it). `start`/`end` are
 * nanoseconds as doubles (exact enough for these bounds). Refused spans never reach storage, so they cannot
 * move the observation history (first seen, watched since) of anything. An end before the start is not
 * refused: see `END_BEFORE_START`.
 */
export function spanTimeProblem(start: number, end: number, nowNs: number): string | undefined {
  if (start < EARLIEST_NS) return 'start before 2000-01-01';
  if (end < EARLIEST_NS) return 'end unset or before 2000-01-01';
  if (start > nowNs + DAY_NS || end > nowNs + DAY_NS) return 'start or end more than a day ahead of the collector clock';
  return undefined;
}

/**
 * The span attribute Weft sets on a span it stored with a value changed, in Weft's own namespace; its value
 * says which change (documented in docs/security-limits.md). Where the collector sets it, it replaces a
 * value the sender gave, and it is not counted against AttributeCountLimit.
 */
export const NORMALIZED_ATTRIBUTE = 'weft.normalized';

/**
 * `weft.normalized` of a span that ended before it started, which a host clock stepped back mid-span (an
 * NTP correction) produces. The span is kept, not refused: it records a read or write that pairing needs
 * (without it a run is a half, a flow looks stale). It is stored with end = start, a duration of 0, and a
 * warning in `partial_success`. The start is kept rather than the end because the start is the span's
 * `Timestamp`, by which every reader places it: kept, the span stays inside its parent (a flow's wrapper
 * span claims the calls it encloses in time) and in the order its run made its calls; the end taken after
 * the step would move it before its parent. The OpenTelemetry JS SDK's `Span.end()` applies the same rule
 * (end = start, "Setting span duration to 0ms"), so a span normalised here is stored as that SDK sends it.
 */
export const END_BEFORE_START = 'end_before_start';

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
  /** While an item is read (`begin`): each note made, to be undone if the item is refused after all (`rollback`). */
  private readonly journal: { reason: string; items: number; rejects: boolean }[] = [];
  private open = 0;

  /** `items` items (one unless a whole resource or scope of them) refused for `reason`, at `where` (the item's path in the request). */
  reject(reason: string, where: string, items = 1): void {
    this.rejected += items;
    this.note(reason, where, true, items);
  }

  /** Something changed but kept (truncated, dropped attributes, unknown enum). */
  warn(reason: string, where: string): void {
    this.note(reason, where, false, 1);
  }

  /**
   * Starts reading an item whose notes are undone if it is refused after them (`rollback`), so that a span refused for
   * a field of the wrong type is not also reported as kept with a warning. Returns the mark to commit or roll back to.
   */
  begin(): number {
    this.open++;
    return this.journal.length;
  }

  /** Keeps the notes made since the last `begin`. */
  commit(): void {
    if (--this.open === 0) this.journal.length = 0;
  }

  /** Undoes the notes made since `begin` returned `mark`. */
  rollback(mark: number): void {
    for (let i = this.journal.length - 1; i >= mark; i--) {
      const { reason, items, rejects } = this.journal[i];
      const r = this.reasons.get(reason);
      if (rejects) this.rejected -= items;
      if (r && (r.count -= items) <= 0) this.reasons.delete(reason);
    }
    this.journal.length = mark;
    if (--this.open === 0) this.journal.length = 0;
  }

  private note(reason: string, where: string, rejects: boolean, items: number): void {
    const r = this.reasons.get(reason);
    if (r) r.count += items;
    else this.reasons.set(reason, { count: items, first: where, rejects });
    if (this.open > 0) this.journal.push({ reason, items, rejects });
  }

  get message(): string {
    return [...this.reasons].map(([reason, r]) => `${r.count} ${r.rejects ? 'rejected' : 'kept'}: ${reason} (first at ${r.first})`).join('; ');
  }
}

/**
 * The `partial_success` warning for a text field other than an attribute value cut to AttributeValueLengthLimit. Names
 * and messages had no bound but the expansion budget: a 5 MiB span name, event name, status message or scope name was
 * stored whole in every row that carries it, and read back whole by every trace view.
 */
export const WARN_TEXT_CUT =
  'names and messages longer than AttributeValueLengthLimit (a span, event, scope or metric name, a status message, a trace state, a severity text, a metric description or unit) were cut to it';

/** `s` cut to AttributeValueLengthLimit UTF-8 bytes (`WARN_TEXT_CUT` reported at `where` when it was longer). */
export function cutText(s: string, limits: IngestLimits, report: IngestReport, where: string): string {
  const cut = truncateUtf8(s, limits.attributeValueLengthLimit);
  if (cut !== s) report.warn(WARN_TEXT_CUT, where);
  return cut;
}

/** The end of the text `b[start, end)` cut to AttributeValueLengthLimit bytes (`WARN_TEXT_CUT` reported at `where()` when it was longer). */
export function cutEnd(b: Uint8Array, start: number, end: number, limits: IngestLimits, report: IngestReport, where: () => string): number {
  const limit = limits.attributeValueLengthLimit;
  if (end - start <= limit) return end;
  report.warn(WARN_TEXT_CUT, where());
  return utf8Cut(b, start, limit);
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
