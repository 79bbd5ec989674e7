import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8, validUtf8Text } from '../touches/byte-text.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { jsonPathAt } from './json-path-at.ts';
import type { IngestReport } from './limits.ts';
import type { SignalName } from './proto-codec.ts';

const rejectedField: Record<SignalName, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };
const topField: Record<SignalName, string> = { traces: 'resourceSpans', metrics: 'resourceMetrics', logs: 'resourceLogs' };

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Renames snake_case field names to the lowerCamelCase of OTLP/JSON in place (`resource_spans`
 * → `resourceSpans`), as the OpenTelemetry Collector's JSON unmarshaler accepts both. OTLP/JSON
 * has no user-chosen object keys (attribute keys are values of `key`), so every key may be
 * renamed. Objects and arrays deeper than `maxDepth` are left as they are: only an attribute value (or a log body)
 * nests so deep, and its reader refuses its item at WEFT_MAX_ANY_VALUE_DEPTH, above them (a span nesting a kvlist
 * 10,000 deep was a 400 for the whole request here).
 */
function normalise(v: unknown, depth: number, maxDepth: number): void {
  if (v === null || typeof v !== 'object' || depth > maxDepth) return;
  if (Array.isArray(v)) {
    for (const x of v) normalise(x, depth + 1, maxDepth);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const value = o[k];
    if (k.includes('_')) {
      const c = camel(k);
      if (c !== k && !Object.hasOwn(o, c)) {
        Object.defineProperty(o, c, { value, enumerable: true, writable: true, configurable: true });
        delete o[k];
      }
    }
    normalise(value, depth + 1, maxDepth);
  }
}

