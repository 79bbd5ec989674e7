import { KEY_NAMED, redactStructuredValue, redactValue, secretKeyKind } from '../../core/net/attribute-secrets.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { ERR_OTLP_TOO_DEEP, IngestReport, truncateUtf8, type IngestLimits } from './limits.ts';
import { checkWireTypes } from './wire-types.ts';
import { shownValue } from '../../core/text/shown.ts';

/**
 * OTLP values as decoded from protobuf (protobufjs messages, Long integers, Buffers) or from
 * OTLP/JSON (plain objects, integers as strings or numbers, bytes as base64). A oneof member is
 * set when it is an own property, which holds for both sources.
 */
export type AnyValueLike = Record<string, unknown> | null | undefined;
export interface KeyValueLike {
  key?: string;
  value?: AnyValueLike;
}

/** The limits and the report of one request, threaded through every attribute it contains. */
export interface ValueContext {
  limits: IngestLimits;
  report: IngestReport;
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Decimal text of an OTLP integer: Long, bigint, number or decimal string. */
export function intText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.trunc(v));
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object' && 'low' in v) return (v as { toString(): string }).toString();
  return '0';
}

/** Text of a double the way the OpenTelemetry Collector prints it (no exponent for ordinary magnitudes). */
export function doubleText(v: unknown): string {
  const n = typeof v === 'number' ? v : Number(v);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  return String(n);
}

const TRUNCATED = 'attribute values longer than AttributeValueLengthLimit were truncated';
const NOT_INTEGER = 'intValue attributes that are not integers were kept as text (OTLP/JSON writes an int64 as a decimal string)';
const DROPPED = 'attributes past AttributeCountLimit were dropped';

function bytesText(v: unknown, ctx: ValueContext | undefined, where: string): string {
  const limit = ctx?.limits.attributeValueLengthLimit ?? Infinity;
  if (typeof v === 'string') {
    if (v.length <= Math.ceil(limit / 3) * 4) return v;
    // base64 in OTLP/JSON: cut the decoded bytes, as the protobuf path does.
    v = Buffer.from(v, 'base64');
  }
  if (!(v instanceof Uint8Array)) return '';
  let b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (b.length > limit) {
    b = b.subarray(0, limit);
    ctx?.report.warn(TRUNCATED, where);
  }
  return b.toString('base64');
}

function stringText(v: unknown, ctx: ValueContext | undefined, where: string): string {
  const s = String(v ?? '');
  if (!ctx) return s;
  const t = truncateUtf8(s, ctx.limits.attributeValueLengthLimit);
  if (t !== s) ctx.report.warn(TRUNCATED, where);
  return t;
}

const INT = /^-?\d{1,19}$/;
const INT64_MAX = 9223372036854775807n;

/** Whether `t` is the decimal text of an int64 (what protobuf's intValue can hold): "99999999999999999999" is not. */
export function isInt64(t: string): boolean {
  if (!INT.test(t)) return false;
  if (t.length < 19) return true;
  const n = BigInt(t);
  return n >= -INT64_MAX - 1n && n <= INT64_MAX;
}

/** A member of an AnyValue in OTLP/JSON, and whether a value of it has the type the JSON mapping gives its protobuf type. */
const memberFits: [member: string, fits: (x: unknown) => boolean, what: string][] = [
  ['stringValue', (x) => typeof x === 'string', 'a string'],
  ['boolValue', (x) => typeof x === 'boolean', 'true or false'],
  // int64: a number or its decimal text (text that is no integer is kept, and said: NOT_INTEGER); protobufjs gives a Long.
  [
    'intValue',
    (x) =>
      (typeof x === 'number' && Number.isInteger(x)) || typeof x === 'string' || typeof x === 'bigint' || (typeof x === 'object' && x !== null && 'low' in x),
    'an integer or its decimal text',
  ],
  [
    'doubleValue',
    (x) => typeof x === 'number' || (typeof x === 'string' && x.trim() !== '' && (!Number.isNaN(Number(x)) || x === 'NaN')),
    'a number, its text, "NaN", "Infinity" or "-Infinity"',
  ],
  // The proto3 JSON mapping's bytes: standard or URL-safe base64, padded or not.
  ['bytesValue', (x) => (typeof x === 'string' && BASE64.test(x)) || x instanceof Uint8Array, 'base64 text'],
];

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The members of AnyValue's `value` oneof (opentelemetry/proto/common/v1/common.proto): a value holds one at most. */
const ONE_OF = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue'] as const;

/**
 * Throws ERR_OTLP_BAD_INPUT (the item is refused: `readItem`) when the AnyValue `v` has a member of another type than
 * the OTLP/JSON mapping of its protobuf type (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding, the
 * proto3 JSON mapping): `"stringValue": 5` was stored as "5", `"boolValue": "false"` as true, `"doubleValue": "x"` as
 * NaN, `"intValue": true` as 0, `"bytesValue": 5` as '', silently. `place()` names the value (`…attributes[2].value`),
 * built only then. A protobufjs message always fits.
 */
