import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { MAX_ANY_VALUE_DEPTH } from '../../core/config/index.ts';
import { validUtf8Text } from '../touches/byte-text.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import type { IngestReport } from './limits.ts';

// protobufjs stops at 100 nested messages (protoc's default), and an attribute value's kvlist level is three of them
// (AnyValue, KeyValueList, KeyValue): a value nesting 33 levels or more, allowed by a WEFT_MAX_ANY_VALUE_DEPTH above
// the default, failed its decoding with a plain Error (500) instead of decoding or being refused by that limit (400).
// Room for the deepest value the limit may allow, under a request's own nesting (16 levels).
const RECURSION_LIMIT = 16 + 3 * MAX_ANY_VALUE_DEPTH;
protobuf.util.recursionLimit = Math.max(protobuf.util.recursionLimit, RECURSION_LIMIT);
protobuf.Reader.recursionLimit = Math.max(protobuf.Reader.recursionLimit, RECURSION_LIMIT);

const root = protobuf.loadSync(join(dirname(fileURLToPath(import.meta.url)), 'otlp.proto'));
const type = (name: string) => root.lookupType(`weft.otlp.${name}`);

export const messages = {
  traces: { request: type('ExportTraceServiceRequest'), response: type('ExportTraceServiceResponse'), rejectedField: 'rejectedSpans' },
  metrics: { request: type('ExportMetricsServiceRequest'), response: type('ExportMetricsServiceResponse'), rejectedField: 'rejectedDataPoints' },
  logs: { request: type('ExportLogsServiceRequest'), response: type('ExportLogsServiceResponse'), rejectedField: 'rejectedLogRecords' },
} as const;
const rpcStatus = type('RpcStatus');

export type SignalName = keyof typeof messages;

/**
 * Decodes an OTLP protobuf request; unreadable bytes become a 400 that says so. `keepUnknown`: keep each message's unknown
 * fields (`$unknowns`), where a known field sent with another wire type ends up (`checkWireTypes`); protobufjs drops them
 * by default. With `report`, a string field that is not valid UTF-8 is read with U+FFFD in place of its invalid bytes
 * and reported (`WARN_INVALID_UTF8`); without, it fails the body (protobufjs's proto3 check, a 400).
 */
export function decodeProto(signal: SignalName, body: Buffer, keepUnknown = false, report?: IngestReport): unknown {
  try {
    const reader = report ? lenientReader(body, (at) => report.warn(WARN_INVALID_UTF8, `byte ${at} of the body`)) : protobuf.Reader.create(body);
    reader.discardUnknown = !keepUnknown;
    return messages[signal].request.decode(reader);
  } catch (err) {
    // protobufjs recurses per nested message: a value nested thousands deep overflows its stack.
    // protobufjs stops at 100 nested messages (protoc's default recursion limit).
    if (/max depth exceeded|call stack/i.test((err as Error).message)) {
      const limit = protobuf.util.recursionLimit;
      throw ERR_OTLP_BAD_INPUT(`The body nests messages deeper than ${limit} levels; flatten nested arrayValue/kvlistValue attribute values.`);
    }
    throw ERR_OTLP_BAD_INPUT(`The body is not a valid OTLP ${messages[signal].request.name} in protobuf: ${(err as Error).message}.`);
  }
}

/** The warning for a protobuf string field that was not UTF-8, stored with U+FFFD (the place is its byte offset). */
export const WARN_INVALID_UTF8 =
  'string fields that are not valid UTF-8 (proto3 strings must be) were stored with U+FFFD in place of each run of invalid bytes';

/**
 * A reader of `bytes` whose proto3 string read is lenient: invalid UTF-8 failed the whole request (protobufjs's strict
 * decoder throws), losing every good item of it; the OpenTelemetry Collector refuses such a request too, but Weft keeps
 * its items, with the text as ClickHouse's `toValidUTF8` reads it (one U+FFFD a run of invalid bytes: `validUtf8Text`),
 * and says so: `invalid(at)` with the string's place in `bytes` (its length's first byte).
 */
export function lenientReader(bytes: Uint8Array, invalid: (at: number) => void): protobuf.Reader {
  const reader = protobuf.Reader.create(bytes);
  const strict = protobuf.Reader.prototype.stringVerify;
  reader.stringVerify = () => {
    const at = reader.pos;
    try {
      return strict.call(reader);
    } catch (err) {
      if (!/utf-8/i.test((err as Error).message)) throw err;
      reader.pos = at;
      invalid(at);
      const n = reader.uint32();
      const start = reader.pos;
      if (start + n > reader.len) throw err;
      reader.pos = start + n;
      return validUtf8Text(reader.buf, start, start + n);
    }
  };
  return reader;
}

/** The export response; `partial_success` when something was rejected or (rejected 0) changed. */
export function encodeProtoResponse(signal: SignalName, rejected: number, message: string): Buffer {
  const m = messages[signal];
  const payload = rejected > 0 || message ? { partialSuccess: { [m.rejectedField]: rejected, errorMessage: message } } : {};
  return Buffer.from(m.response.encode(m.response.fromObject(payload)).finish());
}

/** An OTLP/HTTP error body (google.rpc.Status) in protobuf. */
export function encodeProtoStatus(code: number, message: string): Buffer {
  return Buffer.from(rpcStatus.encode(rpcStatus.fromObject({ code, message })).finish());
}

export function decodeProtoStatus(body: Buffer): { code: number; message: string } {
  return rpcStatus.toObject(rpcStatus.decode(body)) as { code: number; message: string };
}

export function decodeProtoResponse(signal: SignalName, body: Buffer): Record<string, unknown> {
  const m = messages[signal];
  return m.response.toObject(m.response.decode(body), { longs: Number }) as Record<string, unknown>;
}
