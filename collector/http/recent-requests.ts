import { createHash } from 'node:crypto';

/** How long a stored export request is remembered (ms): an exporter's retries come within its timeout and backoff. */
export const RECENT_REQUEST_TTL_MS = 10 * 60_000;
/** How many stored export requests are remembered at most (the oldest are forgotten first): 20 bytes of digest each. */
export const RECENT_REQUEST_MAX = 100_000;

/**
 * The traces export requests the collector stored lately, by a SHA-1 digest of their signal and body as decoded (after
 * Content-Encoding), for RECENT_REQUEST_TTL_MS and RECENT_REQUEST_MAX at most. An exporter that does not hear the
 * answer to a request Weft stored (a timeout, a connection reset, a gateway's `retry_on_failure` re-sending its
 * queue) sends the same bytes again: OTLP leaves such duplicates to the receiver ("Duplicate Data",
 * https://opentelemetry.io/docs/specs/otlp/#duplicate-data). Stored twice, each record count of its spans was summed
 * twice in the endpoint rollups: 500 records written into a queue read as 1,000, against the 500 read out of it, a
 * high `hop-record-loss`. The same bytes are the same spans (their trace and span ids included), so a repeat is
 * answered as accepted and not stored again. Metrics and logs are not looked up: a log record needs no timestamp, and
 * two equal ones from a sender that sets none are two events. A retry that batches its items otherwise is not recognised. Kept in memory: a
 * restarted Weft remembers none.
 */
export class RecentRequests {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = RECENT_REQUEST_TTL_MS,
    private readonly max = RECENT_REQUEST_MAX,
  ) {}

  /** The key of a request: its signal and decoded body. */
  key(signal: string, body: Uint8Array): string {
    return createHash('sha1').update(signal).update('\0').update(body).digest('base64');
  }

  /** Whether `key` was stored within the TTL before `now` (ms since the epoch). */
  has(key: string, now = Date.now()): boolean {
    const at = this.seen.get(key);
    return at !== undefined && now - at < this.ttlMs;
  }

  /** Remembers `key` as stored at `now`, forgetting what is past the TTL or over the maximum, oldest first. */
  add(key: string, now = Date.now()): void {
    this.seen.delete(key);
    this.seen.set(key, now);
    for (const [k, at] of this.seen) {
      if (this.seen.size <= this.max && now - at < this.ttlMs) break;
      this.seen.delete(k);
    }
  }
}
