// What a chain of records per hop says, in its heading and per hop: one rule, so the two cannot disagree.
import type { HopChainRow } from '../api/types.ts';
import { count, num } from '../format.ts';

/** A comparison of two counts as the API gives it (a hop, or the handoff into one). */
interface Check {
  judged: boolean;
  lost: boolean;
}

/** One hop's (or handoff's) verdict: "records lost", "ok" (compared, within the tolerance), or "not compared" (a side was not counted). */
export function checkVerdict(c: Check): 'records lost' | 'ok' | 'not compared' {
  return c.lost ? 'records lost' : c.judged ? 'ok' : 'not compared';
}

/**
 * A chain's heading: where records were first lost; else "no loss found" only when every hop and
 * handoff was compared; "no loss found in N of M compared" when some were not; "not compared" when
 * none was (no loss can be called, so none is claimed). `bad` marks a loss; `title` says why.
 */
export function chainVerdict(chain: HopChainRow): { text: string; bad: boolean; title: string } {
  const d = chain.firstDivergence;
  if (d) return { text: `first diverges at hop ${d.hop + 1} (${d.source} → ${d.target}): ${num(d.lost)} lost`, bad: true, title: '' };
  const checks: Check[] = chain.hops.flatMap((h) => (h.handoff ? [h.handoff, h] : [h]));
  const judged = checks.filter((c) => c.judged).length;
  const why =
    'A hop or handoff is compared only where both sides were counted for the same runs or settled window, and a handoff only where neither side sent its spans sampled.';
  if (judged === 0)
    return { text: 'not compared', bad: false, title: `No hop or handoff of this chain was compared, so no loss can be called either way. ${why}` };
  if (judged < checks.length)
    return {
      text: `no loss found in ${num(judged)} of ${count(checks.length, 'check')} (${num(checks.length - judged)} not compared)`,
      bad: false,
      title: why,
    };
  return { text: 'no loss found', bad: false, title: "Every hop and handoff was compared, each within the domain's tolerance." };
}
