import type { Store } from '../../clickhouse/index.ts';
import type { Flow } from '../../core/catalog/index.ts';
import { parseDuration } from '../../core/time/index.ts';

/**
 * Sampled runs and the silence of a flow. Weft counts the runs it receives; a sender that samples its traces (head
 * sampling with OpenTelemetry's probability sampling, which writes the sampling threshold into each span's tracestate:
 * `ot=th:…`, or the older `ot=p:…`) sends a tenth of a flow's runs at 10%, and a flow run every 5 minutes then reaches
 * Weft every 50 minutes on average, in gaps of hours now and then. Judged as an unsampled flow, it looked stale. Migrations
 * 102 and 103 keep, per service and minute, the lowest probability its spans were sampled with (`weft_sampled_1m`); a flow whose
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
