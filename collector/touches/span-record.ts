import { utf8Cut } from '../otlp/limits.ts';
import { skipperFor, varint, type Skip } from '../rows/row-binary-reader.ts';
import type { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { traceColumns, type TraceColumn } from '../rows/trace-columns.ts';

/**
 * The span attributes the classification reads (`A['…']` in clickhouse/migrations/033). A key
 * missing from a span reads as '', as a Map lookup does in SQL.
 */
export const SPAN_KEYS = [
  'integration.flow',
  'integration.domain',
  'integration.records',
  'integration.source',
  'integration.target',
  'integration.operation',
  'peer.service',
  'rpc.system',
  'rpc.service',
  'db.system.name',
  'db.system',
  'db.namespace',
  'db.name',
  'db.query.text',
  'db.statement',
  'db.operation.name',
  'db.operation',
  'db.query.summary',
  'messaging.system',
  'messaging.destination.name',
  'messaging.destination',
  'messaging.rabbitmq.destination.routing_key',
  'rabbitmq.destination.routing_key',
  'messaging.rabbitmq.routing_key',
  'messaging.destination.temporary',
  'messaging.destination.anonymous',
  'messaging.destination.template',
  'messaging.operation.type',
  'messaging.operation',
  'url.full',
  'http.url',
  'url.path',
  'http.target',
  'http.request.method',
  'http.method',
  'url.scheme',
  'http.scheme',
  'server.address',
  'net.peer.name',
  'http.host',
  'network.peer.address',
  'net.peer.ip',
  'server.port',
  'net.peer.port',
  'network.peer.port',
  'url.template',
  'http.response.status_code',
  'http.status_code',
  'aws.dynamodb.table_names',
  'db.stored_procedure.name',
  'rpc.method',
  'http.request.header.if-none-match',
  'http.request.header.if_none_match',
  'messaging.url',
  'aws.sqs.queue.url',
  'messaging.masstransit.destination_address',
  'messaging.masstransit.input_address',
  'messaging.masstransit.consumer_type',
  'aws.s3.bucket',
  'aws.bucket.name',
  'celery.action',
  'graphql.operation.type',
  'graphql.document',
  'az.namespace',
  'message_bus.destination',
  'faas.invoked_name',
  'faas.invoked_region',
  'aws.region',
  'aws.lambda.function.name',
  'service.peer.name',
  'server.service.name',
] as const;
export type SpanKey = (typeof SPAN_KEYS)[number];

/** The resource attributes it reads (`ResourceAttributes['…']`). */
export const RESOURCE_KEYS = ['integration.flow', 'integration.domain'] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];

/** Finds which of a fixed list of keys the bytes `b[s, e)` are: by length, then byte for byte. */
class KeyIndex {
  private readonly byLength: { bytes: Buffer; slot: number }[][] = [];
  constructor(keys: readonly string[]) {
    keys.forEach((key, slot) => {
      const bytes = Buffer.from(key, 'latin1');
      (this.byLength[bytes.length] ??= []).push({ bytes, slot });
    });
  }
  slotOf(b: Buffer, s: number, e: number): number {
    const candidates = this.byLength[e - s];
    if (!candidates) return -1;
    next: for (const c of candidates) {
      const k = c.bytes;
      for (let i = k.length - 1; i >= 0; i--) if (b[s + i] !== k[i]) continue next;
      return c.slot;
    }
    return -1;
  }
}

const spanIndex = new KeyIndex(SPAN_KEYS);
const resourceIndex = new KeyIndex(RESOURCE_KEYS);
/**
 * Slot numbers of the span attributes read, by key: `record.attr(A['url.full'])`. A literal object,
 * so that a lookup with a literal key costs a property load (checked against SPAN_KEYS below).
 */
