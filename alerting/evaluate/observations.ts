import type { SilenceBefore } from './quiet-hours.ts';
/** What the rules are evaluated against: plain data read from the rollups (see observe.ts), no I/O here. */
import type { Severity } from '../../core/contracts/index.ts';
import { sampledCountRange, type SampledService, type WeftDowntime } from '../../analyzer/index.ts';

export interface FlowWindowStats {
  traces: number;
  failedTraces: number;
  /** ms; null when no trace of the flow had a duration (OpenLineage runs without a START): no latency verdict. */
  p95Ms: number | null;
  p99Ms: number | null;
  /** A trace id of one run in the window ('' or absent: none known). */
  sampleTrace?: string;
  /** A trace id of one failed run in the window ('' or absent: none failed). */
  sampleErrorTrace?: string;
}

export interface OpenFinding {
  id: string;
  kind: string;
  key: string;
  title: string;
  /** The finding's severity as the finding store holds it (findings/severity-hold.ts decides it, nothing here). */
  severity: Severity;
  subject: { systems: string[]; flows: string[]; domains: string[] };
  /** The finding's sample trace ids (its evidence's `sampleTraceIds`; empty when it has none). */
  traceIds: string[];
}

/** Calls integrations made to one catalog system in the short window (client spans touching it). */
export interface SystemCalls {
  calls: number;
  failed: number;
  /** Distinct integrations that called it. */
  callers: number;
}

/** A span of time in which Weft received no telemetry at all (ISO instants; `to` is now while it lasts). */
export interface IntakeGap {
  from: string;
  to: string;
}

export interface Observations {
  now: Date;
  /** The newest span time of a call any integration sent (the sender's clock; null: Weft never received any): how far flows' silence is measured. */
  lastIntake: string | null;
  /**
   * When Weft last stored a span, any span (its arrival, Weft's clock; null: none in the last 2 days): what intake gaps
   * and `telemetry-gap` are measured from, whatever the senders' clocks say and however late a gateway delivers.
   */
  lastArrival: string | null;
  /**
   * How long Weft's intake is usually silent (ms; `usualSilenceMs`: of the last day's gaps between arrival minutes, the
   * 95th percentile), null or absent when there is no verdict: the derived `telemetry-gap` waits at least that long.
   */
  usualSilenceMs?: number | null;
  /**
   * The longest silence the intake had reached within half an hour of this time a day and a week before (ms;
   * `intakeSilenceBefore`), absent when not read: the derived `telemetry-gap` does not fire over a silence the estate kept at this time a week before (a day
   * before, while Weft has not been watching a week).
   */
  silenceBefore?: SilenceBefore;
  /** Flow edges are known up to here (the pairing watermark, at most now). */
  pairedUntil: string;
  /** When the pairing job last completed a run (the analyzer's clock; null: it never has): how far behind Weft is. */
  lastPairingRun: string | null;
  /**
   * When this process started evaluating (null: not known). Weft's own "time since" alerts measure from here at most: a
   * Weft restarted after a long stop is neither behind nor in a telemetry gap before its analyzer and its senders had
   * the time to run again.
   */
  watchingSince: string | null;
  /** When Weft first received a span (ISO; null: never): a count over a window that starts earlier is no verdict. */
  observingSince: string | null;
  /**
   * Weft's last downtime (no pairing run for longer than WEFT_DOWNTIME_MIN_MS) within twice the longest staleness
   * threshold (`queryLastDowntime`); null or absent: none, or not read (no staleness rule). A flow's silence across it
   * is no verdict until Weft has watched past it for the threshold (`absenceUnjudged`, the rule stale-flow keeps too).
   */
  downtime?: WeftDowntime | null;
  /** Per window length (ms) → per flow id → stats over [now - window, now]: what ratios and quantiles are judged on (error rate, latency). */
  windows: Map<number, Map<string, FlowWindowStats>>;
  /**
   * Per window length (ms) → per flow id → stats over [pairedUntil - window, pairedUntil]: what counts are judged on
   * (`traces`, `throughput-drop`). A window ending at now holds only the runs paired so far, so a flow running every
   * 4 minutes had none in a 5-minute window whose last 2–3 minutes were not paired yet, and a Weft whose pairing was
   * behind saw every flow's throughput drop; its paired part ratios and quantiles can be judged on, not counts.
   */
  settled: Map<number, Map<string, FlowWindowStats>>;
  /** All-time last run per flow id (paired edges, or its calls to its target seen at ingest when newer). */
  lastSeen: Map<string, string>;
  /**
   * Per flow id: the end of its last paired run by its sender's clock (ISO), without its arrival: what is compared with
   * its service's last sampled span (`flowSampling`, by the sender's clock too). Absent: `lastSeen` is used.
   */
  lastRunEnd?: Map<string, string>;
  /** Per flow id: the services its paired runs came from (whose sampling counts for a flow named by its integration). */
  runServices?: Map<string, string[]>;
  /**
   * Per throughput-drop window length (ms) → per flow id → traces in the same settled window 1, 2, 3, 4 weeks earlier
   * (weeks without data left out).
   */
  baseline: Map<number, Map<string, number[]>>;
  /**
   * Per throughput-drop window length (ms) → per flow id → the probability (0 < p ≤ 1; 1 unsampled) its runs reached
   * Weft sampled with in each week of `baseline`, in its order (`flowProbability`); NaN for a week without a run of the
   * flow (its sampling unknown: none of its runs is none at any rate). Absent, or a flow absent: every week unsampled.
   */
  baselineSampling?: Map<number, Map<string, number[]>>;
  /**
   * Per window length (ms) of a count rule → per flow id → the probability (0 < p < 1) its runs reached Weft sampled
   * with over the settled window (`flowProbability`, the lowest of the window); a flow absent was not sampled there.
   * Absent: none read (every flow unsampled).
   */
  settledSampling?: Map<number, Map<string, number>>;
  /**
   * Per window length (ms) of a count rule → per flow id → the highest probability (0 < p ≤ 1) of the services its runs
   * in the settled window came from (1: one of them sent its runs unsampled), for a flow whose highest is above its
   * `settledSampling`; what "more than" is judged on (the fewest runs a count can stand for). Absent: that of `settledSampling`.
   */
  settledSamplingHighest?: Map<number, Map<string, number>>;
  /** Per catalog system id: the calls made to it in the system-unreachable rule's window (empty without that rule). */
  systemCalls: Map<string, SystemCalls>;
  /** Open findings of the probe kinds (record-count, key and schema drift, probe failing). */
  findings: OpenFinding[];
  /** Intake gaps that overlap the staleness horizon (the ongoing one included). */
  gaps: IntakeGap[];
  /**
   * Services whose spans reached Weft sampled in the last 14 days (SAMPLING_LOOKBACK_MS; tracestate `ot=th:…`; analyzer/flows/sampling.ts): the
   * staleness a flow they run may reach grows with its sampling. Absent: none read (no staleness rule).
   */
  sampled?: SampledService[];
}

