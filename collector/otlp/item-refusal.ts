import { isWeftError } from '../../core/errors/index.ts';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { ERR_OTLP_TOO_DEEP, type IngestReport } from './limits.ts';

/** What a signal's items are called in `partial_success` messages. */
export type ItemNoun = 'spans' | 'data points' | 'log records';

/**
 * The reason an item is refused for a field of the wrong type (OTLP/JSON: `"name": 5`, `"attributes": "x"`,
 * `"status": []`, an enum name in lower case, a flags or enum number outside its protobuf type): the place reported
 * with it is the error's own text, which names the field and what it must be.
 */
export const wrongFieldReason = (items: ItemNoun) => `${items} with a field of the wrong type or range, or whose resource, scope or metric has one`;

/** The reason an item is refused for an attribute value (or a log body) nested deeper than WEFT_MAX_ANY_VALUE_DEPTH. */
export const tooDeepReason = (items: ItemNoun) => `${items} with an attribute value or body nesting arrayValue/kvlistValue past WEFT_MAX_ANY_VALUE_DEPTH`;

const BROKEN = '(a length, varint or fixed-size value inside one runs past its end, or a tag has an invalid wire type)';

/**
 * The reason an item whose own bytes are broken is refused, its length in the message around it whole (a span, log record
 * or data point: `one` of `items`, a protobuf `type`).
 */
export const brokenItemReason = (items: ItemNoun, type: string, one: string) =>
  `${items} whose own bytes are not a protobuf ${type} ${BROKEN}, though the request's framing around them is whole: each such ${one} was refused, the request's other ${items} kept`;

/** The reason `items` are refused with the `holder` (a resource, scope or metric, a protobuf `type`) whose own bytes are broken. */
export const brokenHolderReason = (items: ItemNoun, holder: string, type: string) =>
  `${items} whose ${holder} is not a protobuf ${type} ${BROKEN}: the ${holder}'s ${items} were refused, the request's others kept`;

/**
 * The reason `items` are refused with an `entry` of the request whose own bytes are broken though its length is whole (a
 * ResourceSpans or ScopeSpans, say, of a protobuf `type`: a span's length in it running past its end): those counted up
 * to the break, at least one.
 */
export const brokenEntryReason = (items: ItemNoun, entry: string, type: string) =>
  `${items} whose ${entry} entry is not a protobuf ${type} ${BROKEN}, though its own length is whole: the ${items} it holds, as far as they could be counted, were refused, the request's others kept`;

/**
 * What stands in a decoded list for an item, resource or scope refused while it was decoded (its bytes broken:
 * proto-items.ts), so that the items after it keep their indices: the row mappers pass over it, and count it as no item.
 */
export const REFUSED_ITEM: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Reads one item (a span, data point or log record), or a resource, scope or metric that holds `count()` of them, with
 * `read`. A field of the wrong type in it (ERR_OTLP_BAD_INPUT) or a value nested too deep (ERR_OTLP_TOO_DEEP) refuses
 * those items alone, in `report`, and gives undefined: the request's other items are kept, as the OTLP specification's
 * partial success has it (https://opentelemetry.io/docs/specs/otlp/#partial-success). `count` is called only then; a
 * container whose items cannot be counted (its list is no list) counts as one. Other errors (413: the request as a
 * whole is too large) are thrown on.
 */
export function readItem<T>(report: IngestReport, items: ItemNoun, count: () => number, read: () => T): T | undefined {
  const mark = report.begin();
  try {
    const item = read();
    report.commit();
    return item;
  } catch (err) {
    if (!isWeftError(err) || (err.code !== ERR_OTLP_BAD_INPUT.code && err.code !== ERR_OTLP_TOO_DEEP.code)) {
      report.rollback(mark);
      throw err;
    }
    // What the item's reading reported before the field at fault (a warning, a refusal of one of its points) is undone:
    // the item is refused whole, for this.
    report.rollback(mark);
    const n = count();
    if (n > 0) report.reject(err.code === ERR_OTLP_TOO_DEEP.code ? tooDeepReason(items) : wrongFieldReason(items), err.message.replace(/\.$/, ''), n);
    return undefined;
  }
}

/**
 * How many items `v` holds down the list fields `path` (`itemsIn(rs, ['scopeSpans', 'spans'])`), for `readItem`'s
 * count: a level that is absent holds none, one that is no list of objects (`"spans": {}`) counts as one item.
 */
export function itemsIn(v: unknown, path: readonly string[]): number {
  if (v === REFUSED_ITEM) return 0;
  if (path.length === 0) return 1;
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'object' || Array.isArray(v)) return 1;
  const next = (v as Record<string, unknown>)[path[0]];
  if (next === undefined || next === null) return 0;
  if (!Array.isArray(next)) return 1;
  let n = 0;
  for (const x of next) n += itemsIn(x, path.slice(1));
  return n;
}
