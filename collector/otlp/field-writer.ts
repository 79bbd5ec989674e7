import {
  KEY_NAMED,
  KEY_PLAIN,
  MIN_SECRET_LENGTH,
  mayRedact,
  redactSecretValue,
  redactStructuredValue,
  redactValue,
  secretKeyKind,
} from '../../core/net/attribute-secrets.ts';
import { isUtf8 } from 'node:buffer';
import { varint } from '../rows/row-binary-reader.ts';
import { validUtf8Text } from '../touches/byte-text.ts';
import type { RowBinaryWriter } from '../rows/row-binary-writer.ts';
import { anyValueText, doubleText, WARN_DROPPED, WARN_TRUNCATED, type ValueContext } from './any-value.ts';
import { defaultIngestLimits, ERR_OTLP_TOO_DEEP, ERR_OTLP_TOO_MANY_MESSAGES, IngestReport, maxDecodedMessages, truncateUtf8, utf8Cut } from './limits.ts';
import { lenientReader, messages, WARN_INVALID_UTF8 } from './proto-codec.ts';
import { TAG } from './proto-fields.ts';
import { WireReader } from './wire-reader.ts';
import { ANY_VALUE_WIRE, isWrongWire, KEY_VALUE_WIRE, VALUES_WIRE, wrongWireError } from './wire-types.ts';

const anyValueType = messages.traces.request.root.lookupType('weft.otlp.AnyValue');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const KV = TAG.KeyValue;
const AV = TAG.AnyValue;

const REDACTED_BYTES = Buffer.from('REDACTED');

/** A view of the last buffer `isUtf8Range` was asked about (the request's body), for reading four bytes at a time. */
let viewOf: Uint8Array = new Uint8Array(0);
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * Whether `b[s, e)` is UTF-8, as a proto3 string must be: ASCII is checked here (most text is), four bytes at a time,
 * OR-ed without a branch per byte; other text is asked of Node's native check.
 */
export function isUtf8Range(b: Uint8Array, s: number, e: number): boolean {
  if (b !== viewOf) {
    viewOf = b;
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  let bits = 0;
  let i = s;
  for (; i + 4 <= e; i += 4) bits |= view.getInt32(i);
  for (; i < e; i++) bits |= b[i];
  if ((bits & 0x80808080) === 0) return true;
  // Node's check costs a call and a view (about 0.1 µs); a short text is cheaper to walk here.
  return e - s <= 256 ? utf8Walk(b, s, e) : isUtf8(b.subarray(s, e));
}

/**
 * Whether `b[i, e)` is well-formed UTF-8 (RFC 3629 / Unicode table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF), as Node's `isUtf8` answers.
 */
function utf8Walk(b: Uint8Array, i: number, e: number): boolean {
  while (i < e) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + n >= e) return false;
    const c1 = b[i + 1];
    if (c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return false;
    i += n + 1;
  }
  return true;
}

/** `b[s, e)`, found UTF-8 (`isUtf8Range`), as text. */
export const validText = (b: Uint8Array, s: number, e: number): string => Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');

/**
 * `b[s, e)`, found not UTF-8, as text with one U+FFFD in place of each run of invalid bytes, as ClickHouse's
 * `toValidUTF8` reads another writer's bytes (`validUtf8Text`); WHATWG's decoder (Buffer's `toString`) writes one per
 * maximal subpart, and `FF FE shadow` was two hosts.
 */
export const repairedText = validUtf8Text;

/** `b[s, e)` as text: as it is when it is UTF-8, else `repairedText`. */
export const utf8Text = (b: Uint8Array, s: number, e: number): string => (isUtf8Range(b, s, e) ? validText(b, s, e) : repairedText(b, s, e));

/** Byte ranges of repeated fields: [start, end) pairs. */
export class Ranges {
  list: number[] = [];
  clear() {
    this.list.length = 0;
  }
  push(s: number, e: number) {
    this.list.push(s, e);
  }
}

/**
 * Where the attributes being written sit in the request, for warnings and errors; the path is
 * built only when something is reported: `<prefix>[.spans[<span>]][.events|.links[<item>]].attributes`.
 */
