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
