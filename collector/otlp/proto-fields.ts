/**
 * OTLP protobuf field numbers, named as `opentelemetry-proto` names them (the `.proto` files of
 * common/v1, resource/v1, trace/v1 and collector/trace/v1; `otlp.proto` here transcribes them).
 * The hand-written decoder compares whole tags (`field << 3 | wire type`) against these, so a
 * comparison reads `tag === TAG.Span.trace_id` rather than `tag >>> 3 === 1 && (tag & 7) === 2`.
 * `proto-fields.test.ts` checks every number against `otlp.proto`.
 */

/** Protobuf wire types (encoding spec): VARINT, I64 (fixed64/double), LEN (bytes, strings, messages), I32. */
export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

export const FIELDS = {
  ExportTraceServiceRequest: { resource_spans: 1 },
  ResourceSpans: { resource: 1, scope_spans: 2, schema_url: 3 },
  Resource: { attributes: 1, dropped_attributes_count: 2 },
  ScopeSpans: { scope: 1, spans: 2, schema_url: 3 },
  InstrumentationScope: { name: 1, version: 2, attributes: 3, dropped_attributes_count: 4 },
  Span: {
    trace_id: 1,
    span_id: 2,
    trace_state: 3,
    parent_span_id: 4,
    name: 5,
    kind: 6,
    start_time_unix_nano: 7,
    end_time_unix_nano: 8,
    attributes: 9,
    dropped_attributes_count: 10,
    events: 11,
    dropped_events_count: 12,
    links: 13,
    dropped_links_count: 14,
    status: 15,
    flags: 16,
  },
  'Span.Event': { time_unix_nano: 1, name: 2, attributes: 3, dropped_attributes_count: 4 },
  'Span.Link': { trace_id: 1, span_id: 2, trace_state: 3, attributes: 4, dropped_attributes_count: 5, flags: 6 },
  Status: { message: 2, code: 3 },
  KeyValue: { key: 1, value: 2 },
  AnyValue: { string_value: 1, bool_value: 2, int_value: 3, double_value: 4, array_value: 5, kvlist_value: 6, bytes_value: 7 },
  ArrayValue: { values: 1 },
  KeyValueList: { values: 1 },
} as const;

const tag = (field: number, wire: number) => (field << 3) | wire;
const { LEN, VARINT, I64 } = WIRE;

/** Whole tags (field number and wire type) as the decoder meets them on the wire. */
export const TAG = {
  ExportTraceServiceRequest: { resource_spans: tag(FIELDS.ExportTraceServiceRequest.resource_spans, LEN) },
  ResourceSpans: { resource: tag(FIELDS.ResourceSpans.resource, LEN), scope_spans: tag(FIELDS.ResourceSpans.scope_spans, LEN) },
  Resource: { attributes: tag(FIELDS.Resource.attributes, LEN) },
  ScopeSpans: { scope: tag(FIELDS.ScopeSpans.scope, LEN), spans: tag(FIELDS.ScopeSpans.spans, LEN) },
  InstrumentationScope: { name: tag(FIELDS.InstrumentationScope.name, LEN), version: tag(FIELDS.InstrumentationScope.version, LEN) },
  Span: {
    trace_id: tag(FIELDS.Span.trace_id, LEN),
    span_id: tag(FIELDS.Span.span_id, LEN),
    trace_state: tag(FIELDS.Span.trace_state, LEN),
    parent_span_id: tag(FIELDS.Span.parent_span_id, LEN),
    name: tag(FIELDS.Span.name, LEN),
    kind: tag(FIELDS.Span.kind, VARINT),
    start_time_unix_nano: tag(FIELDS.Span.start_time_unix_nano, I64),
    end_time_unix_nano: tag(FIELDS.Span.end_time_unix_nano, I64),
    attributes: tag(FIELDS.Span.attributes, LEN),
    events: tag(FIELDS.Span.events, LEN),
    links: tag(FIELDS.Span.links, LEN),
    status: tag(FIELDS.Span.status, LEN),
  },
  'Span.Event': {
    time_unix_nano: tag(FIELDS['Span.Event'].time_unix_nano, I64),
    name: tag(FIELDS['Span.Event'].name, LEN),
    attributes: tag(FIELDS['Span.Event'].attributes, LEN),
  },
  'Span.Link': {
    trace_id: tag(FIELDS['Span.Link'].trace_id, LEN),
    span_id: tag(FIELDS['Span.Link'].span_id, LEN),
    trace_state: tag(FIELDS['Span.Link'].trace_state, LEN),
    attributes: tag(FIELDS['Span.Link'].attributes, LEN),
  },
  Status: { message: tag(FIELDS.Status.message, LEN), code: tag(FIELDS.Status.code, VARINT) },
  KeyValue: { key: tag(FIELDS.KeyValue.key, LEN), value: tag(FIELDS.KeyValue.value, LEN) },
  AnyValue: {
    string_value: tag(FIELDS.AnyValue.string_value, LEN),
    bool_value: tag(FIELDS.AnyValue.bool_value, VARINT),
    int_value: tag(FIELDS.AnyValue.int_value, VARINT),
    double_value: tag(FIELDS.AnyValue.double_value, I64),
    array_value: tag(FIELDS.AnyValue.array_value, LEN),
    kvlist_value: tag(FIELDS.AnyValue.kvlist_value, LEN),
    bytes_value: tag(FIELDS.AnyValue.bytes_value, LEN),
  },
  ArrayValue: { values: tag(FIELDS.ArrayValue.values, LEN) },
  KeyValueList: { values: tag(FIELDS.KeyValueList.values, LEN) },
} as const;