export class Location {
  prefix = '';
  span = -1;
  item = -1;
  itemKind: '' | 'events' | 'links' = '';
  /** The index of the attribute (KeyValue) being written in its list, as sent. */
  attribute = 0;
  toString(): string {
    let s = this.prefix;
    if (this.span >= 0) s += `.spans[${this.span}]`;
    if (this.itemKind) s += `.${this.itemKind}[${this.item}]`;
    return `${s}.attributes`;
  }
  /** The path of the attribute being written: `….attributes[<attribute>]`. */
  ofAttribute(): string {
    return `${this.toString()}[${this.attribute}]`;
  }
}

/**
 * Reads OTLP common messages (KeyValue, AnyValue) from protobuf bytes and writes them as
 * RowBinary: attribute maps as `Map(String, String)` with the values' text as the OpenTelemetry
 * Collector renders it, under the request's attribute limits. Results that are positions (a
 * field's range, the last key) are left in fields rather than returned, so the hot path
 * allocates nothing.
 */
export class FieldWriter {
  r = new WireReader(new Uint8Array(0));
  view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  lastValueStart = 0;
  lastValueEnd = 0;
  /** The end of the last string value as sent, before AttributeValueLengthLimit cut it (lastValueEnd). */
  private lastValueFullEnd = 0;
  lastValueWasString = false;
  /** Whether the string value just written was UTF-8 (as far as it was written: its cut end, `lastValueEnd`). */
  private lastValueValid = false;
  /** Whether the last value written was an array's or a kvlist's JSON text. */
  private lastValueWasJson = false;
  /** The kind (`secretKeyKind`) of the key whose value valueText is writing; KEY_NAMED outside keyValue. */
  private valueKind = KEY_NAMED;
  readonly at = new Location();
  private readonly scratch = new Ranges();

  /** `reset()` gives each request its own context; until then, default limits and a throwaway report. */
  constructor(public ctx: ValueContext = { limits: defaultIngestLimits(20 * 1024 * 1024), report: new IngestReport() }) {}

  reset(body: Uint8Array, ctx: ValueContext): void {
    this.r = new WireReader(body);
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    this.ctx = ctx;
    this.messages = 0;
    this.maxMessages = maxDecodedMessages(ctx.limits.maxExpandedBytes);
  }

  /** What this request has read of ResourceSpans, ScopeSpans, attributes, events, links and array and kvlist items (`countMessage`), and the most it may. */
  private messages = 0;
  private maxMessages = Infinity;

  /**
   * Counts one ResourceSpans, ScopeSpans, attribute (KeyValue), event, link, or item of an array or kvlist attribute
   * value; throws ERR_OTLP_TOO_MANY_MESSAGES (413) past the request's share (`maxDecodedMessages`), as for the requests
   * decoded whole (decode-cost.ts): 20 KiB of gzip holding one attribute of 10 million empty array items took 3.7 s and
   * +700 MiB, and 10 million empty ResourceSpans 39 s.
   */
  countMessage(): void {
    if (++this.messages > this.maxMessages)
      throw ERR_OTLP_TOO_MANY_MESSAGES(
        this.maxMessages,
        'protobuf messages (ResourceSpans, ScopeSpans, attributes, events, links, and items of array and kvlist values)',
      );
  }

  /**
   * Writes the request's text `[s, e)`, found not UTF-8 (`isUtf8Range`), with U+FFFD in place of the invalid bytes, and
   * reports it (`WARN_INVALID_UTF8` at `where`). Before, a span's text was stored byte for byte, invalid or not,
   * silently (a log record's was read so and said).
   */
  invalidText(out: RowBinaryWriter, s: number, e: number, where: string): void {
    this.invalidUtf8(where, s);
    out.str(repairedText(this.r.b, s, e));
  }

  /** Reports the text at `where` that was not UTF-8 (its first byte at `at` in the body), stored with U+FFFD. */
  invalidUtf8(where: string, at: number): void {
    this.ctx.report.warn(WARN_INVALID_UTF8, `${where} (its text from byte ${at} of the body)`);
  }

  fieldStart = 0;
  fieldEnd = 0;

