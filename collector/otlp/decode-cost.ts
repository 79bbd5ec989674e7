import protobuf from 'protobufjs';
import { jsonValueCount } from '../../core/text/index.ts';
import { ERR_OTLP_TOO_MANY_MESSAGES, maxDecodedMessages } from './limits.ts';
import { messages, type SignalName } from './proto-codec.ts';
import { Malformed, WireReader } from './wire-reader.ts';

/** The nesting past which the count stops descending; protobufjs refuses such a body itself (proto-codec.ts). */
const MAX_NESTING = 1024;

/**
 * How many messages protobufjs would build decoding `body` as `type` (the request itself included), counted on the
 * wire without building any: a field of wire type 2 whose declared type is a message is one more, and is walked into.
 * Stops counting past `max` (returns max + 1). A malformed body is counted up to where it breaks: protobufjs then
 * refuses it with its own error (400).
 */
export function protoMessageCount(type: protobuf.Type, body: Uint8Array, max: number): number {
  const r = new WireReader(body);
  let count = 1;
  const stack: { type: protobuf.Type; end: number }[] = [{ type, end: body.length }];
  try {
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (r.p >= top.end) {
        stack.pop();
        continue;
      }
      const tag = r.varint(top.end);
      const wire = tag & 7;
      if (wire !== 2) {
        r.skip(wire, top.end);
        continue;
      }
      const n = r.len(top.end);
      const sub = top.type.fieldsById[Math.floor(tag / 8)]?.resolvedType;
      if (sub instanceof protobuf.Type && stack.length < MAX_NESTING) {
        if (++count > max) return count;
        stack.push({ type: sub, end: r.p + n });
      } else r.p += n;
    }
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
  }
  return count;
}

// Field types are resolved once, up front (protobufjs resolves them lazily, at a type's first decode).
for (const m of Object.values(messages)) m.request.resolveAll();

/**
 * Refuses (413, ERR_OTLP_TOO_MANY_MESSAGES) a body that would decode into more than `maxDecodedMessages(maxExpandedBytes)`
 * messages or JSON values, before it is decoded. Protobuf traces are not decoded whole (the trace decoder writes rows
 * from the wire, its cost bounded by the rows' budget), and are not counted here.
 */
export function checkDecodeCost(signal: SignalName, wire: 'proto' | 'json', body: Uint8Array, maxExpandedBytes: number): void {
  const max = maxDecodedMessages(maxExpandedBytes);
  if (wire === 'json') {
    if (jsonValueCount(body, max) > max) throw ERR_OTLP_TOO_MANY_MESSAGES(max, 'JSON objects and arrays');
  } else if (signal !== 'traces' && protoMessageCount(messages[signal].request, body, max) > max) throw ERR_OTLP_TOO_MANY_MESSAGES(max, 'protobuf messages');
}
