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
 * Traces a flow needs in a window before its error rate is judged, unless its class's `errorRateMinTraces` says
 * otherwise: one failed run out of one is an error rate of 100%, and a flow that ran once in five minutes and failed
 * once was paged as high. Lower than the latency's 10: a failure is a fact about a run, a slow run only one sample of a
 * distribution, and a flow running once a minute still has an error rate judged every window.
 */
export const ERROR_RATE_MIN_TRACES = 5;

/**
 * Traces `flow` needs in a window of `windowMs` before its error rate is judged (alerts): `given` (a custom rule's own
 * `minTraces`) as it is; else its class's `errorRateMinTraces`, else ERROR_RATE_MIN_TRACES, at most half the runs its
 * schedule puts in the window (its `every`, or the longest time between its `cron` ticks), at least 1. A scheduled flow
 * cannot show more runs than it makes: a daily job's one failed run is the whole day's verdict and is judged (and its
 * alert keeps firing until a run succeeds), an hourly one's in any 5-minute window too, and a flow every minute is
 * judged on 2 runs of a 5-minute window (half, as the window's last minutes are not paired yet). A flow without a
 * schedule gives no verdict below the minimum: lower its class's `errorRateMinTraces`, or give a rule a longer window.
 */
export function errorRateMinTraces(flow: Flow, classes: readonly SloClass[], windowMs: number, given?: number): number {
  if (given !== undefined) return given;
  const min = classes.find((c) => c.id === flow.class)?.errorRateMinTraces ?? ERROR_RATE_MIN_TRACES;
  const period = flow.schedule?.every ? parseDuration(flow.schedule.every) : flow.schedule?.cron ? longestCronGapMs(flow.schedule.cron) : undefined;
  if (period === undefined || !(period > 0)) return min;
  return Math.max(1, Math.min(min, Math.floor(windowMs / (2 * period))));
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
