import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';

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

function bytesText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return '';
}

/** The raw JS value of an AnyValue, for arrays and maps rendered as JSON. */
function rawValue(v: AnyValueLike): unknown {
  if (!v) return null;
  if (has(v, 'stringValue')) return String(v.stringValue ?? '');
  if (has(v, 'boolValue')) return Boolean(v.boolValue);
  if (has(v, 'intValue')) return Number(intText(v.intValue));
  if (has(v, 'doubleValue')) return Number(v.doubleValue);
  if (has(v, 'bytesValue')) return bytesText(v.bytesValue);
  if (has(v, 'arrayValue')) {
    const a = v.arrayValue as { values?: AnyValueLike[] } | undefined;
    return (a?.values ?? []).map(rawValue);
  }
  if (has(v, 'kvlistValue')) {
    const kv = v.kvlistValue as { values?: KeyValueLike[] } | undefined;
    const out: Record<string, unknown> = {};
    for (const e of kv?.values ?? []) out[e.key ?? ''] = rawValue(e.value);
    return out;
  }
  return null;
}

/** An attribute value as the ClickHouse exporter stores it: text, with arrays and maps as JSON. */
export function anyValueText(v: AnyValueLike): string {
  if (!v) return '';
  if (has(v, 'stringValue')) return String(v.stringValue ?? '');
  if (has(v, 'boolValue')) return v.boolValue ? 'true' : 'false';
  if (has(v, 'intValue')) return intText(v.intValue);
  if (has(v, 'doubleValue')) return doubleText(v.doubleValue);
  if (has(v, 'bytesValue')) return bytesText(v.bytesValue);
  if (has(v, 'arrayValue') || has(v, 'kvlistValue')) return JSON.stringify(rawValue(v));
  return '';
}

/** Attributes as a string map; `where` names the field for error messages. */
export function attributeMap(kvs: unknown, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (kvs === undefined || kvs === null) return out;
  if (!Array.isArray(kvs)) throw ERR_OTLP_BAD_INPUT(`${where} must be a list of key/value pairs.`);
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i] as KeyValueLike;
    if (!kv || typeof kv !== 'object') throw ERR_OTLP_BAD_INPUT(`${where}[${i}] must be an object with "key" and "value".`);
    out[String(kv.key ?? '')] = anyValueText(kv.value);
  }
  return out;
}
