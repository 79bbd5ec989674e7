import protobuf from 'protobufjs';
import { jsonValueCount } from '../../core/text/index.ts';
import { ERR_OTLP_TOO_MANY_MESSAGES, maxDecodedMessages } from './limits.ts';
import { messages, type SignalName } from './proto-codec.ts';
import { Malformed, packedWireOf, WireReader } from './wire-reader.ts';
import { wireFits } from './wire-types.ts';

/** The nesting past which the count stops descending; protobufjs refuses such a body itself (proto-codec.ts). */
const MAX_NESTING = 1024;

/**
 * How many messages protobufjs would build decoding `body` as `type` (the request itself included), counted on the
 * wire without building any: a field of wire type 2 whose declared type is a message is one more, and is walked into.
 * Stops counting past `max` (returns max + 1). A message whose own bytes are broken is counted up to where it breaks,
 * and the walk goes on after it (`FieldCounts.malformed` says where it first broke); the request's own fields broken
 * end the count there. `start`, `end`: the message's bytes in `body` when it is not the whole of it (byte numbers in
 * messages stay the body's).
 */
export function protoMessageCount(type: protobuf.Type, body: Uint8Array, max: number, fields?: FieldCounts, start = 0, end = body.length): number {
  const r = new WireReader(body, start);
  let count = 1;
  const stack: { type: protobuf.Type; end: number }[] = [{ type, end }];
  // A message whose own bytes are broken (its length in the message around it whole) is passed over to its end, and the
  // walk goes on: the fields after it are counted too (`decodeProtoItems` refuses it alone).
  for (;;) {
    try {
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (r.p >= top.end) {
          stack.pop();
          continue;
        }
        const tag = r.varint(top.end);
        const wire = tag & 7;
        if (fields) {
          const field = top.type.fieldsById[Math.floor(tag / 8)];
          if (!field) fields.unknown++;
          else if (!wireFits(field, wire)) fields.wrongWire++;
        }
        if (wire !== 2) {
          r.skip(wire, top.end);
          continue;
        }
        const n = r.len(top.end);
        const field = top.type.fieldsById[Math.floor(tag / 8)];
        const sub = field?.resolvedType;
        // A repeated number sent packed: its items whole.
        const packedWire = field?.repeated ? packedWireOf(field) : undefined;
        if (sub instanceof protobuf.Type && stack.length < MAX_NESTING) {
          if (++count > max) return count;
          stack.push({ type: sub, end: r.p + n });
        } else if (packedWire !== undefined) r.packed(packedWire, n);
        else r.p += n;
      }
      return count;
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      if (fields && fields.malformed === undefined) fields.malformed = err.message;
      if (stack.length <= 1) return count;
      r.p = stack.pop()!.end;
    }
  }
}

/**
 * Fields `protoMessageCount` met that protobufjs keeps as unknown: known ones of another wire type, and unknown numbers;
 * `malformed`: the walk met bytes that are no protobuf (a length running past its message's end…).
 */
export interface FieldCounts {
  wrongWire: number;
  unknown: number;
  /** Where the walk first met bytes that are no protobuf (the `Malformed` message: what ran past its end, and the byte). */
  malformed?: string;
}

// Field types are resolved once, up front (protobufjs resolves them lazily, at a type's first decode).
for (const m of Object.values(messages)) m.request.resolveAll();

/**
 * Refuses (413, ERR_OTLP_TOO_MANY_MESSAGES) a body that would decode into more than `maxDecodedMessages(maxExpandedBytes)`
 * messages or JSON values, before it is decoded. `keepUnknown`: the protobuf body has a known field sent with another
 * wire type, so protobufjs must keep unknown fields for the mappers to refuse its item (`decodeProto`). `broken`: the
 * protobuf body is broken somewhere (protobufjs, bounded by the whole buffer rather than by each message's length, may
 * fail on it or misread it), to be read item by item (`decodeProtoItems`). Protobuf traces are not decoded whole (the trace decoder writes rows
 * from the wire, its cost bounded by the rows' budget), and are not counted here.
 */
export function checkDecodeCost(
  signal: SignalName,
  wire: 'proto' | 'json',
  body: Uint8Array,
  maxExpandedBytes: number,
): { keepUnknown: boolean; broken: boolean } {
  const max = maxDecodedMessages(maxExpandedBytes);
  if (wire === 'json') {
    if (jsonValueCount(body, max) > max) throw ERR_OTLP_TOO_MANY_MESSAGES(max, 'JSON objects and arrays');
    return { keepUnknown: false, broken: false };
  }
  if (signal === 'traces') return { keepUnknown: false, broken: false };
  const fields: FieldCounts = { wrongWire: 0, unknown: 0 };
  const count = protoMessageCount(messages[signal].request, body, max, fields);
  if (count > max) throw ERR_OTLP_TOO_MANY_MESSAGES(max, 'protobuf messages');
  // A field of another wire type is found by the mappers among a message's unknown fields (`checkWireTypes`): protobufjs
  // keeps those only when asked, each as one more object, which counts against the same bound.
  const broken = fields.malformed !== undefined;
  if (fields.wrongWire === 0) return { keepUnknown: false, broken };
  if (count + fields.wrongWire + fields.unknown > max) throw ERR_OTLP_TOO_MANY_MESSAGES(max, 'protobuf messages and unknown fields');
  return { keepUnknown: true, broken };
}
