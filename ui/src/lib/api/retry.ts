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

/**
 * The seconds a `Retry-After` header asks to wait (RFC 9110 §10.2.3: delay-seconds, or an HTTP-date, counted from
 * `now`, ms), at least 1; undefined when there is none or it is neither.
 */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim() ?? '';
  if (/^\d{1,10}$/.test(text)) return Math.max(1, Number(text));
  // An HTTP-date starts with its day's name (IMF-fixdate, and both obsolete forms).
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - now) / 1000));
}

/** "45 s", "1 min 5 s", "2 min": a wait of `seconds` (whole seconds, at least 1). */
export function waitText(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const rest = s % 60;
  return rest === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${rest} s`;
}

/**
 * What a 429 says to a person: for too many wrong tokens (`WEFT_ERR_AUTH_FAILURES`) that no token is checked for the
 * wait and what to do then; Weft's other 429s (`WEFT_ERR_…`) say when to ask again themselves (`ERR_REPORTS_BUSY`: "try
 * again in 30 s"), shown as they are; an answer from elsewhere (a proxy's, with no Weft code) gets how long to wait.
 */
export function tooManyRequestsText(code: string, message: string, seconds: number): string {
  if (code === 'WEFT_ERR_AUTH_FAILURES')
    return `Too many wrong tokens were sent from this address: Weft checks no token from it for ${waitText(seconds)}. Then try again with a right token (weft token list shows which exist).`;
  if (code.startsWith('WEFT_ERR_')) return message;
  return `${message.trimEnd()} Try again in ${waitText(seconds)}.`;
}
