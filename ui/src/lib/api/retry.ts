// Which failed answers asking again can change: the Retry button is offered for those only.

/**
 * Whether the same request may succeed if made again: no answer at all (status 0: network down, Weft stopped),
 * 408 (timed out), 429 (too many requests) or a 5xx (Weft or its store failed, or is busy). Any other 4xx says the
 * request itself is wrong (a bad filter or range in the address), the thing asked for is not there, or the token
 * lacks a role: the same request gets the same answer.
 */
export function canRetry(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * What to change for a failed request that asking again cannot fix (`canRetry` false), for the line under its
 * message; '' when a retry can help. `status` is the HTTP status (400, 403, 404…).
 */
export function changeHint(status: number): string {
  if (canRetry(status)) return '';
  if (status === 401) return 'Enter a token with access above; the page loads again with it.';
  if (status === 403) return "This token's role may not see this: use a token with a role that may.";
  if (status === 404) return 'Check the address: the link may be old, or the catalog no longer has it.';
  return 'Change what the message names (a filter or range in the address, or the form) and the page loads again.';
}
