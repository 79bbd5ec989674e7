import type { FlowSeries, SeriesPoint } from '../api/types.ts';
import { durationMs } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { palette } from './palette.ts';

/** Every bucket of the window, in order: an empty bucket has no traces (0) and no latency (a gap). */
export function filledBuckets(series: FlowSeries): { t: number; point: SeriesPoint | undefined }[] {
  const step = durationMs(series.step);
  const byTime = new Map(series.points.map((p) => [Date.parse(p.t), p]));
  if (step <= 0) return [...byTime].map(([t, point]) => ({ t, point }));
  const start = Math.floor(Date.parse(series.since) / step) * step;
  const end = Date.parse(series.until);
  const out: { t: number; point: SeriesPoint | undefined }[] = [];
  for (let t = start; t <= end && out.length < 5000; t += step) out.push({ t, point: byTime.get(t) });
  // Points that do not sit on the grid (another bucket origin) are kept, not dropped.
  const onGrid = new Set(out.map((b) => b.t));
  for (const [t, point] of byTime) if (!onGrid.has(t)) out.push({ t, point });
  return out.sort((a, b) => a.t - b.t);
}

type Metric = 'throughput' | 'errors' | 'latency';

const lines: Record<Metric, { unit: string; series: { name: string; color: string; value: (p: SeriesPoint) => number; gapWhenEmpty?: boolean }[] }> = {
  throughput: {
    unit: 'per bucket',
    series: [
      { name: 'traces', color: palette.throughput, value: (p) => p.traces },
      { name: 'records', color: palette.records, value: (p) => p.records },
    ],
  },
  errors: { unit: 'failed traces', series: [{ name: 'failed traces', color: palette.errors, value: (p) => p.failedTraces }] },
  latency: {
    unit: 'ms',
    series: [
      { name: 'p95', color: palette.p95, value: (p) => p.p95Ms, gapWhenEmpty: true },
      { name: 'p50', color: palette.p50, value: (p) => p.p50Ms, gapWhenEmpty: true },
    ],
  },
};

/** One of the flow page's line charts (throughput, errors or latency) over the filled buckets. */
export function seriesOption(series: FlowSeries, metric: Metric): ChartOption {
  const buckets = filledBuckets(series);
  const spec = lines[metric];
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 30, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, right: 0 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: spec.unit, nameTextStyle: { align: 'left' }, minInterval: metric === 'latency' ? 0 : 1 },
    series: spec.series.map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: buckets.length < 60,
      connectNulls: false,
      color: s.color,
      data: buckets.map((b) => [b.t, b.point ? s.value(b.point) : s.gapWhenEmpty ? null : 0]),
    })),
  };
}
