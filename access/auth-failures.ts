import { isIPv4 } from 'node:net';
import { addressOf } from '../core/net/forwarded-client.ts';

/** How many failed credential checks one client may make, and how many clients are remembered. */
export interface AuthFailureOptions {
  /** Failed checks allowed in one window before the client's credentials are refused with 429 (default 30). */
  maxFailures?: number;
  /** The window (ms, default 60 000): it starts at the client's first failure; the block lasts until it ends. */
  windowMs?: number;
  /**
   * Clients remembered at once (default 10 000, a few hundred bytes each). Past it, windows that ended are dropped
   * first, then the oldest: memory stays bounded whatever number of addresses a flood comes from.
   */
  maxClients?: number;
}

interface Window {
  since: number;
  count: number;
  /** The digest of the last credential that failed: sent again, it is no new guess (a tab with a stale token). */
  last?: string;
}

/** What `charge` decided: the seconds to wait (no check is made) or 0, and whether this check was counted. */
export interface Charge {
  wait: number;
  charged: boolean;
}

/**
 * The key a client's failures are counted under, from its address in any spelling (`addressOf`'s canonical key): an IPv4
 * address as it is (an IPv4-mapped IPv6 address, dotted or hex, as its IPv4 address), an IPv6 address by its /64 (one
 * host is usually given a whole /64, so counting per address would let it try 2^64 times as often), anything that is
 * no address as it is.
 */
export function clientKey(client: string): string {
  const address = addressOf(client);
  if (address === undefined) return client;
  if (isIPv4(address)) return address;
  // Canonical: lower case, no leading zeros, at most one `::` (a dotted tail, `::127.0.0.1`, is past the first 64 bits).
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/**
 * Failed credential checks per client (remote address), in fixed windows (`charge` before a check, `refund` when it
 * passed): past `maxFailures` in a window, the client's
 * credentials are refused (HTTP 429, Retry-After: the rest of the window) without being checked, so nobody tries
 * tokens faster than that; other clients are not affected. A success does not reset the count (a holder of one valid
 * token could otherwise keep guessing others). Memory: at most `maxClients` entries.
 */
export class AuthFailureLimit {
  private readonly windows = new Map<string, Window>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxClients: number;

  constructor(
    options: AuthFailureOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxFailures = options.maxFailures ?? 30;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxClients = options.maxClients ?? 10_000;
  }

  /** Clients remembered now (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  /** Seconds until `client` may present credentials again (at least 1), or 0 when it may now. */
  blockedFor(client: string): number {
    const w = this.windows.get(clientKey(client));
    if (!w || w.count < this.maxFailures) return 0;
    const left = w.since + this.windowMs - this.now();
    return left > 0 ? Math.max(1, Math.ceil(left / 1000)) : 0;
  }

  /**
   * Starts a check of a credential `client` presented (`credential`: a digest of it, never the text): the seconds it must
   * wait (no check is made), or 0; the check is then counted as failed until `refund` says it passed. Counted before it is
   * made, so checks made side by side (a thousand requests sent at once, each waiting on the store or the KDF) cannot
   * pass the limit together. The credential that failed last for this client, sent again, is not counted (no new
   * guess: a dashboard left open with a revoked token).
   */
  charge(client: string, credential: string): Charge {
    const wait = this.blockedFor(client);
    if (wait > 0) return { wait, charged: false };
    const key = clientKey(client);
    const now = this.now();
    const w = this.windows.get(key);
    if (w && now - w.since < this.windowMs) {
      if (w.last === credential) return { wait: 0, charged: false };
      w.count++;
      return { wait: 0, charged: true };
    }
    // A new window goes to the end, so the map stays in order of window start and ended windows are at its front.
    this.windows.delete(key);
    for (const [k, old] of this.windows) {
      if (this.windows.size < this.maxClients && now - old.since < this.windowMs) break;
      this.windows.delete(k);
    }
    this.windows.set(key, { since: now, count: 1 });
    return { wait: 0, charged: true };
  }

  /** Takes back the charge of a check that passed (a right token is not a failure; it resets nothing either). */
  refund(client: string): void {
    const w = this.windows.get(clientKey(client));
    if (w && w.count > 0) w.count--;
  }

  /** Notes the credential whose check failed, so that sending it again is not counted again. */
  failed(client: string, credential: string): void {
    const w = this.windows.get(clientKey(client));
    if (w) w.last = credential;
  }
}
