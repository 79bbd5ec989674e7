// The window the records per hop cover, and the part of it a handoff counts the writes of.
import type { HopsAnswer } from '../api/types.ts';

/** A length of time in words, at most two adjacent units: "11 min", "1 h 30 min", "45 s", "2 d 3 h". */
export function lengthText(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms / 1000) * 1000);
  // The largest unit, and the one after it if it is not zero ("1 h 0 min 5 s" is "1 h").
  for (const [size, unit] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${unit}`);
    rest -= n * size;
    if (parts.length === 2 || (parts.length === 1 && n === 0)) break;
  }
  return parts.join(' ') || '0 s';
}

/**
 * What the records-per-hop panel says about its window: whether any chain shown has a handoff through
 * a topic or queue (only those count writes over the settled part), how long before the window's end
 * the settled part stops (`inFlight`: the settle time and the minute in progress), and the settle time.
 */
export function hopWindowNote(answer: HopsAnswer): { handoffs: boolean; settledUntil: string | null; inFlight: string; settle: string } {
  const handoffs = answer.chains.some((c) => c.hops.some((h) => h.handoff !== null));
  const inFlight = answer.settledUntil ? Date.parse(answer.until) - Date.parse(answer.settledUntil) : Date.parse(answer.until) - Date.parse(answer.since);
  return { handoffs, settledUntil: answer.settledUntil, inFlight: lengthText(inFlight), settle: lengthText(answer.settleMs) };
}
