import { ERR_CONFIG } from '../errors/index.ts';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "500ms", "30s", "5m", "2h", "7d", "1w", or compound "1h30m" → milliseconds. Throws a message naming the value. */
export function parseDuration(text: string, what = 'duration'): number {
  const s = String(text).trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (s.length === 0 || matched !== s.length) {
    throw ERR_CONFIG(`${what} must be a duration like 30s, 5m, 2h or 7d, got "${text}".`);
  }
  return total;
}

export function isDuration(text: string): boolean {
  return /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/.test(String(text).trim());
}

/** 90_000 → "1m30s"; for messages and evidence. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
