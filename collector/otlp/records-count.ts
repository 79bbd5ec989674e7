/** The span attribute that says how many records a span read or wrote (README, docs/catalog.md). */
export const RECORDS_ATTRIBUTE = 'integration.records';

/**
 * The largest `integration.records` Weft takes from one span: 10^12 (a trillion records). A span is one call, statement,
 * message or batch; the largest tables hold billions of rows, so a count above this is a bug (an id, a byte count, a
 * sentinel such as 2^63 - 1) rather than a count. The bound keeps what Weft adds up exact: a flow or system's records
 * are the sum of its spans' counts, in UInt64 in ClickHouse and in doubles in JavaScript; at most 10^12 each, 9,007
 * spans sum exactly in a double (2^53) and 18 million fit a UInt64 (three spans of 2^63 - 1 and one of 10 summed to
 * 2^63 + 7, a wrapped total that could make a false record-loss finding).
 */
export const MAX_RECORDS = 1_000_000_000_000;

/** Decimal text of a count Weft takes: an optional '+', leading zeros, then at most 13 digits (checked against MAX_RECORDS). */
const COUNT = /^\+?0*([0-9]{1,13})$/;

/**
 * The records a span reported, as decimal text, from its stored `integration.records` text (the attribute value as
 * otel_traces holds it: an intValue's decimal, a doubleValue as JavaScript prints it, a string as sent): a whole number
 * from 0 to MAX_RECORDS, written in decimal digits (an optional leading '+' and leading zeros allowed, as ClickHouse's
 * toUInt64 reads them). Anything else (a fraction, a negative, an exponent, spaces, a larger count, not a number, an
 * empty value) reads as '0', not reported. The views of spans another writer inserts read it the same way (migration
 * 111; collector/touches/parity.test.ts keeps the two equal).
 */
export function recordsCount(text: string): string {
  const m = COUNT.exec(text);
  if (!m) return '0';
  const digits = m[1];
  return digits.length < 13 || Number(digits) <= MAX_RECORDS ? String(Number(digits)) : '0';
}

/** Whether a stored `integration.records` text is a count Weft takes (`recordsCount`), '0' included. */
export function recordsValid(text: string): boolean {
  const m = COUNT.exec(text);
  return m !== null && (m[1].length < 13 || Number(m[1]) <= MAX_RECORDS);
}

/**
 * The `partial_success` warning for spans whose `integration.records` is not a count Weft takes (`recordsCount`). The
 * span is kept and its attribute stored as sent (so `weft.normalized` is not set: no value was changed); only
 * its records read as not reported.
 */
export const WARN_RECORDS =
  `spans whose ${RECORDS_ATTRIBUTE} is not a whole number from 0 to ${MAX_RECORDS} (a fraction, a negative, an exponent, ` +
  `spaces, a larger count or not a number), read as not reported: send the count of records as an intValue or as a string of decimal digits`;