/**
 * How long a flow has been silent while Weft was receiving telemetry: from its last run to the pairing
 * watermark, minus every intake gap in between (a flow is not stale because Weft's intake was down).
 */
export function stalenessMs(lastSeen: string, until: string, gaps: IntakeGap[]): number {
  const a = Date.parse(lastSeen);
  const b = Date.parse(until);
  if (!(b > a)) return 0;
  let silent = b - a;
  for (const g of gaps) {
    const from = Math.max(a, Date.parse(g.from));
    const to = Math.min(b, Date.parse(g.to));
    if (to > from) silent -= to - from;
  }
  return Math.max(0, silent);
}

/** Two sampling probabilities that are one: equal but for the rounding of their reading (a relative 1e-9). */
const sameProbability = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(a, b);

/**
 * The seasonal throughput score of a flow: 1 − current / median(the same window in previous weeks).
 * 0 means as busy as usual, 1 means silent. NaN (no verdict) unless at least two earlier weeks are
 * known and their median is at least `minTraces` — a quiet flow's noise is not a drop.
 *
 * Counts are of the runs that reached Weft. When its runs were sampled (`sampling`: the probability of the current
 * window, and of each baseline week in its order; 1 unsampled, the default), weeks are compared only when all were
 * sampled alike (a week's NaN, none of its runs arrived, is alike with any) — a sender that starts sampling at 10% sends
 * a tenth of its runs, which is no drop — and then on the
 * most runs the current window's sampled ones can stand for (`sampledCountRange`): a drop is called only when even
 * that many runs would be one. Otherwise NaN.
 */
export function throughputDropScore(current: number, baseline: number[], minTraces = 10, sampling?: { current: number; baseline: readonly number[] }): number {
  if (baseline.length < 2) return NaN;
  const p = sampling?.current ?? 1;
  // A week whose sampling is unknown (NaN: none of its runs arrived) is alike: no run is no run at any rate.
  if (!baseline.every((_, i) => Number.isNaN(sampling?.baseline[i]) || sameProbability(sampling?.baseline[i] ?? 1, p))) return NaN;
  const sorted = [...baseline].sort((x, y) => x - y);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  if (median < minTraces) return NaN;
  // Both sides in runs that happened: the current window's at their most, the weeks' median as sampled runs / p.
  return Math.max(0, 1 - (sampledCountRange(current, p)[1] * p) / median);
}

/**
 * The union of two lists of intake gaps (pure), in order of their start: gaps that overlap or touch become one,
 * open while either was open (an open gap lasts until now, so it stays the last, as `trackGaps` expects).
 */
export function mergeGaps<G extends IntakeGap & { open?: boolean }>(a: readonly G[], b: readonly G[]): Array<IntakeGap & { open?: boolean }> {
  const out: Array<IntakeGap & { open?: boolean }> = [];
  for (const g of [...a, ...b].sort((x, y) => Date.parse(x.from) - Date.parse(y.from))) {
    const last = out.at(-1);
    if (last && Date.parse(g.from) <= Date.parse(last.to)) {
      if (Date.parse(g.to) > Date.parse(last.to)) last.to = g.to;
      if (g.open) last.open = true;
    } else out.push({ from: g.from, to: g.to, ...(g.open ? { open: true } : {}) });
  }
  return out;
}

/**
 * Updates the list of intake gaps (pure): a silence longer than `minGapMs` opens a gap from the last
 * span received; it lasts while nothing arrives and closes at the first new span. Gaps older than
 * `keepMs` are forgotten.
 */
export function trackGaps(
  gaps: Array<IntakeGap & { open?: boolean }>,
  lastIntake: string | null,
  now: Date,
  minGapMs = 15_000,
  keepMs = 86_400_000,
): Array<IntakeGap & { open?: boolean }> {
  const out = gaps.filter((g) => now.getTime() - Date.parse(g.to) < keepMs).map((g) => ({ ...g }));
  if (!lastIntake) return out;
  const last = out.at(-1);
  const silent = now.getTime() - Date.parse(lastIntake);
  if (silent > minGapMs) {
    if (last?.open) last.to = now.toISOString();
    else out.push({ from: lastIntake, to: now.toISOString(), open: true });
  } else if (last?.open) {
    last.open = false;
    last.to = lastIntake > last.from ? lastIntake : last.to;
  }
  return out;
}