export const A = {
  'integration.flow': 0,
  'integration.domain': 1,
  'integration.records': 2,
  'integration.source': 3,
  'integration.target': 4,
  'integration.operation': 5,
  'peer.service': 6,
  'rpc.system': 7,
  'rpc.service': 8,
  'db.system.name': 9,
  'db.system': 10,
  'db.namespace': 11,
  'db.name': 12,
  'db.query.text': 13,
  'db.statement': 14,
  'db.operation.name': 15,
  'db.operation': 16,
  'db.query.summary': 17,
  'messaging.system': 18,
  'messaging.destination.name': 19,
  'messaging.destination': 20,
  'messaging.rabbitmq.destination.routing_key': 21,
  'rabbitmq.destination.routing_key': 22,
  'messaging.rabbitmq.routing_key': 23,
  'messaging.destination.temporary': 24,
  'messaging.destination.anonymous': 25,
  'messaging.destination.template': 26,
  'messaging.operation.type': 27,
  'messaging.operation': 28,
  'url.full': 29,
  'http.url': 30,
  'url.path': 31,
  'http.target': 32,
  'http.request.method': 33,
  'http.method': 34,
  'url.scheme': 35,
  'http.scheme': 36,
  'server.address': 37,
  'net.peer.name': 38,
  'http.host': 39,
  'network.peer.address': 40,
  'net.peer.ip': 41,
  'server.port': 42,
  'net.peer.port': 43,
  'network.peer.port': 44,
  'url.template': 45,
  'http.response.status_code': 46,
  'http.status_code': 47,
  'aws.dynamodb.table_names': 48,
  'db.stored_procedure.name': 49,
  'rpc.method': 50,
  'http.request.header.if-none-match': 51,
  'http.request.header.if_none_match': 52,
  'messaging.url': 53,
  'aws.sqs.queue.url': 54,
  'messaging.masstransit.destination_address': 55,
  'messaging.masstransit.input_address': 56,
  'messaging.masstransit.consumer_type': 57,
  'aws.s3.bucket': 58,
  'aws.bucket.name': 59,
  'celery.action': 60,
  'graphql.operation.type': 61,
  'graphql.document': 62,
  'az.namespace': 63,
  'message_bus.destination': 64,
  'faas.invoked_name': 65,
  'faas.invoked_region': 66,
  'aws.region': 67,
  'aws.lambda.function.name': 68,
  'service.peer.name': 69,
  'server.service.name': 70,
} as const satisfies Record<SpanKey, number>;
for (const [i, k] of SPAN_KEYS.entries()) if (A[k] !== i) throw new Error(`span-record: slot of ${k} is not ${i}`);
const RESOURCE_SLOT = { 'integration.flow': 0, 'integration.domain': 1 } as const satisfies Record<ResourceKey, number>;

/** Value ranges of the keys looked for in one map, the first occurrence of each (as a Map lookup in SQL finds it). */
class Slots {
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** The row (generation) in which a slot was last set, and last decoded. */
  private readonly seen: Uint32Array;
  private readonly decoded: Uint32Array;
  private readonly text: string[];
  private gen = 0;
  b: Buffer = Buffer.alloc(0);
  constructor(n: number) {
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    this.seen = new Uint32Array(n);
    this.decoded = new Uint32Array(n);
    this.text = new Array<string>(n).fill('');
  }
  clear(b: Buffer): void {
    this.b = b;
    if (++this.gen === 0xffffffff) {
      this.seen.fill(0);
      this.decoded.fill(0);
      this.gen = 1;
    }
  }
  /** Records value `[vs, ve)` for `slot` unless the key was seen earlier in this map. */
  set(slot: number, vs: number, ve: number): void {
    if (this.seen[slot] === this.gen) return;
    this.seen[slot] = this.gen;
    this.start[slot] = vs;
    this.end[slot] = ve;
  }
  /** The value as a byte string ('' when absent), decoded once per row. */
  get(slot: number): string {
    if (this.seen[slot] !== this.gen) return '';
    if (this.decoded[slot] !== this.gen) {
      this.text[slot] = this.b.toString('latin1', this.start[slot], this.end[slot]);
      this.decoded[slot] = this.gen;
    }
    return this.text[slot];
  }
  has(slot: number): boolean {
    return this.seen[slot] === this.gen && this.end[slot] > this.start[slot];
  }
}

/**
 * One otel_traces row of a spool segment (RowBinary, columns in the order of `traceColumns`), read
 * for the classification: positions of the columns it needs and the values of the attributes it
 * reads. `read(b, p)` fills it from the row at `p` and returns where the next row starts.
 * Accessors return byte strings (see byte-text.ts); ids and names stay ranges of `b`.
 */
export class SpanRecord {
  b: Buffer = Buffer.alloc(0);
  /** Timestamp (nanoseconds) and Duration as unsigned 32-bit halves. */
  tsLo = 0;
  tsHi = 0;
  durLo = 0;
  durHi = 0;
  /** [start, end) of the string columns kept. */
  readonly trace = [0, 0];
  readonly span = [0, 0];
  readonly name = [0, 0];
  readonly kind = [0, 0];
  readonly service = [0, 0];
  readonly status = [0, 0];
  readonly statusMessage = [0, 0];
  /** [start, end) of the Events.Attributes column (RowBinary Array(Map(String, String))). */
  readonly eventAttributes = [0, 0];
  private readonly attrs = new Slots(SPAN_KEYS.length);
  private readonly resource = new Slots(RESOURCE_KEYS.length);
  private readonly steps: ((b: Buffer, p: number) => number)[];

  constructor() {
    const str = (range: number[]) => (b: Buffer, p: number) => {
      const [n, q] = varint(b, p);
      range[0] = q;
      range[1] = q + n;
      return q + n;
    };
    const special: Partial<Record<TraceColumn, (b: Buffer, p: number) => number>> = {
      Timestamp: (b, p) => {
        this.tsLo = b.readUInt32LE(p);
        this.tsHi = b.readUInt32LE(p + 4);
        return p + 8;
      },
      TraceId: str(this.trace),
      SpanId: str(this.span),
      SpanName: str(this.name),
      SpanKind: str(this.kind),
      ServiceName: str(this.service),
      ResourceAttributes: (b, p) => readMap(b, p, resourceIndex, this.resource),
      SpanAttributes: (b, p) => readMap(b, p, spanIndex, this.attrs),
      Duration: (b, p) => {
        this.durLo = b.readUInt32LE(p);
        this.durHi = b.readUInt32LE(p + 4);
        return p + 8;
      },
      StatusCode: str(this.status),
      StatusMessage: str(this.statusMessage),
      'Events.Attributes': (b, p) => {
        this.eventAttributes[0] = p;
        this.eventAttributes[1] = skipEvents(b, p);
        return this.eventAttributes[1];
      },
    };
    this.steps = traceColumns.map((c) => special[c.column] ?? (skipperFor(c.type) as Skip));
  }

