import { checkWireTypes } from '../otlp/wire-types.ts';
import { isWeftError } from '../../core/errors/index.ts';
import { attributeMap, intText, isInt64, type ValueContext } from '../otlp/any-value.ts';
import { idHex, readNanos } from '../otlp/ids-and-times.ts';
import { list, obj } from './shape.ts';

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Why a data point is refused, in the words of `partial_success` (shared by every metric kind). A point is refused
 * alone for what is wrong inside it; the request's other points are kept (OTLP/HTTP "partial success"). Only OTLP/JSON
 * can send most of these (protobuf's fixed64 times and counts are uint64s, its ids bytes); a histogram's buckets and a
 * time of 0 can come from either.
 */
export const METRIC_REASONS = {
  unreadableTime:
    'data points with a start or time that is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1 (a negative, a fraction, an exponent, text)',
  noTime: 'data points without a time (timeUnixNano unset or 0, which OTLP says a consumer should refuse)',
  badValue: 'data points whose asInt is not a 64-bit integer or whose asDouble (or a histogram sum, min or max) is not a number',
  badExemplar:
    'data points with an exemplar whose time is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1, whose value is not a number, or whose trace id or span id has the wrong length (a trace id is 16 bytes, in OTLP/JSON 32 hex characters; a span id 8 bytes, 16 hex)',
  badCount: 'histogram data points whose count or a bucket count is not a whole number from 0 to 2^64 - 1 (a negative, a fraction, text)',
  bucketsMismatch: 'histogram data points with bucketCounts that are neither empty nor one more than their explicitBounds',
  boundsOrder: 'histogram data points whose explicitBounds are not strictly increasing numbers',
  countMismatch: 'histogram data points whose count is not the sum of their bucketCounts',
} as const;

/** A refused point: the reason (`METRIC_REASONS`) and the path of the field at fault. */
export interface Refusal {
  refused: string;
  where: string;
}

export const isRefusal = (v: unknown): v is Refusal => typeof v === 'object' && v !== null && 'refused' in v;

/**
 * A double as OTLP/JSON and protobufjs give it: a number, a numeric string ("1.5", "NaN", "Infinity", "-Infinity"),
 * a Long; 0 when absent; undefined when it is not a number ("abc", an object).
 */
export function readDouble(v: unknown): number | undefined {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (/^[+-]?(Infinity|NaN)$/.test(v)) return Number(v);
    const n = v.trim() === '' ? NaN : Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  if (typeof v === 'object' && 'low' in v) return Number((v as { toString(): string }).toString());
  return undefined;
}

/**
 * A NumberDataPoint's or an Exemplar's value, `asInt` (an sfixed64: a Long, an integral number, or decimal text within
 * int64) or `asDouble`, whichever is set; undefined when the one set is not a number of its kind.
 */
export function pointValue(p: Record<string, unknown>): number | undefined {
  if (has(p, 'asInt')) {
    const v = p.asInt;
    if (typeof v === 'number' && !Number.isInteger(v)) return undefined;
    const t = intText(v);
    return isInt64(t) ? Number(t) : undefined;
  }
  return readDouble(p.asDouble);
}

/** The start and time of a point as nanosecond text, or the refusal of a time that is not one (or a time of 0). */
export function pointTimes(p: Record<string, unknown>, pw: string): [start: string, time: string] | Refusal {
  const start = readNanos(p.startTimeUnixNano);
  if (start === undefined) return { refused: METRIC_REASONS.unreadableTime, where: `${pw}.startTimeUnixNano` };
  const time = readNanos(p.timeUnixNano);
  if (time === undefined) return { refused: METRIC_REASONS.unreadableTime, where: `${pw}.timeUnixNano` };
  if (time === '0') return { refused: METRIC_REASONS.noTime, where: `${pw}.timeUnixNano` };
  return [start, time];
}

/**
 * The five Exemplars.* columns of a point (filtered attributes, times, values, span ids, trace ids), or the refusal
 * of its first exemplar with a time, value or id that is malformed.
 */
export function exemplarColumns(p: Record<string, unknown>, pw: string, ctx: ValueContext): unknown[] | Refusal {
  const ex = list(p.exemplars, `${pw}.exemplars`).map((e, i) => {
    // A field of an exemplar sent with another wire type (protobuf) refuses its point, as one of the point's own does.
    checkWireTypes(e, `${pw}.exemplars[${i}]`);
    return obj(e, `${pw}.exemplars[${i}]`);
  });
  const times: string[] = [];
  const values: number[] = [];
  const spanIds: string[] = [];
  const traceIds: string[] = [];
  for (let i = 0; i < ex.length; i++) {
    const ew = `${pw}.exemplars[${i}]`;
    const time = readNanos(ex[i].timeUnixNano);
    if (time === undefined) return { refused: METRIC_REASONS.badExemplar, where: `${ew}.timeUnixNano` };
    const value = pointValue(ex[i]);
    if (value === undefined) return { refused: METRIC_REASONS.badExemplar, where: has(ex[i], 'asInt') ? `${ew}.asInt` : `${ew}.asDouble` };
    for (const [field, bytes, into] of [
      ['spanId', 8, spanIds],
      ['traceId', 16, traceIds],
    ] as const) {
      try {
        into.push(idHex(ex[i][field], bytes, `${ew}.${field}`));
      } catch (err) {
        if (!isWeftError(err)) throw err;
        return { refused: METRIC_REASONS.badExemplar, where: `${ew}.${field}` };
      }
    }
    times.push(time);
    values.push(value);
  }
  return [ex.map((e, i) => attributeMap(e.filteredAttributes, `${pw}.exemplars[${i}].filteredAttributes`, ctx)), times, values, spanIds, traceIds];
}

/** A HistogramDataPoint's count, sum, bucket counts and bounds, min and max, as stored. */
export interface HistogramValues {
  count: string;
  sum: number;
  bucketCounts: string[];
  explicitBounds: number[];
  min: number;
  max: number;
}

/**
 * A histogram point's values, or the refusal of a point the OTLP data model rules out (metrics.proto's
 * HistogramDataPoint): a count or bucket count that is no uint64, bucket counts neither empty nor one more than the
 * bounds, bounds not strictly increasing, a count other than the sum of the bucket counts, a sum, min or max that
 * is not a number.
 */
export function histogramValues(p: Record<string, unknown>, pw: string): HistogramValues | Refusal {
  const count = readNanos(p.count);
  if (count === undefined) return { refused: METRIC_REASONS.badCount, where: `${pw}.count` };
  const counts = list(p.bucketCounts, `${pw}.bucketCounts`);
  const bucketCounts: string[] = [];
  for (let j = 0; j < counts.length; j++) {
    const c = readNanos(counts[j]);
    if (c === undefined) return { refused: METRIC_REASONS.badCount, where: `${pw}.bucketCounts[${j}]` };
    bucketCounts.push(c);
  }
  const bounds = list(p.explicitBounds, `${pw}.explicitBounds`);
  const explicitBounds: number[] = [];
  for (let j = 0; j < bounds.length; j++) {
    const b = readDouble(bounds[j]);
    if (b === undefined || Number.isNaN(b) || (j > 0 && !(b > explicitBounds[j - 1]))) {
      return { refused: METRIC_REASONS.boundsOrder, where: `${pw}.explicitBounds[${j}]` };
    }
    explicitBounds.push(b);
  }
  if (bucketCounts.length > 0 && bucketCounts.length !== explicitBounds.length + 1) {
    return { refused: METRIC_REASONS.bucketsMismatch, where: `${pw}.bucketCounts` };
  }
  if (bucketCounts.length > 0 && bucketCounts.reduce((n, c) => n + BigInt(c), 0n) !== BigInt(count)) {
    return { refused: METRIC_REASONS.countMismatch, where: `${pw}.count` };
  }
  const optional = (field: 'sum' | 'min' | 'max') => (has(p, field) ? readDouble(p[field]) : 0);
  const [sum, min, max] = [optional('sum'), optional('min'), optional('max')];
  if (sum === undefined || min === undefined || max === undefined) {
    return { refused: METRIC_REASONS.badValue, where: `${pw}.${sum === undefined ? 'sum' : min === undefined ? 'min' : 'max'}` };
  }
  return { count, sum, bucketCounts, explicitBounds, min, max };
}
