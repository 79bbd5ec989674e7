import type { Store } from '../../clickhouse/index.ts';
import type { Flow } from '../../core/catalog/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { ServiceShift } from './sender-offsets.ts';

/**
 * Sampled runs and the silence of a flow. Weft counts the runs it receives; a sender that samples its traces (head
 * sampling with OpenTelemetry's probability sampling, which writes the sampling threshold into each span's tracestate:
 * `ot=th:…`, or the older `ot=p:…`) sends a tenth of a flow's runs at 10%, and a flow run every 5 minutes then reaches
 * Weft every 50 minutes on average, in gaps of hours now and then. Judged as an unsampled flow, it looked stale. Migrations
 * 102–104 keep, per service and minute, the lowest probability its spans were sampled with (`weft_sampled_1m`); a flow whose
 * runtime service was sampled is called silent only once a running flow would almost surely (1 − SAMPLED_SILENCE_ALPHA)
 * have sent at least one sampled run (`sampledSilenceMs`). Spec:
 * https://opentelemetry.io/docs/specs/otel/trace/tracestate-probability-sampling/.
 */

/**
 * A service whose spans reached Weft sampled: the lowest probability seen (2^−56 ≤ p < 1 as read from weft_sampled_1m,
 * which keeps no `p:63`; 0 in hand-made values: none sampled), how many spans,
 * and when its last sampled span ended (ISO, by the sender's clock, as a run's `lastSeen`; absent in hand-made values:
 * taken as still sampling).
 */
export interface SampledService {
  service: string;
  probability: number;
  spans: number;
  lastSampled?: string;
}

/**
 * How far back a service's last sampled span is looked for (ms): 14 days, or the window when it is longer (as far as
 * weft_sampled_1m keeps). A flow run every 2 hours sampled at 10% sends a run every 20 hours on average: a day alone
 * often held none, and the flow, running, was judged unsampled. Its probability is that of the last day it was sampled.
 */
export const SAMPLING_LOOKBACK_MS = 14 * 86_400_000;

/** The span of a service's sampling whose lowest probability is kept (ms): the day up to its last sampled minute. */
export const SAMPLING_RATE_SPAN_MS = 86_400_000;

/** The chance, at most, that a flow still running is called silent because none of its runs was sampled. */
export const SAMPLED_SILENCE_ALPHA = 0.001;

/**
 * The services whose spans stored since `since` were sampled (weft_sampled_1m), by name, each with the lowest
 * probability seen over the day up to its last sampled minute (SAMPLING_RATE_SPAN_MS: a service that changed its rate
 * is judged by its latest), the spans of that day, and when its last sampled span ended. Reads one row per service and
 * minute; rejects with the engine's error.
 */
export async function querySampledServices(store: Store, since: Date): Promise<SampledService[]> {
  const rows = await store.client
    .query({
      // Rows stored before migration 103 have no last_end (the epoch: the end of their minute is taken) and may hold a
      // probability of 0 (left out).
      query: `SELECT s.service AS service, min(s.min_probability) AS probability, sum(s.spans) AS spans,
                toUnixTimestamp64Milli(greatest(max(s.last_end), toDateTime64(max(s.minute), 3, 'UTC') + toIntervalSecond(60))) AS last
              FROM weft_sampled_1m AS s
              INNER JOIN (SELECT service, max(minute) AS latest FROM weft_sampled_1m
                          WHERE minute >= toStartOfMinute(fromUnixTimestamp64Milli({since:Int64}, 'UTC')) AND min_probability > 0
                          GROUP BY service) AS l
              ON s.service = l.service
              WHERE s.minute >= toStartOfMinute(fromUnixTimestamp64Milli({since:Int64}, 'UTC')) AND s.minute > l.latest - toIntervalSecond({span:UInt32})
                AND s.min_probability > 0
              GROUP BY s.service`,
      query_params: { since: since.getTime(), span: SAMPLING_RATE_SPAN_MS / 1000 },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ service: string; probability: number | string; spans: number | string; last: number | string }>());
  return rows.map((r) => ({
    service: r.service,
    probability: Number(r.probability),
    spans: Number(r.spans),
    lastSampled: new Date(Number(r.last)).toISOString(),
  }));
}

