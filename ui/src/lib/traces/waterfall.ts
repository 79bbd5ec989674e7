import type { Trace, TraceSpan } from '../api/types.ts';

/** One bar of the waterfall: where it starts and how wide it is, in percent of the trace's span of time. */
export interface Bar {
  span: TraceSpan;
  leftPct: number;
  widthPct: number;
  /** Offset from the trace start, ms to the nanosecond (the API's, computed from integer nanoseconds). */
  offsetMs: number;
}

/**
 * Bars for a trace (spans already come in waterfall order), placed by the API's `offsetMs` and `durationMs`
 * (to the nanosecond), never by subtracting epoch milliseconds (to the microsecond); a zero-length trace
 * still draws visible bars.
 */
export function waterfall(trace: Trace): Bar[] {
  const total = Math.max(trace.durationMs, 0.000001);
  return trace.spans.map((span) => {
    const offsetMs = span.offsetMs;
    const leftPct = Math.min(100, Math.max(0, (offsetMs / total) * 100));
    const widthPct = Math.max(0.4, Math.min(100 - leftPct, (span.durationMs / total) * 100));
    return { span, leftPct, widthPct, offsetMs };
  });
}

/** Whether a string is a trace id the API accepts (32 hex digits). */
export const isTraceId = (s: string) => /^[0-9a-fA-F]{32}$/.test(s.trim());

/**
 * The trace id in what a user pastes, lower-case, or undefined: a trace id (32 hex digits), or a W3C
 * `traceparent` value `version-traceid-parentid-flags` (W3C Trace Context, §3.2: 2, 32, 16 and 2 hex
 * digits), with or without its `traceparent:` header name; an all-zero trace id is invalid (§3.2.2.3).
 */
export function traceIdIn(text: string): string | undefined {
  const t = text
    .trim()
    .replace(/^traceparent\s*[:=]\s*/i, '')
    .toLowerCase();
  const id = /^[0-9a-f]{32}$/.test(t) ? t : /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(t)?.[1];
  return id && !/^0+$/.test(id) ? id : undefined;
}
