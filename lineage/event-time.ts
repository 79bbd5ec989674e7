import { instantMs } from '../core/time/index.ts';

/**
 * An OpenLineage event's time (`eventTime`, the nominal time facet's start and end) → ms since the epoch,
 * NaN when it is not one. The spec gives them `format: date-time` (RFC 3339), read as every other time a
 * client sends (`instantMs`): a day the calendar lacks (2026-02-30) or 24:00 is not read as another day.
 * A time without seconds, which some producers print when they are zero (Java's `LocalTime.toString`),
 * is read as its `:00`.
 */
export function eventTimeMs(text: string): number {
  return instantMs(text.replace(/^(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2})(?=[Zz+-])/, '$1:00'));
}