  /** The last LEN field with whole tag `tag` of the message in [start, end), left in fieldStart/fieldEnd. */
  stringField(start: number, end: number, tag: number): void {
    const r = this.r;
    let s = 0;
    let e = 0;
    r.p = start;
    while (r.p < end) {
      const t = r.varint(end);
      if (t === tag) {
        const m = r.len(end);
        s = r.p;
        e = r.p + m;
        r.p += m;
      } else r.skip(t & 7, end);
    }
    this.fieldStart = s;
    this.fieldEnd = e;
  }

  /** A Map column from the repeated KeyValue field with whole tag `tag` of the message in [start, end). */
  mapOf(start: number, end: number, tag: number, out: RowBinaryWriter): void {
    const r = this.r;
    const kvs = this.scratch;
    kvs.clear();
    r.p = start;
    while (r.p < end) {
      const t = r.varint(end);
      if (t === tag) {
        this.countMessage();
        const m = r.len(end);
        kvs.push(r.p, r.p + m);
        r.p += m;
      } else r.skip(t & 7, end);
    }
    this.map(kvs, out);
  }

  /** How many of `kvs`' KeyValues a Map column keeps: at most AttributeCountLimit, the rest reported dropped. */
  private keptCount(kvs: Ranges): number {
    const n = kvs.list.length / 2;
    const limit = this.ctx.limits.attributeCountLimit;
    if (n <= limit) return n;
    this.ctx.report.warn(WARN_DROPPED, this.at.toString());
    return limit;
  }

  /**
   * The stored text of the first kept value under the key `map` or `mapWith` was asked to find, as the Map column
   * holds it (the first of a key is what a Map lookup reads); undefined when no kept attribute has that key.
   */
  found: string | undefined = undefined;

  /**
   * A Map column of KeyValues; only the first AttributeCountLimit are kept (the rest reported). With `find` (a key's
   * UTF-8 bytes), the text its first kept value was stored as is left in `found`.
   */
  map(kvs: Ranges, out: RowBinaryWriter, find?: Uint8Array): void {
    const list = kvs.list;
    const n = this.keptCount(kvs);
    this.found = undefined;
    const countAt = out.pos;
    out.varint(n);
    const entriesAt = out.pos;
    this.newKeys();
    let written = n;
    for (let i = 0; i < n * 2; i += 2) {
      const at = out.pos;
      this.at.attribute = i / 2;
      this.keyValue(list[i], list[i + 1], out);
      if (this.repeatedKey()) {
        out.pos = at;
        written--;
        continue;
      }
      if (find && this.found === undefined) this.noteFound(find, out, at);
    }
    if (written !== n) this.recount(out, countAt, entriesAt, written);
  }

  /** Key ranges (in the request's bytes) of the KeyValues the Map column being written holds so far (`repeatedKey`). */
  private keyStarts = new Int32Array(64);
  private keyEnds = new Int32Array(64);
  private keys = 0;
  /**
   * An open-addressing table of those keys (`repeatedKey`): per slot the key's FNV-1a hash, its index in `keyStarts`, and
   * the Map column it belongs to (`generation`: a slot of an earlier one is empty, so the table is never cleared).
   */
  private slotHash = new Int32Array(128);
  private slotKey = new Int32Array(128);
  private slotGeneration = new Uint32Array(128);
  private generation = 1;

  /** Starts a Map column: no key seen yet. */
  private newKeys(): void {
    this.keys = 0;
    if (++this.generation === 0xffffffff) {
      this.slotGeneration.fill(0);
      this.generation = 1;
    }
  }

