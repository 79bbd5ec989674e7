import protobuf from 'protobufjs';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { FIELDS, WIRE } from './proto-fields.ts';

const WIRE_NAMES = ['VARINT', 'I64', 'LEN', 'SGROUP', 'EGROUP', 'I32', '6', '7'];
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The message of a field sent with another wire type than its type has (a span's `name` as a varint, its
 * `start_time_unix_nano` as a string): `where.name must be sent with wire type 2 (LEN), got 0 (VARINT)`.
 */
export function wrongWireMessage(where: string, field: string, want: number, got: number): string {
  return `${where}.${field} must be sent with wire type ${want} (${WIRE_NAMES[want]}), got ${got} (${WIRE_NAMES[got]})`;
}

/**
 * The wire type of each field of Span and Status, by field number (opentelemetry-proto's trace.proto), and its name as
 * OTLP/JSON writes it: for the hand-written decoder, which otherwise passes over a known field sent with another wire
 * type as protobuf passes over an unknown field.
 */
const { LEN, VARINT, I64, I32 } = WIRE;
const spanWire: Record<keyof (typeof FIELDS)['Span'], number> = {
  trace_id: LEN,
  span_id: LEN,
  trace_state: LEN,
  parent_span_id: LEN,
  name: LEN,
  kind: VARINT,
  start_time_unix_nano: I64,
  end_time_unix_nano: I64,
  attributes: LEN,
  dropped_attributes_count: VARINT,
  events: LEN,
  dropped_events_count: VARINT,
  links: LEN,
  dropped_links_count: VARINT,
  status: LEN,
  flags: I32,
};
const statusWire: Record<keyof (typeof FIELDS)['Status'], number> = { message: LEN, code: VARINT };
const eventWire: Record<keyof (typeof FIELDS)['Span.Event'], number> = { time_unix_nano: I64, name: LEN, attributes: LEN, dropped_attributes_count: VARINT };
const linkWire: Record<keyof (typeof FIELDS)['Span.Link'], number> = {
  trace_id: LEN,
  span_id: LEN,
  trace_state: LEN,
  attributes: LEN,
  dropped_attributes_count: VARINT,
  flags: I32,
};
const keyValueWire: Record<keyof (typeof FIELDS)['KeyValue'], number> = { key: LEN, value: LEN };
const anyValueWire: Record<keyof (typeof FIELDS)['AnyValue'], number> = {
  string_value: LEN,
  bool_value: VARINT,
  int_value: VARINT,
  double_value: I64,
  array_value: LEN,
  kvlist_value: LEN,
  bytes_value: LEN,
};
const valuesWire = { values: LEN };
const requestWire: Record<keyof (typeof FIELDS)['ExportTraceServiceRequest'], number> = { resource_spans: LEN };
const resourceSpansWire: Record<keyof (typeof FIELDS)['ResourceSpans'], number> = { resource: LEN, scope_spans: LEN, schema_url: LEN };
const scopeSpansWire: Record<keyof (typeof FIELDS)['ScopeSpans'], number> = { scope: LEN, spans: LEN, schema_url: LEN };
const resourceWire: Record<keyof (typeof FIELDS)['Resource'], number> = { attributes: LEN, dropped_attributes_count: VARINT };
const scopeWire: Record<keyof (typeof FIELDS)['InstrumentationScope'], number> = { name: LEN, version: LEN, attributes: LEN, dropped_attributes_count: VARINT };

/** Per field number: the wire type its type has (-1: no such field), and its OTLP/JSON name. */
function table(fields: Record<string, number>, wire: Record<string, number>): { wire: Int8Array; names: string[] } {
  const t = { wire: new Int8Array(Math.max(...Object.values(fields)) + 1).fill(-1), names: [] as string[] };
  for (const [name, number] of Object.entries(fields)) {
    t.wire[number] = wire[name];
    t.names[number] = camel(name);
  }
  return t;
}
export const SPAN_WIRE = table(FIELDS.Span, spanWire);
export const STATUS_WIRE = table(FIELDS.Status, statusWire);
export const EVENT_WIRE = table(FIELDS['Span.Event'], eventWire);
export const LINK_WIRE = table(FIELDS['Span.Link'], linkWire);
export const KEY_VALUE_WIRE = table(FIELDS.KeyValue, keyValueWire);
export const ANY_VALUE_WIRE = table(FIELDS.AnyValue, anyValueWire);
export const RESOURCE_WIRE = table(FIELDS.Resource, resourceWire);
export const SCOPE_WIRE = table(FIELDS.InstrumentationScope, scopeWire);
export const TRACE_REQUEST_WIRE = table(FIELDS.ExportTraceServiceRequest, requestWire);
export const RESOURCE_SPANS_WIRE = table(FIELDS.ResourceSpans, resourceSpansWire);
export const SCOPE_SPANS_WIRE = table(FIELDS.ScopeSpans, scopeSpansWire);
/** ArrayValue and KeyValueList: one field, `values` (LEN). */
export const VALUES_WIRE = table(FIELDS.ArrayValue, valuesWire);

