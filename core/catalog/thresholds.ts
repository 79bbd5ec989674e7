import { parseDuration } from '../time/index.ts';
import { longestCronGapMs } from './cron-gap.ts';
import type { Flow, SloClass } from './types.ts';

/** A threshold and where it comes from: `'flow'` (the flow's own) or `'class <id>'`. */
export interface Threshold {
  value: number;
  by: string;
}

/**
 * A flow's latency and error-rate thresholds (p95 and p99 in ms, error rate a fraction 0–1): its own
 * where given, else its SLO class's; a key is undefined when neither gives it (not judged). The one rule
 * the analyzer's findings and the derived alert rules both follow.
 */
export function flowThresholds(f: Flow, cls: SloClass | undefined): { p95?: Threshold; p99?: Threshold; errorRate?: Threshold } {
  const pick = (k: 'latencyP95Ms' | 'latencyP99Ms' | 'errorRate'): Threshold | undefined => {
    const own = f[k];
    if (own !== undefined) return { value: own, by: 'flow' };
    const inherited = cls?.[k];
    return inherited !== undefined ? { value: inherited, by: `class ${cls!.id}` } : undefined;
  };
  return { p95: pick('latencyP95Ms'), p99: pick('latencyP99Ms'), errorRate: pick('errorRate') };
}

/**
 * Traces a flow needs in the window before its latency is judged, unless its class's `minTraces` says
 * otherwise: the p95 of three traces is the slowest of them, and one slow run is not a breach of an SLO.
 */
export const LATENCY_MIN_TRACES = 10;

/** Traces `flow` needs in a window before its p95/p99 is judged, for findings and alerts alike: its class's `minTraces`, else 10. */
export function latencyMinTraces(flow: Flow, classes: readonly SloClass[]): number {
  return classes.find((c) => c.id === flow.class)?.minTraces ?? LATENCY_MIN_TRACES;
}

/**
 * How long a flow may be silent (ms), and what says so: its own `staleAfter`, else its SLO class's, else twice its
 * schedule's period: `every`, or for a `cron` schedule the longest time between two of its ticks (`longestCronGapMs`:
 * a nightly `0 2 * * *` may be silent 48 h, a weekday job from Friday evening to Monday morning twice that). A class's
 * `staleAfter` shorter than its schedule's silence does not hold for the flow: a class is shared by flows of many
 * schedules, and an hourly flow in a 30-minute class was `stale-flow` half an hour after each of its runs (its own
 * `staleAfter` still says what it says). Undefined when none says (no schedule, or a cron due less than twice in eight
 * years). One rule for the stale-flow and flow-never-observed findings and the derived staleness and telemetry-gap
 * alerts. Throws when a duration is not one (the catalog's schema refuses such a catalog first).
 */
export function allowedSilence(flow: Flow, classes: readonly SloClass[]): { ms: number; by: 'flow' | 'class' | 'schedule' } | undefined {
  if (flow.staleAfter) return { ms: parseDuration(flow.staleAfter), by: 'flow' };
  const gap = flow.schedule?.every ? parseDuration(flow.schedule.every) : flow.schedule?.cron ? longestCronGapMs(flow.schedule.cron) : undefined;
  const scheduled = gap === undefined ? undefined : { ms: 2 * gap, by: 'schedule' as const };
  const classLimit = classes.find((c) => c.id === flow.class)?.staleAfter;
  if (!classLimit) return scheduled;
  const byClass = { ms: parseDuration(classLimit), by: 'class' as const };
  return scheduled && scheduled.ms > byClass.ms ? scheduled : byClass;
}
