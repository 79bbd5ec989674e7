/**
 * Conversions between JavaScript times and ClickHouse `DateTime64(3, 'UTC')` text
 * ("2026-01-02 03:04:05.678"), the form every Weft table reads and returns in JSON formats.
 */

/** Date → "2026-01-02 03:04:05.678" (what a DateTime64(3, 'UTC') column reads). */
export function toChTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** "2026-01-02 03:04:05.678" or "2026-01-02 03:04:05" (UTC) → ISO 8601 ("2026-01-02T03:04:05.678Z"). */
export function fromChTime(s: string): string {
  return `${s.replace(' ', 'T')}${s.includes('.') ? '' : '.000'}Z`;
}

/** "2026-01-02 03:04:05.678" (UTC) → Date. */
export function dateFromChTime(s: string): Date {
  return new Date(fromChTime(s));
}