/**
 * The sampling of the service that runs `flow` (its `runtime.service`; for a flow named by its integration alone,
 * `runtime.flow`, the services its runs came from, `runServices`: the lowest probability of them), when its spans were
 * sampled; undefined otherwise, and when the flow's last run (`lastSeen`, ISO: its end) ended two minutes or more
 * after the service's last sampled span ended: the service sends unsampled now (its pipeline was fixed), and the flow
 * is judged on its schedule again. Ends are compared, not starts: a sampled run lasting minutes is still a sampled run.
 */
export function flowSampling(
  flow: Flow,
  sampled: readonly SampledService[] | undefined,
  lastSeen?: string,
  runServices: readonly string[] = [],
): SampledService | undefined {
  const services = flow.runtime?.service ? [flow.runtime.service] : runServices;
  const sampling = sampled
    ?.filter((s) => services.includes(s.service))
    .sort((a, b) => a.probability - b.probability)
    .at(0);
  if (sampling?.lastSampled === undefined || lastSeen === undefined) return sampling;
  return Date.parse(lastSeen) >= Date.parse(sampling.lastSampled) + 2 * 60_000 ? undefined : sampling;
}

/**
 * How long (ms) a flow may be silent when its runs reach Weft sampled with `probability`: `allowedMs` (its silence
 * allowed unsampled), or, when longer, the time in which a running flow sends at least one sampled run but with a
 * chance under SAMPLED_SILENCE_ALPHA: `periodMs × ⌈ln α / ln(1 − p)⌉` runs' worth (66 runs at 10%, 10 at 50%).
 * `periodMs` is the time between two runs (its schedule's `every`; for a cron schedule, `allowedMs`). Infinity when
 * nothing is sampled (p ≤ 0): no silence then says the flow stopped. `allowedMs` for p ≥ 1 or not a number.
 */
export function sampledSilenceMs(allowedMs: number, periodMs: number, probability: number): number {
  if (!(probability < 1)) return allowedMs;
  if (probability <= 0) return Infinity;
  // log1p: ln(1 − p) for p under 2^−53, where 1 − p rounds to 1 and its logarithm to 0.
  const runs = Math.ceil(Math.log(SAMPLED_SILENCE_ALPHA) / Math.log1p(-probability));
  return Math.max(allowedMs, periodMs * runs);
}

/**
 * The silence allowed to `flow` (ms) given its sampling: `allowedMs` when its runtime service (or the services of its
 * runs, `runServices`, for a flow named by its integration) was not sampled (or is no longer: `flowSampling` with its
 * last run `lastSeen`, ISO), else `sampledSilenceMs` with the schedule's period, and
 * the sampling that made it longer.
 */
export function flowSilenceMs(
  flow: Flow,
  allowedMs: number,
  sampled: readonly SampledService[] | undefined,
  lastSeen?: string,
  runServices?: readonly string[],
): { ms: number; sampling?: SampledService } {
  const sampling = flowSampling(flow, sampled, lastSeen, runServices);
  if (!sampling) return { ms: allowedMs };
  const periodMs = flow.schedule?.every ? parseDuration(flow.schedule.every) : allowedMs;
  const ms = sampledSilenceMs(allowedMs, periodMs, sampling.probability);
  return ms > allowedMs ? { ms, sampling } : { ms };
}

/** A sampling probability as a percentage for people: 0.1 → '10%', 0.0125 → '1.25%', 0.00001 → '0.001%'. */
export function formatProbability(probability: number): string {
  return `${Number((probability * 100).toPrecision(3))}%`;
}

/** A span of time [since, until) whose sampling is read (`querySamplingInWindows`). */
export interface SamplingWindow {
  since: Date;
  until: Date;
}

