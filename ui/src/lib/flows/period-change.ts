// How a flow's figure changed from the previous period to the one shown (the flow page's comparison).
import { duration } from '../format.ts';

const nf = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const sign = (d: number) => (d > 0 ? '+' : d < 0 ? '−' : '±');
const percent = (d: number, before: number) => `${sign(d)}${nf.format(Math.abs((d / before) * 100))}%`;

/**
 * The change of a count (traces, records) from `before` to `now`: "+2 (+50%)", "−3 (−100%)", "±0";
 * from none, the count alone ("+3"). A period with no trace counts 0 here (pass 0): a count of nothing is
 * a count. Unknown on either side (undefined: not loaded) gives "–".
 */
export function countChange(now: number | undefined, before: number | undefined): string {
  if (now === undefined || before === undefined) return '–';
  const d = now - before;
  if (d === 0) return '±0';
  return before === 0 ? `${sign(d)}${nf.format(Math.abs(d))}` : `${sign(d)}${nf.format(Math.abs(d))} (${percent(d, before)})`;
}

/**
 * The change of a ratio (the error rate, 0..1) in percentage points: "+12.5 pp", "−0.3 pp", "±0 pp".
 * Null on either side (no trace in that period: there is no rate to compare) gives "–".
 */
export function ratioChange(now: number | null | undefined, before: number | null | undefined): string {
  if (now === null || now === undefined || before === null || before === undefined) return '–';
  const pp = Math.round((now - before) * 1000) / 10;
  return `${sign(pp)}${Math.abs(pp).toFixed(1).replace(/\.0$/, '')} pp`;
}

/**
 * The change of a latency in ms, written as every duration is (format.ts `duration`): "+12.0 ms (+25%)",
 * "−12.0 s (−40%)"; "±0 ms" when the two latencies read the same. Null on either side (no trace, or
 * no run with a duration: OpenLineage runs without their START) gives "–", never a change from 0 ms.
 */
export function latencyChange(now: number | null | undefined, before: number | null | undefined): string {
  if (now === null || now === undefined || before === null || before === undefined) return '–';
  const d = now - before;
  if (duration(now) === duration(before)) return '±0 ms';
  const size = duration(Math.abs(d));
  return before > 0 ? `${sign(d)}${size} (${percent(d, before)})` : `${sign(d)}${size}`;
}