  /** Reads the row starting at `p`; returns the position after it. Throws a RangeError on a row cut short. */
  read(b: Buffer, p: number): number {
    this.b = b;
    this.attrs.clear(b);
    this.resource.clear(b);
    for (const step of this.steps) p = step(b, p);
    if (p > b.length) throw new RangeError('RowBinary segment ends inside a row');
    return p;
  }

  /** `SpanAttributes['key']` as a byte string ('' when absent); `slot` is `A['key']`. */
  attr(slot: number): string {
    return this.attrs.get(slot);
  }

  /** `SpanAttributes['key'] != ''`, without decoding the value; `slot` is `A['key']`. */
  has(slot: number): boolean {
    return this.attrs.has(slot);
  }

  /**
   * Copies the first non-empty of `SpanAttributes[A[slot]]`, `ResourceAttributes[resourceKey]` and (when
   * given) `fallback` (a range of the row) as a RowBinary string, cut to `maxBytes` at a UTF-8 character boundary; ''
   * when none is set.
   */
  writeFirst(out: RowBinaryWriter, slot: number, resourceKey: ResourceKey, fallback?: number[], maxBytes = Infinity): void {
    const r = RESOURCE_SLOT[resourceKey];
    let start: number;
    let end: number;
    if (this.attrs.has(slot)) [start, end] = [this.attrs.start[slot], this.attrs.end[slot]];
    else if (this.resource.has(r)) [start, end] = [this.resource.start[r], this.resource.end[r]];
    else if (fallback) [start, end] = [fallback[0], fallback[1]];
    else return out.varint(0);
    out.bytes(this.b, start, end - start > maxBytes ? utf8Cut(this.b, start, maxBytes) : end);
  }

  /** The span name as a byte string. */
  spanName(): string {
    return this.b.toString('latin1', this.name[0], this.name[1]);
  }

  /** Whether SpanKind / StatusCode contain `word` (ASCII, case-insensitive), as `positionCaseInsensitive(…) > 0`. */
  kindIs(word: string): boolean {
    return containsAsciiCi(this.b, this.kind, word);
  }
  statusIs(word: string): boolean {
    return containsAsciiCi(this.b, this.status, word);
  }

  /** Whether StatusMessage is `text` (an ASCII string), byte for byte. */
  statusMessageIs(text: string): boolean {
    return rangeIs(this.b, this.statusMessage[0], this.statusMessage[1], text);
  }

  /**
   * Whether an event of the span has the attribute `key` with the value `text` (both ASCII strings), byte for byte, as
   * `has(arrayMap(a -> a[key], Events.Attributes), text)` says in SQL.
   */
  eventAttributeIs(key: string, text: string): boolean {
    const b = this.b;
    let [n, p] = varint(b, this.eventAttributes[0]);
    for (let i = 0; i < n; i++) {
      let m: number;
      [m, p] = varint(b, p);
      for (let j = 0; j < m; j++) {
        const [kl, ks] = varint(b, p);
        const [vl, vs] = varint(b, ks + kl);
        if (rangeIs(b, ks, ks + kl, key) && rangeIs(b, vs, vs + vl, text)) return true;
        p = vs + vl;
      }
    }
    return false;
  }
}

const skipEvents = skipperFor('Array(Map(String, String))');

/** Whether b[start, end) holds the ASCII string `text`. */
function rangeIs(b: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Reads a Map(String, String), recording the values of the keys `index` knows into `slots`. */
function readMap(b: Buffer, p: number, index: KeyIndex, slots: Slots): number {
  let [n, q] = varint(b, p);
  for (let i = 0; i < n; i++) {
    let ks: number;
    let len: number;
    if (b[q] < 0x80) {
      len = b[q];
      ks = q + 1;
    } else [len, ks] = varint(b, q);
    const ke = ks + len;
    let vs: number;
    if (b[ke] < 0x80) {
      len = b[ke];
      vs = ke + 1;
    } else [len, vs] = varint(b, ke);
    const ve = vs + len;
    const slot = index.slotOf(b, ks, ke);
    if (slot >= 0) slots.set(slot, vs, ve);
    q = ve;
  }
  return q;
}

function containsAsciiCi(b: Buffer, range: number[], word: string): boolean {
  const [s, e] = range;
  const n = word.length;
  outer: for (let i = s; i + n <= e; i++) {
    for (let j = 0; j < n; j++) if ((b[i + j] | 0x20) !== word.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}