/** A field table of `table`'s shape: per field number, its wire type (-1: no such field) and its OTLP/JSON name. */
export type WireTable = ReturnType<typeof table>;

/**
 * Whether the whole tag `tag` is a field of `t` sent with another wire type than its type has (an unknown field number
 * is not: protobuf passes over it). For the hand-written decoder's readers, asked only of a tag they do not take.
 */
export const isWrongWire = (t: WireTable, tag: number): boolean => t.wire[tag >>> 3] >= 0 && t.wire[tag >>> 3] !== (tag & 7);

/** ERR_OTLP_BAD_INPUT (400; the item is refused: `readItem`) for the field of `t` with whole tag `tag` in the message at `where`. */
export function wrongWireError(where: string, t: WireTable, tag: number): Error {
  return ERR_OTLP_BAD_INPUT(wrongWireMessage(where, t.names[tag >>> 3], t.wire[tag >>> 3], tag & 7));
}

/**
 * Throws ERR_OTLP_BAD_INPUT (the item is refused: `readItem`) when the protobufjs message `m` holds a field of its type
 * sent with another wire type. protobufjs, as protobuf's reference parsers, keeps such a field among the message's
 * unknown fields (`$unknowns`) and leaves the field unset: a span's `name` sent as a varint was stored as a span named
 * '', a log record's `severity_text` sent so as a record without one, silently. A field number the type does not have
 * is an unknown field, passed over as the OTLP specification asks. Objects of OTLP/JSON are passed.
 */
export function checkWireTypes(m: unknown, where: string): void {
  if (!(m instanceof protobuf.Message)) return;
  const unknowns = (m as { $unknowns?: Uint8Array[] }).$unknowns;
  if (!unknowns) return;
  const type = (m as unknown as { $type: protobuf.Type }).$type;
  for (const raw of unknowns) {
    const tag = protobuf.Reader.create(raw).uint32();
    const field = type.fieldsById[tag >>> 3];
    if (!field) continue;
    throw ERR_OTLP_BAD_INPUT(wrongWireMessage(where, field.name, wireOf(field), tag & 7));
  }
}

/**
 * `checkWireTypes` for the protobufjs message `m` and every message it holds, at any depth (a point's attributes and
 * their values, its buckets, quantile values and exemplars), each named by its path from `where`
 * (`….dataPoints[0].positive.bucketCounts`). For messages Weft reads no further itself: an exponential histogram's or
 * a summary's points, not stored, refused for this rather than as not stored.
 */
export function checkWireTypesDeep(m: unknown, where: string): void {
  if (!(m instanceof protobuf.Message)) return;
  checkWireTypes(m, where);
  for (const field of (m as unknown as { $type: protobuf.Type }).$type.fieldsArray) {
    if (!(field.resolvedType instanceof protobuf.Type)) continue;
    const v = (m as unknown as Record<string, unknown>)[field.name];
    if (Array.isArray(v)) v.forEach((x, i) => checkWireTypesDeep(x, `${where}.${field.name}[${i}]`));
    else checkWireTypesDeep(v, `${where}.${field.name}`);
  }
}

/** The wire type of `field`'s type (a repeated scalar may also come packed, as LEN). */
function wireOf(field: protobuf.Field): number {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Type) return LEN;
  if (field.resolvedType instanceof protobuf.Enum) return VARINT;
  return protobuf.types.basic[field.type as keyof typeof protobuf.types.basic] ?? LEN;
}

/** Whether `wire` is a wire type `field` may be sent with. */
export function wireFits(field: protobuf.Field, wire: number): boolean {
  const want = wireOf(field);
  return wire === want || (wire === LEN && field.repeated && want !== LEN);
}