  /**
   * Whether the KeyValue just written (`keyStart`/`keyEnd`) has a key an earlier one of this Map column had; else its
   * key is remembered. A key sent twice (OTLP forbids it) is stored once, with its first value, as the OTLP/JSON path
   * (`attributeMap`) stores it and as a Map lookup, the span classification and the Collector's pdata `Map.Get` read it:
   * a reader of the whole Map (a JSON object) read the last. Its later value was written, and so gave the same
   * warnings as it does from OTLP/JSON. A hash lookup per key: comparing each key with every earlier one made the
   * decode of spans of 128 attributes 3.5 times as long.
   */
  private repeatedKey(): boolean {
    const b = this.r.b;
    const s = this.keyStart;
    const e = this.keyEnd;
    // FNV-1a over the length and at most the first 4 and the last 8 bytes (keys share prefixes: `http.request.header.`);
    // equal hashes are compared whole.
    let hash = Math.imul(0x811c9dc5 ^ (e - s), 0x01000193);
    for (let i = s, head = Math.min(e, s + 4); i < head; i++) hash = Math.imul(hash ^ b[i], 0x01000193);
    for (let i = Math.max(s + 4, e - 8); i < e; i++) hash = Math.imul(hash ^ b[i], 0x01000193);
    if ((this.keys + 1) * 2 > this.slotHash.length) this.growKeys();
    const mask = this.slotHash.length - 1;
    let slot = hash & mask;
    while (this.slotGeneration[slot] === this.generation) {
      if (this.slotHash[slot] === hash) {
        const k = this.slotKey[slot];
        const ks = this.keyStarts[k];
        if (this.keyEnds[k] - ks === e - s) {
          let i = 0;
          while (i < e - s && b[ks + i] === b[s + i]) i++;
          if (i === e - s) return true;
        }
      }
      slot = (slot + 1) & mask;
    }
    this.slotGeneration[slot] = this.generation;
    this.slotHash[slot] = hash;
    this.slotKey[slot] = this.keys;
    this.keyStarts[this.keys] = s;
    this.keyEnds[this.keys++] = e;
    return false;
  }

  /** Doubles the key table and the key ranges, keeping the keys of the Map column being written. */
  private growKeys(): void {
    const size = this.slotHash.length * 2;
    const [starts, ends] = [new Int32Array(size), new Int32Array(size)];
    starts.set(this.keyStarts.subarray(0, this.keys));
    ends.set(this.keyEnds.subarray(0, this.keys));
    [this.keyStarts, this.keyEnds] = [starts, ends];
    const [hashes, keys] = [this.slotHash, this.slotKey];
    const generations = this.slotGeneration;
    this.slotHash = new Int32Array(size);
    this.slotKey = new Int32Array(size);
    this.slotGeneration = new Uint32Array(size);
    const mask = size - 1;
    for (let old = 0; old < hashes.length; old++) {
      if (generations[old] !== this.generation) continue;
      let slot = hashes[old] & mask;
      while (this.slotGeneration[slot] === this.generation) slot = (slot + 1) & mask;
      this.slotGeneration[slot] = this.generation;
      this.slotHash[slot] = hashes[old];
      this.slotKey[slot] = keys[old];
    }
  }