function checkMembers(v: Record<string, unknown>, place: () => string): void {
  // Two members of the oneof (`{"stringValue": "a", "intValue": "1"}`): the first was read, the other dropped silently.
  let set: string | undefined;
  for (const member of ONE_OF) {
    if (!has(v, member) || v[member] === null || v[member] === undefined) continue;
    if (set !== undefined) throw ERR_OTLP_BAD_INPUT(`${place()} holds both ${set} and ${member}: an AnyValue holds one value (a protobuf oneof).`);
    set = member;
  }
  for (const [member, fits, what] of memberFits) {
    if (!has(v, member)) continue;
    const x = v[member];
    if (x === null || fits(x)) continue;
    throw ERR_OTLP_BAD_INPUT(`${place()}.${member} must be ${what}, got ${shownValue(x)}.`);
  }
  // A list that is no list (`"arrayValue": {"values": 5}`) was stored as [] silently.
  for (const member of ['arrayValue', 'kvlistValue'] as const) {
    const x = has(v, member) ? v[member] : undefined;
    if (x === null || x === undefined) continue;
    if (typeof x !== 'object' || Array.isArray(x)) throw ERR_OTLP_BAD_INPUT(`${place()}.${member} must be an object with "values", got ${shownValue(x)}.`);
    const values = (x as { values?: unknown }).values;
    if (values !== null && values !== undefined && !Array.isArray(values))
      throw ERR_OTLP_BAD_INPUT(`${place()}.${member}.values must be a list, got ${shownValue(values)}.`);
  }
}

/** A key of a KeyValue: a string (protobuf's `string key`), or absent; `place()` names it, built only on an error. */
function keyText(k: unknown, place: () => string): string {
  if (k === undefined || k === null) return '';
  if (typeof k === 'string') return k;
  throw ERR_OTLP_BAD_INPUT(`${place()} must be a string, got ${shownValue(k)}.`);
}

/**
 * JSON of an array or kvlist value as the OpenTelemetry Collector's ClickHouse exporter writes it
 * (`AsRaw()` then `json.Marshal`): integers exact (int64 beyond 2^53 included), maps with sorted
 * keys, a key sent twice in a kvlist read as its first value (as `Map.Get` reads it). Nesting past `maxAnyValueDepth`
 * is refused. `path` is the place of `v` in the request, for an error naming a member of the wrong type.
 */
function jsonOf(v: AnyValueLike, depth: number, ctx: ValueContext | undefined, where: string, path: string): string {
  if (!v) return 'null';
  if (typeof v !== 'object' || Array.isArray(v))
    throw ERR_OTLP_BAD_INPUT(`${path} must be an AnyValue object (such as {"stringValue": "…"}), got ${Array.isArray(v) ? 'a list' : `a ${typeof v}`}.`);
  checkMembers(v, () => path);
  checkWireTypes(v, path);
  if (has(v, 'stringValue')) return JSON.stringify(stringText(v.stringValue, ctx, where));
  if (has(v, 'boolValue')) return v.boolValue ? 'true' : 'false';
  if (has(v, 'intValue')) {
    const t = intText(v.intValue);
    return isInt64(t) ? t : 'null';
  }
  if (has(v, 'doubleValue')) return JSON.stringify(Number(v.doubleValue));
  if (has(v, 'bytesValue')) return JSON.stringify(bytesText(v.bytesValue, ctx, where));
  const max = ctx?.limits.maxAnyValueDepth ?? 32;
  if (has(v, 'arrayValue')) {
    if (depth >= max) throw ERR_OTLP_TOO_DEEP(max, where);
    const a = v.arrayValue as { values?: AnyValueLike[] } | undefined;
    checkWireTypes(a, `${path}.arrayValue`);
    const values = Array.isArray(a?.values) ? a.values : [];
    return `[${values.map((x, i) => jsonOf(x, depth + 1, ctx, where, `${path}.arrayValue.values[${i}]`)).join(',')}]`;
  }
  if (has(v, 'kvlistValue')) {
    if (depth >= max) throw ERR_OTLP_TOO_DEEP(max, where);
    const kv = v.kvlistValue as { values?: KeyValueLike[] } | undefined;
    checkWireTypes(kv, `${path}.kvlistValue`);
    const entries = new Map<string, string>();
    // A key sent twice inside the kvlist: the first value is the entry, as for a key sent twice among the attributes
    // (`attributeMap`); the later value is still read, for the same warnings and errors.
    const list = Array.isArray(kv?.values) ? kv.values : [];
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      const at = `${path}.kvlistValue.values[${i}]`;
      checkWireTypes(e, at);
      const key = keyText(e?.key, () => `${at}.key`);
      const text = jsonOf(e?.value, depth + 1, ctx, where, `${at}.value`);
      if (!entries.has(key)) entries.set(key, text);
    }
    const keys = [...entries.keys()].sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${entries.get(k)}`).join(',')}}`;
  }
  return 'null';
}