/**
 * Per window (in the order given): service → the lowest probability its spans stored in the window were sampled with
 * (weft_sampled_1m, the minutes from the one holding `since` up to `until`; 2^−56 ≤ p < 1), for the services sampled
 * there; a service absent from a window's map sent no sampled span in it. The windows are Weft's clock: a service whose
 * clock is off (`shifts`, sender-offsets.ts) has its minutes moved by its offset, as the pairing places its runs (without,
 * a sender 10 minutes behind sampling at 10% had no sampled span in the window its runs were counted in: they were taken
 * as unsampled, and `traces < 5` fired on a flow that ran 20 times). One read whatever the number of windows, of one row
 * per sampled service and minute; rejects with the engine's error.
 */
export async function querySamplingInWindows(
  store: Store,
  windows: readonly SamplingWindow[],
  shifts: readonly ServiceShift[] = [],
): Promise<Array<Map<string, number>>> {
  const out = windows.map(() => new Map<string, number>());
  if (windows.length === 0) return out;
  const moved = shifts.flatMap((g) => g.services.map((service) => ({ service, ms: g.ms })));
  const lo = windows.reduce((m, w) => Math.min(m, w.since.getTime()), Infinity);
  const hi = windows.reduce((m, w) => Math.max(m, w.until.getTime()), -Infinity);
  // Each window's minutes (the one holding `since` up to the last that starts before `until`: epoch seconds) joined
  // with the rows: a replay's thousands of step windows were matched one by one against every row (arrayFilter), 68 s
  // for a week of 5-minute steps of 5 sampled services, where this reads each row once against a table of minutes.
  const rows = await store.client
    .query({
      query: `SELECT k.w AS w, s.service AS service, min(s.min_probability) AS probability
              FROM (
                -- Its minute by Weft's clock: moved by its service's offset (whole minutes), if its clock is off.
                SELECT service, addSeconds(minute, intDiv(transform(toString(service), {shifted:Array(String)}, {shift_ms:Array(Int64)}, toInt64(0)), 1000)) AS placed,
                  min_probability
                FROM weft_sampled_1m
                WHERE minute >= toStartOfMinute(fromUnixTimestamp64Milli({lo:Int64}, 'UTC')) AND minute < fromUnixTimestamp64Milli({hi:Int64}, 'UTC')
                  AND min_probability > 0
              ) AS s
              INNER JOIN (
                SELECT t.1 AS w, toDateTime(arrayJoin(range(intDiv(t.2, 60000) * 60, intDiv(t.3 + 999, 1000), 60)), 'UTC') AS minute
                FROM (SELECT arrayJoin(arrayZip(range(1, length({los:Array(Int64)}) + 1), {los:Array(Int64)}, {his:Array(Int64)})) AS t)
              ) AS k ON s.placed = k.minute
              GROUP BY w, service`,
      query_params: {
        los: windows.map((w) => w.since.getTime()),
        his: windows.map((w) => w.until.getTime()),
        // The minutes read: the windows', moved back by the largest offset each way.
        lo: lo - Math.max(0, ...moved.map((m) => m.ms)),
        hi: hi - Math.min(0, ...moved.map((m) => m.ms)),
        shifted: moved.map((m) => m.service),
        shift_ms: moved.map((m) => m.ms),
      },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ w: number | string; service: string; probability: number | string }>());
  for (const r of rows) out[Number(r.w) - 1]?.set(r.service, Number(r.probability));
  return out;
}

/**
 * The lowest probability (0 < p ≤ 1) with which the runs of `flow` reached Weft in a window, from `inWindow` (a map of
 * `querySamplingInWindows`): of its runtime service, or, for a flow named by its integration alone, of the services
 * its runs came from (`runServices`); 1 when none of them sent a sampled span there.
 */