  /** Rewrites the entry count at `countAt` (entries from `entriesAt`) as `count`, moving the entries when it is shorter. */
  private recount(out: RowBinaryWriter, countAt: number, entriesAt: number, count: number): void {
    // LEB128, written in place (a smaller count takes no more bytes than the larger one did).
    let at = countAt;
    let v = count;
    while (v > 0x7f) {
      out.buf[at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    out.buf[at++] = v;
    const shift = entriesAt - at;
    if (shift > 0) out.buf.copyWithin(at, entriesAt, out.pos);
    out.pos -= shift;
  }

  /** Sets `found` to the value text written at `out[at…]` when the KeyValue just written (keyStart/keyEnd) has the key `find`. */
  private noteFound(find: Uint8Array, out: RowBinaryWriter, at: number): void {
    const b = this.r.b;
    if (this.keyEnd - this.keyStart !== find.length) return;
    for (let i = 0; i < find.length; i++) if (b[this.keyStart + i] !== find[i]) return;
    const o = out.buf;
    // The key's length (LEB128) and bytes, then the value's length and bytes.
    const [, key] = varint(o, at);
    const [n, p] = varint(o, key + find.length);
    this.found = o.toString('latin1', p, p + n);
  }

  /**
   * A Map column of KeyValues like `map`, with `key`=`value` (UTF-8 bytes) added after them: Weft's own
   * attribute, set over any the sender gave under the same key and not counted against AttributeCountLimit. `find`
   * as for `map`.
   */
  mapWith(kvs: Ranges, key: Uint8Array, value: Uint8Array, out: RowBinaryWriter, find?: Uint8Array): void {
    const list = kvs.list;
    const n = this.keptCount(kvs);
    let same = 0;
    for (let i = 0; i < n * 2; i += 2) if (this.hasKey(list[i], list[i + 1], key)) same++;
    this.found = undefined;
    const countAt = out.pos;
    out.varint(n - same + 1);
    const entriesAt = out.pos;
    this.newKeys();
    let written = n - same + 1;
    for (let i = 0; i < n * 2; i += 2) {
      if (this.hasKey(list[i], list[i + 1], key)) continue;
      const at = out.pos;
      this.at.attribute = i / 2;
      this.keyValue(list[i], list[i + 1], out);
      if (this.repeatedKey()) {
        out.pos = at;
        written--;
        continue;
      }
      if (find && this.found === undefined) this.noteFound(find, out, at);
    }
    out.bytes(key, 0, key.length);
    out.bytes(value, 0, value.length);
    if (written !== n - same + 1) this.recount(out, countAt, entriesAt, written);
  }

  /** Whether the KeyValue in [start, end) has the key `key` (its last key field, protobuf's merge rule). */
  private hasKey(start: number, end: number, key: Uint8Array): boolean {
    this.stringField(start, end, KV.key);
    if (this.fieldEnd - this.fieldStart !== key.length) return false;
    for (let i = 0; i < key.length; i++) if (this.r.b[this.fieldStart + i] !== key[i]) return false;
    return true;
  }

  keyStart = 0;
  keyEnd = 0;

  /** Writes key and value text of one KeyValue; leaves the key's byte range in keyStart/keyEnd. */
  keyValue(start: number, end: number, out: RowBinaryWriter): void {
    const r = this.r;
    let ks = 0;
    let ke = 0;
    let vs = -1;
    let ve = -1;
    r.p = start;
    while (r.p < end) {
      const t = r.varint(end);
      if (t === KV.key || t === KV.value) {
        const m = r.len(end);
        if (t === KV.key) {
          ks = r.p;
          ke = r.p + m;
        } else {
          vs = r.p;
          ve = r.p + m;
        }
        r.p += m;
      } else {
        // A key or value sent with another wire type refuses the item, as a span's own fields do (protobuf would pass
        // over it as unknown: an attribute stored without its value).
        if (isWrongWire(KEY_VALUE_WIRE, t)) throw wrongWireError(this.at.ofAttribute(), KEY_VALUE_WIRE, t);
        r.skip(t & 7, end);
      }
    }
    if (isUtf8Range(r.b, ks, ke)) out.bytes(r.b, ks, ke);
    else this.invalidText(out, ks, ke, `${this.at.ofAttribute()}.key`);
    const at = out.pos;
    const kind = secretKeyKind(r.b, ks, ke);
    this.valueKind = kind;
    this.valueText(vs, ve, out);
    this.valueKind = KEY_NAMED;
    if (kind === KEY_NAMED) this.redactNamedValue(at, out);
    else if (this.lastValueWasString) {
      // Most values under a plain key are too short to hold any credential (`mayRedact` would say no): not even asked.
      if (kind !== KEY_PLAIN || this.lastValueFullEnd - this.lastValueStart >= MIN_SECRET_LENGTH) this.redactStringValue(kind, at, out);
    } else if (this.lastValueWasJson) {
      // An array or kvlist: redacted as its stored JSON text, as the object path does.
      const text = this.writtenText(at, out);
      this.rewrite(at, out, redactStructuredValue(kind, text), text);
    }
    this.keyStart = ks;
    this.keyEnd = ke;
  }

  /**
   * Rewrites the string value just written at `out[at…]` with its secrets redacted (`redactValue`, the key's `kind`).
   * The value is decoded only when `mayRedact` says it may hold a secret. The whole value is redacted first, then cut to AttributeValueLengthLimit: a cut first could leave a password
   * whose `@` was cut off unrecognised.
   */
  private redactStringValue(kind: number, at: number, out: RowBinaryWriter): void {
    const b = this.r.b;
    const s = this.lastValueStart;
    const e = this.lastValueFullEnd;
    if (!mayRedact(kind, b, s, e)) return;
    // Its validity was found as it was written: the full value's when it was not cut.
    const text = this.lastValueValid && e === this.lastValueEnd ? validText(b, s, e) : utf8Text(b, s, e);
    const redacted = redactValue(kind, text);
    const limit = this.ctx.limits.attributeValueLengthLimit;
    // valueText left the truncation warning to here: it is the redacted value that is cut, or not (as the object path).
    if (redacted === text) {
      if (e - s > limit) this.ctx.report.warn(WARN_TRUNCATED, this.at.toString());
      return;
    }
    const bytes = Buffer.from(redacted, 'utf8');
    let end = bytes.length;
    if (end > limit) {
      end = utf8Cut(bytes, 0, limit);
      this.ctx.report.warn(WARN_TRUNCATED, this.at.toString());
    }
    out.pos = at;
    out.bytes(bytes, 0, end);
    this.lastValueStart = -1;
    this.lastValueEnd = -1;
  }

  /**
   * Rewrites the value just written at `out[at…]` (any type) as `redactSecretValue` has it: the key names a secret.
   * A string value is replaced without being decoded unless it may be kept (empty, `true`, `false`, `REDACTED`) or is an
   * array's text.
   */
  private redactNamedValue(at: number, out: RowBinaryWriter): void {
    let text: string;
    if (this.lastValueWasString) {
      const b = this.r.b;
      const s = this.lastValueStart;
      const n = this.lastValueFullEnd - s;
      // Only these can come out as they went in; any other string is replaced whole.
      if (n === 0 || n === 4 || n === 5 || n === 8 || b[s] === 0x5b) text = utf8Text(b, s, s + n);
      else text = '\u0000';
    } else text = this.writtenText(at, out);
    this.rewrite(at, out, redactSecretValue(text), text);
  }

  /** The text of the value just written at `out[at…]` (a varint length, then UTF-8). */
  private writtenText(at: number, out: RowBinaryWriter): string {
    const [n, p] = varint(out.buf, at);
    return out.buf.toString('utf8', p, p + n);
  }

  /** Writes `redacted` over the value just written at `out[at…]`, unless it is that value's text `text` (by default, as written). */
  private rewrite(at: number, out: RowBinaryWriter, redacted: string, text = this.writtenText(at, out)): void {
    if (redacted === text) return;
    out.pos = at;
    if (redacted === 'REDACTED') out.bytes(REDACTED_BYTES, 0, REDACTED_BYTES.length);
    else out.str(redacted);
    this.lastValueStart = -1;
    this.lastValueEnd = -1;
  }

  /** An AnyValue's text, as `anyValueText` renders it under the same limits. */
  valueText(start: number, end: number, out: RowBinaryWriter): void {
    this.lastValueWasString = false;
    this.lastValueWasJson = false;
    if (start < 0) {
      out.varint(0);
      return;
    }
    const r = this.r;
    const b = r.b;
    let kind = 0;
    let s = 0;
    let e = 0;
    let lo = 0;
    let hi = 0;
    let at = 0;
    r.p = start;
    while (r.p < end) {
      const t = r.varint(end);
      if (t === AV.string_value || t === AV.array_value || t === AV.kvlist_value || t === AV.bytes_value) {
        const m = r.len(end);
        kind = t;
        s = r.p;
        e = r.p + m;
        r.p += m;
      } else if (t === AV.bool_value || t === AV.int_value) {
        kind = t;
        r.varint64(end);
        lo = r.lo;
        hi = r.hi;
      } else if (t === AV.double_value) {
        kind = t;
        at = r.fixed64At(end);
      } else {
        if (isWrongWire(ANY_VALUE_WIRE, t)) throw wrongWireError(`${this.at.ofAttribute()}.value`, ANY_VALUE_WIRE, t);
        r.skip(t & 7, end);
      }
    }
    const limit = this.ctx.limits.attributeValueLengthLimit;
    switch (kind) {
      case AV.string_value:
        this.lastValueFullEnd = e;
        if (e - s > limit) {
          const full = e;
          e = utf8Cut(b, s, limit);
          // A value the key's rule may rewrite is warned of there (redactStringValue), once its redacted length is known.
          if (this.valueKind === KEY_NAMED || !mayRedact(this.valueKind, b, s, full)) this.ctx.report.warn(WARN_TRUNCATED, this.at.toString());
        }
        this.lastValueWasString = true;
        this.lastValueValid = isUtf8Range(b, s, e);
        if (this.lastValueValid) out.bytes(b, s, e);
        else {
          // Decoded whole, then cut, as the object path reads it.
          this.invalidUtf8(`${this.at.ofAttribute()}.value.stringValue`, s);
          out.str(truncateUtf8(repairedText(b, s, this.lastValueFullEnd), limit));
        }
        this.lastValueStart = s;
        this.lastValueEnd = e;
        return;
      case AV.bool_value: {
        const v = lo !== 0 || hi !== 0 ? TRUE : FALSE;
        out.bytes(v, 0, v.length);
        return;
      }
      case AV.int_value:
        out.str(int64Text(lo, hi));
        return;
      case AV.double_value:
        out.str(doubleText(this.view.getFloat64(at, true)));
        return;
      case AV.bytes_value:
        if (e - s > limit) {
          e = s + limit;
          this.ctx.report.warn(WARN_TRUNCATED, this.at.toString());
        }
        out.str(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('base64'));
        return;
      case AV.array_value:
      case AV.kvlist_value: {
        // Bounded before protobufjs recurses into it (a deep value would overflow its stack); its fields' wire types checked.
        this.checkDepth(start, end, 0, `${this.at.ofAttribute()}.value`);
        // Its strings read with U+FFFD in place of invalid bytes, and reported: protobufjs's strict read threw (a 500).
        const decoded = anyValueType.decode(
          lenientReader(b.subarray(start, end), (at) => this.invalidUtf8(`${this.at.ofAttribute()}.value`, start + at)),
        ) as unknown as Record<string, unknown>;
        out.str(anyValueText(decoded, this.ctx, this.at.toString()));
        this.lastValueWasJson = true;
        return;
      }
      default:
        out.varint(0);
    }
  }

  /**
   * Refuses an AnyValue in [start, end) whose arrays/kvlists nest deeper than maxAnyValueDepth (ERR_OTLP_TOO_DEEP), or
   * that holds a field of its own, of an ArrayValue, KeyValueList or KeyValue sent with another wire type
   * (ERR_OTLP_BAD_INPUT naming it under `path`, the value's place): protobufjs would pass over such a field.
   */
  private checkDepth(start: number, end: number, depth: number, path: string): void {
    const r = new WireReader(this.r.b, start);
    while (r.p < end) {
      const t = r.varint(end);
      if (t !== AV.array_value && t !== AV.kvlist_value) {
        if (isWrongWire(ANY_VALUE_WIRE, t)) throw wrongWireError(path, ANY_VALUE_WIRE, t);
        r.skip(t & 7, end);
        continue;
      }
      const max = this.ctx.limits.maxAnyValueDepth;
      if (depth >= max) throw ERR_OTLP_TOO_DEEP(max, this.at.toString());
      const m = r.len(end);
      const listEnd = r.p + m;
      const listPath = `${path}.${t === AV.array_value ? 'arrayValue' : 'kvlistValue'}`;
      let index = 0;
      // ArrayValue.values are AnyValues; KeyValueList.values are KeyValues holding an AnyValue.
      while (r.p < listEnd) {
        const vt = r.varint(listEnd);
        if (vt !== TAG.ArrayValue.values) {
          if (isWrongWire(VALUES_WIRE, vt)) throw wrongWireError(listPath, VALUES_WIRE, vt);
          r.skip(vt & 7, listEnd);
          continue;
        }
        this.countMessage();
        const n = r.len(listEnd);
        const itemEnd = r.p + n;
        const itemPath = `${listPath}.values[${index++}]`;
        if (t === AV.array_value) this.checkDepth(r.p, itemEnd, depth + 1, itemPath);
        else {
          const kv = new WireReader(r.b, r.p);
          while (kv.p < itemEnd) {
            const kt = kv.varint(itemEnd);
            if (kt === KV.value) {
              const vl = kv.len(itemEnd);
              this.checkDepth(kv.p, kv.p + vl, depth + 1, `${itemPath}.value`);
              kv.p += vl;
            } else {
              if (isWrongWire(KEY_VALUE_WIRE, kt)) throw wrongWireError(itemPath, KEY_VALUE_WIRE, kt);
              kv.skip(kt & 7, itemEnd);
            }
          }
        }
        r.p = itemEnd;
      }
    }
  }
}

function int64Text(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}
