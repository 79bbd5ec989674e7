import { mapBytes, type AttributeMap } from '../otlp/any-value.ts';
import { ERR_OTLP_BAD_INPUT } from '../otlp/bad-input.ts';
import { MAX_NAME_BYTES, truncateUtf8, unknownServiceName, WARN_SERVICE_NAME_CUT, type IngestReport } from '../otlp/limits.ts';
import { shownValue } from '../../core/text/shown.ts';

/** Readers that accept a decoded protobuf message or OTLP/JSON and name the field on a mismatch. */
export function obj(v: unknown, where: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw ERR_OTLP_BAD_INPUT(`${where} must be an object.`);
  return v as Record<string, unknown>;
}

export function list(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw ERR_OTLP_BAD_INPUT(`${where} must be a list.`);
  return v;
}

export function str(v: unknown, where: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw ERR_OTLP_BAD_INPUT(`${where} must be a string.`);
  return v;
}

export function num(v: unknown, where: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (typeof v === 'string' && /^-?(Infinity|NaN)$/.test(v)) return Number(v);
  if (v && typeof v === 'object' && 'low' in v) return Number((v as { toString(): string }).toString());
  throw ERR_OTLP_BAD_INPUT(`${where} must be a number, got ${JSON.stringify(v)}.`);
}

/**
 * The ServiceName column: the resource's `service.name`, or, when it is absent or empty,
 * `unknown_service[:<process.executable.name>]` as the SDK specification names such a service; cut to MAX_NAME_BYTES
 * (a warning in `report`, naming `where`).
 */
export function serviceName(resAttrs: AttributeMap, report?: IngestReport, where = ''): string {
  const name = resAttrs['service.name'];
  const service = name ? name : unknownServiceName(resAttrs['process.executable.name']);
  const cut = truncateUtf8(service, MAX_NAME_BYTES);
  if (cut !== service) report?.warn(WARN_SERVICE_NAME_CUT, where);
  return cut;
}

/** RowBinary bytes of an attribute map repeated in every row (for the expansion budget). */
export const mapRowBytes = mapBytes;

const UINT32_MAX = 4294967295;

/**
 * A `flags` field (a fixed32 or uint32: Span.flags, Span.Link.flags, LogRecord.flags, a data point's flags) as a number;
 * 0 when absent. OTLP/JSON may send a number or its decimal text; anything else — a negative, a fraction, 2^32 or more,
 * other text — is no value of the field's type, and throws ERR_OTLP_BAD_INPUT naming `where` (the item is refused:
 * `readItem`). Before, such a value was cut silently (`2^40 & 0xff` is 0, `-1 & 0xff` is 255).
 */
export function uint32(v: unknown, where: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= UINT32_MAX) return n;
  throw ERR_OTLP_BAD_INPUT(`${where} must be a whole number from 0 to ${UINT32_MAX} (a uint32 of bit flags), got ${shownValue(v)}.`);
}