/**
 * An attribute value as the ClickHouse exporter stores it: text, with arrays and maps as JSON.
 * With a context, string and bytes values are cut to AttributeValueLengthLimit (reported) and
 * nesting is bounded; `where` names the attribute in messages, `path` the value itself (`…attributes[2].value`) in the
 * error for a member of the wrong type (`checkMembers`).
 */
export function anyValueText(v: AnyValueLike, ctx?: ValueContext, where = 'value', path = where): string {
  if (!v) return '';
  if (typeof v !== 'object' || Array.isArray(v))
    throw ERR_OTLP_BAD_INPUT(`${where} must be an AnyValue object (such as {"stringValue": "…"}), got ${Array.isArray(v) ? 'a list' : `a ${typeof v}`}.`);
  checkMembers(v, () => path);
  // A member sent with another wire type (protobuf: `string_value` as a varint) is no member: protobufjs passed over it.
  checkWireTypes(v, path);
  if (has(v, 'stringValue')) return stringText(v.stringValue, ctx, where);
  if (has(v, 'boolValue')) return v.boolValue ? 'true' : 'false';
  if (has(v, 'intValue')) {
    const t = intText(v.intValue);
    // Only OTLP/JSON can carry one ("twelve", or past int64: "99999999999999999999"): protobuf's int64 is a number.
    // Kept, as the sender wrote it, and said.
    if (!isInt64(t)) ctx?.report.warn(NOT_INTEGER, where);
    return t;
  }
  if (has(v, 'doubleValue')) return doubleText(v.doubleValue);
  if (has(v, 'bytesValue')) return bytesText(v.bytesValue, ctx, where);
  if (has(v, 'arrayValue') || has(v, 'kvlistValue')) return jsonOf(v, 0, ctx, where, path);
  return '';
}

/** A map with no prototype: client keys such as `__proto__` are ordinary keys in it. */
export type AttributeMap = Record<string, string>;
export const emptyMap = (): AttributeMap => Object.create(null) as AttributeMap;

/**
 * Attributes as a string map (null prototype); `where` names the field for error messages. With
 * a context, only the first AttributeCountLimit attributes are kept (the rest reported). Of a key sent more than once,
 * the first value is kept.
 */
export function attributeMap(kvs: unknown, where: string, ctx?: ValueContext): AttributeMap {
  const out = emptyMap();
  if (kvs === undefined || kvs === null) return out;
  if (!Array.isArray(kvs)) throw ERR_OTLP_BAD_INPUT(`${where} must be a list of key/value pairs.`);
  const n = ctx ? Math.min(kvs.length, ctx.limits.attributeCountLimit) : kvs.length;
  if (n < kvs.length) ctx?.report.warn(DROPPED, where);
  for (let i = 0; i < n; i++) {
    const kv = kvs[i] as KeyValueLike;
    if (!kv || typeof kv !== 'object') throw ERR_OTLP_BAD_INPUT(`${where}[${i}] must be an object with "key" and "value".`);
    checkWireTypes(kv, `${where}[${i}]`);
    const key = keyText(kv.key, () => `${where}[${i}].key`);
    // A key sent twice (OTLP forbids it; SDKs and processors still do it): the first is the attribute, as the protobuf
    // decoder's readers (a Map column's lookup, the span classification) and the Collector's pdata `Map.Get` read it.
    // The later value is still read, for the same warnings and errors as the protobuf decoder gives.
    const kind = secretKeyKind(key);
    // A key naming a secret, and an array or kvlist value, are redacted as their stored text (as the protobuf decoder's
    // FieldWriter does); a string before AttributeValueLengthLimit cuts it.
    const v = kv.value;
    const path = `${where}[${i}].value`;
    const text =
      kind === KEY_NAMED
        ? redactValue(kind, anyValueText(v, ctx, where, path))
        : v && (has(v, 'arrayValue') || has(v, 'kvlistValue'))
          ? redactStructuredValue(kind, anyValueText(v, ctx, where, path))
          : anyValueText(valueRedacted(kind, v), ctx, where, path);
    if (!(key in out)) out[key] = text;
  }
  return out;
}

/**
 * A string value with its secrets redacted (`redactValue` for the key's kind: credentials by their shape, URLs, statements; as the protobuf
 * decoder's FieldWriter does), before AttributeValueLengthLimit cuts it; any other value as it is. (A key naming a
 * secret has its whole text redacted, whatever its type.)
 */
function valueRedacted(kind: number, v: AnyValueLike): AnyValueLike {
  if (!v || typeof v.stringValue !== 'string') return v;
  const redacted = redactValue(kind, v.stringValue);
  return redacted === v.stringValue ? v : { stringValue: redacted };
}

export const WARN_TRUNCATED = TRUNCATED;
export const WARN_DROPPED = DROPPED;

/** RowBinary size of a map as the row writer encodes it (for the expansion budget). */
export function mapBytes(m: AttributeMap): number {
  let n = 1;
  for (const k in m) n += 2 + Buffer.byteLength(k) + Buffer.byteLength(m[k]);
  return n;
}