/** A bare JSON number of 16 or more digits after `:`, `[` or `,` (the gate of `quoteLongIntegers`; it may match inside a string). */
const LONG_INTEGER = /[:[,]\s*-?\d{16}/;
/** A bare integer of 16 or more digits, whole (not the start or end of a longer number). */
const LONG_INTEGER_TOKEN = /(?<![\w.+-])-?\d{16,}(?![\d.eE])/g;

/**
 * `text` with every bare integer of 16 digits or more outside strings written as a string (`1764230400123456789` →
 * `"1764230400123456789"`), so that JSON.parse keeps it exact. The OTLP specification lets OTLP/JSON send a 64-bit
 * integer (a time in nanoseconds, an intValue) as a number or as a string; JSON.parse rounds a number past 2^53 to a
 * double: a time moved by up to 128 ns, an intValue 9007199254740993 stored as 9007199254740992. Every OTLP/JSON field
 * that can hold such a number also takes its string. Bodies without one (times sent as strings, as SDKs do) are
 * returned as they are after one regular-expression test; the others cost a pass that jumps from quote to quote.
 */
export function quoteLongIntegers(text: string): string {
  if (!LONG_INTEGER.test(text)) return text;
  const parts: string[] = [];
  // `from`: the start of text not yet copied; `at`: the start of the stretch outside strings being looked at.
  let from = 0;
  let at = 0;
  const outside = (end: number) => {
    if (end - at < 16) return;
    const stretch = text.slice(at, end);
    LONG_INTEGER_TOKEN.lastIndex = 0;
    for (let m = LONG_INTEGER_TOKEN.exec(stretch); m; m = LONG_INTEGER_TOKEN.exec(stretch)) {
      parts.push(text.slice(from, at + m.index), `"${m[0]}"`);
      from = at + m.index + m[0].length;
    }
  };
  for (;;) {
    const open = text.indexOf('"', at);
    if (open < 0) break;
    outside(open);
    // The closing quote: the next one not escaped (preceded by an even number of backslashes).
    let close = text.indexOf('"', open + 1);
    for (;;) {
      if (close < 0) break;
      let slashes = 0;
      while (text.charCodeAt(close - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) break;
      close = text.indexOf('"', close + 1);
    }
    if (close < 0) return text; // An open string: not JSON, which JSON.parse will say.
    at = close + 1;
  }
  outside(text.length);
  if (parts.length === 0) return text;
  parts.push(text.slice(from));
  return parts.join('');
}

/**
 * The warning for an OTLP/JSON body that is not UTF-8 (the place is the field path of its first invalid sequence, and
 * its byte: `resourceSpans[0].scopeSpans[0].spans[3].name (byte 412 of the body)`).
 */
export const WARN_INVALID_UTF8_JSON =
  'OTLP/JSON bodies that are not valid UTF-8 (JSON text must be) were read with U+FFFD in place of each run of invalid bytes, in the strings that held them';

/**
 * `body` as text: as it is when it is UTF-8, else with one U+FFFD a run of invalid bytes (as a protobuf string is read,
 * and as ClickHouse's `toValidUTF8` reads another writer's bytes), said in `report` with the field path and the byte of
 * the first (`invalidAt`). It was read with Buffer's decoder, one U+FFFD per maximal subpart, silently. A valid body
 * costs the one `isUtf8` check it cost before.
 */
function bodyText(body: Buffer, report?: IngestReport): string {
  if (isUtf8(body)) return body.toString('utf8');
  const text = validUtf8Text(body, 0, body.length);
  report?.warn(WARN_INVALID_UTF8_JSON, invalidAt(body));
  return text;
}

/**
 * Where the first invalid sequence of `body` (not UTF-8) starts: the OTLP/JSON path of the value holding it
 * (`jsonPathAt`) and its byte, each found in one pass. The byte was found by searching the decoded text for each U+FFFD
 * and measuring the bytes before it, quadratic in the U+FFFDs a sender wrote before it (100,000 of them before one
 * invalid byte held the collector's thread 6.4 s, 300,000 about a minute; a 20 MB body, gzipped to a few KiB, hours).
 */
function invalidAt(body: Buffer): string {
  const bytes = body.toString('latin1');
  const at = Math.max(0, firstInvalidUtf8(bytes));
  const path = jsonPathAt(bytes, at);
  return path ? `${path} (byte ${at} of the body)` : `byte ${at} of the body`;
}

/**
 * Parses an OTLP/JSON request: invalid JSON is a 400 naming the position; snake_case field names
 * are accepted; a non-empty body without the signal's top-level field is a 400 saying so (never a
 * 200 that stores nothing). `maxAnyValueDepth` bounds the nesting of attribute values. A body that is not UTF-8 is read
 * with U+FFFD (`bodyText`), said in `report`.
 */
export function decodeJson(signal: SignalName, body: Buffer, maxAnyValueDepth = 32, report?: IngestReport): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteLongIntegers(bodyText(body, report)));
  } catch (err) {
    throw ERR_OTLP_BAD_INPUT(`The body is not valid JSON: ${(err as Error).message}.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw ERR_OTLP_BAD_INPUT('The body must be a JSON object (an OTLP export request).');
  // Request, resource list, resource, scope list, scope, item list, item, attribute list, attribute,
  // value: 16 levels leave room; each arrayValue/kvlistValue level adds at most 4 (value, list, values, item).
  normalise(parsed, 0, 16 + 4 * maxAnyValueDepth);
  const keys = Object.keys(parsed);
  const top = topField[signal];
  if (keys.length > 0 && !Object.hasOwn(parsed, top)) {
    const shown = keys
      .slice(0, 5)
      .map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k))
      .join(', ');
    throw ERR_OTLP_BAD_INPUT(`The body has no "${top}" field (it has ${shown}): an OTLP/JSON export request for /v1/${signal} holds "${top}".`);
  }
  return parsed;
}

/** The export response: `partial_success` when items were refused, or (rejected 0) with a warning. */
export function encodeJsonResponse(signal: SignalName, rejected: number, message: string): string {
  return JSON.stringify(rejected > 0 || message ? { partialSuccess: { [rejectedField[signal]]: rejected, errorMessage: message } } : {});
}

export function encodeJsonStatus(code: number, message: string): string {
  return JSON.stringify({ code, message });
}
