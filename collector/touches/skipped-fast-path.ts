import type { SpanRecord } from './span-record.ts';

/** database/sql's driver.ErrSkip, as its Error() reads (Go's database/sql/driver). */
const ERR_SKIP = 'driver: skip fast-path; continue as if unimplemented';

/**
 * Whether a span is a Go database/sql call its driver answered driver.ErrSkip: the fast path declined (go-sql-driver/mysql
 * declines a statement with arguments unless interpolateParams is on), and database/sql makes the call again as a
 * prepared statement, whose spans follow. XSAM/otelsql marks such a span Error with the error as an `exception` event
 * (`exception.message` ErrSkip's text), and in its older versions as the status message too. It ran nothing: it is no failed call,
 * and touches nothing (`classify`); migration 126 says the same.
 */
export function skippedFastPath(s: SpanRecord): boolean {
  return s.statusIs('error') && (s.statusMessageIs(ERR_SKIP) || s.eventAttributeIs('exception.message', ERR_SKIP));
}