export function flowProbability(flow: Flow, inWindow: ReadonlyMap<string, number>, runServices: readonly string[] = []): number {
  const services = flow.runtime?.service ? [flow.runtime.service] : runServices;
  return Math.min(1, ...services.map((s) => inWindow.get(s) ?? 1));
}

/**
 * The range of runs that can have happened (`[low, high]`, 0 ≤ low ≤ seen ≤ high) when `seen` of them reached Weft,
 * each sampled with `probability` (0 < p ≤ 1), leaving out the counts that send `seen` sampled runs with a chance under
 * SAMPLED_SILENCE_ALPHA on that side: `high` the largest n with P(X ≤ seen | n, p) ≥ α, `low` the smallest with
 * P(X ≥ seen | n, p) ≥ α (X binomial). `[seen, seen]` for p ≥ 1 (every run reached Weft); `[seen, Infinity]` for
 * p ≤ 0 or not a number. What a count is judged on: "fewer than 5 runs an hour" of a flow sampled at 10% is not said
 * of one sampled run an hour (10 or 80 runs send it too), nor "more than 50" of 8. Exact up to 1,000 sampled runs (a
 * bisection over binomial sums), by the normal approximation above.
 */
export function sampledCountRange(seen: number, probability: number): [number, number] {
  const k = Math.max(0, Math.floor(seen));
  if (!(probability < 1)) return [k, k];
  if (!(probability > 0)) return [k, Infinity];
  if (k > 1000) {
    // n p ∓ z √(n p (1 − p)) = k solved for n, z the standard normal's 1 − α quantile.
    const z = 3.090232306167813;
    const v = z * z * (1 - probability);
    const root = (sign: number) => (sign * z * Math.sqrt(1 - probability) + Math.sqrt(v + 4 * k)) / 2;
    return [Math.max(k, Math.ceil(root(-1) ** 2 / probability)), Math.floor(root(1) ** 2 / probability)];
  }
  const logAlpha = Math.log(SAMPLED_SILENCE_ALPHA);
  const odds = Math.log(probability) - Math.log1p(-probability);
  /** ln P(X ≤ m | n, p), summed in log space (the terms underflow for large n); −Infinity for m < 0. */
  const logCdf = (m: number, n: number): number => {
    if (m < 0) return -Infinity;
    let term = n * Math.log1p(-probability);
    let sum = term;
    for (let i = 0; i < Math.min(m, n); i++) {
      term += Math.log((n - i) / (i + 1)) + odds;
      sum = Math.max(sum, term) + Math.log1p(Math.exp(-Math.abs(sum - term)));
    }
    return sum;
  };
  /**
   * The middle of two counts, or undefined when none lies between them: past 2^53 (p under about 2^−50) doubles are
   * further apart than 1, and `Math.floor((a + b) / 2)` rounds back to an end — the bisection never ended.
   */
  const between = (a: number, b: number): number | undefined => {
    const mid = Math.floor((a + b) / 2);
    return mid > a && mid < b ? mid : undefined;
  };
  // The largest n with P(X ≤ k | n) ≥ α (falling as n grows): bisection from k, with an upper end past it.
  let lo = k;
  let hi = Math.ceil((k + 10) / probability) * 4 + 10;
  while (logCdf(k, hi) >= logAlpha) hi *= 2;
  for (let mid = between(lo, hi); mid !== undefined; mid = between(lo, hi)) {
    if (logCdf(k, mid) >= logAlpha) lo = mid;
    else hi = mid;
  }
  const high = lo;
  // The smallest n ≥ k with P(X ≥ k | n) = 1 − P(X ≤ k − 1 | n) ≥ α (rising as n grows).
  const atLeast = (n: number) => -Math.expm1(logCdf(k - 1, n)) >= SAMPLED_SILENCE_ALPHA;
  let a = k;
  let b = high;
  if (atLeast(a)) return [a, high];
  for (let mid = between(a, b); mid !== undefined; mid = between(a, b)) {
    if (atLeast(mid)) b = mid;
    else a = mid;
  }
  return [b, high];
}
