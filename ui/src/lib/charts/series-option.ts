import type { FlowSeries, SeriesPoint } from '../api/types.ts';
import { duration, durationMs, when } from '../format.ts';
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

/** The flow page's three charts. */
export type Metric = 'throughput' | 'errors' | 'latency';

interface Line {
  name: string;
  color: string;
  /** The bucket's value; null draws a gap (latency of runs without a duration). */
  value: (p: SeriesPoint) => number | null;
  gapWhenEmpty?: boolean;
  /** 1: the right-hand axis (records run to thousands where traces count in tens). */
  axis?: 0 | 1;
}

const lines: Record<Metric, { units: string[]; series: Line[] }> = {
  throughput: {
    units: ['traces', 'records'],
    series: [
      { name: 'traces', color: palette.throughput, value: (p) => p.traces },
      { name: 'records', color: palette.records, value: (p) => p.records, axis: 1 },
    ],
  },
  errors: { units: ['failed traces'], series: [{ name: 'failed traces', color: palette.errors, value: (p) => p.failedTraces }] },
  latency: {
    units: ['ms'],
    series: [
      { name: 'p95', color: palette.p95, value: (p) => p.p95Ms, gapWhenEmpty: true },
      { name: 'p50', color: palette.p50, value: (p) => p.p50Ms, gapWhenEmpty: true },
    ],
  },
};

/**
 * Time-axis labels: at most about one per 90 px and none drawn over another (nor over the y axes'
 * labels); a new day reads as the rest of the UI writes dates ("30 Nov"), not as ECharts' bare day
 * number. `narrow` (a phone, about 390 px wide) asks for three, in a smaller font.
 */
function timeAxis(narrow: boolean): Record<string, unknown> {
  return {
    type: 'time',
    splitNumber: narrow ? 3 : 6,
    axisLabel: {
      hideOverlap: true,
      // Clear of the y axes' bottom labels ("0"), which sit on the x axis line: a time label at either
      // end of the axis reached under them (the records axis' "0" and "07:30" overlapped on a phone).
      margin: 12,
      formatter: { year: '{yyyy}', month: '{MMM} {yyyy}', day: '{d} {MMM}', hour: '{HH}:{mm}', minute: '{HH}:{mm}', second: '{HH}:{mm}:{ss}' },
      ...(narrow ? { fontSize: 10 } : {}),
    },
  };
}

/** One line of a chart as its legend shows it (the legend is drawn by the page, beside the chart). */
export interface LegendItem {
  /** The series' name, as in the option ("traces", "traces (previous period)"). */
  name: string;
  color: string;
  /** Drawn dashed: the previous period. */
  dashed: boolean;
}

/** The lines `seriesOption` draws for `metric`, in its order: each line, then with `compare` each line's previous period. */
export function seriesLegend(metric: Metric, compare: boolean): LegendItem[] {
  const now = lines[metric].series.map((s) => ({ name: s.name, color: s.color, dashed: false }));
  return compare ? [...now, ...now.map((s) => ({ ...s, name: `${s.name} (previous period)`, dashed: true }))] : now;
}

/**
 * One of the flow page's line charts (throughput, errors or latency) over the filled buckets. With
 * `previous` (the same flow over the period just before), each line gets a dashed twin shifted
 * forward by the period's length, so the two periods sit on top of each other. Dragging across the
 * chart selects a range to zoom into (the page turns it into from / to). `narrow`: drawn on a phone
 * (fewer, shorter time labels and tighter margins). `hidden`: names of lines left out (switched off
 * in the legend).
 *
 * The chart draws no legend of its own: ECharts places a legend without regard to the axis names
 * (on a phone the compare legend wrapped onto three rows over them and over the plot), so the page
 * draws `seriesLegend` above the chart, where it wraps like text. The grid leaves room for the
 * axis names only.
 */
export function seriesOption(
  series: FlowSeries,
  metric: Metric,
  previous?: FlowSeries,
  { narrow = false, hidden = [] }: { narrow?: boolean; hidden?: readonly string[] } = {},
): ChartOption {
  const buckets = filledBuckets(series);
  const spec = lines[metric];
  const shift = Date.parse(series.since) - (previous ? Date.parse(previous.since) : 0);
  const before = previous ? filledBuckets(previous) : [];
  const shown = (name: string) => !hidden.includes(name);
  return {
    animation: false,
    // Drag-to-zoom: the toolbox's box zoom, switched on by the chart component. The toolbox must be
    // shown for its zoom to work; its buttons are drawn invisible (the page has its own controls).
    toolbox: {
      show: true,
      right: 0,
      top: 0,
      itemSize: 1,
      showTitle: false,
      iconStyle: { opacity: 0 },
      emphasis: { iconStyle: { opacity: 0 } },
      feature: { dataZoom: { yAxisIndex: 'none' } },
    },
    grid: { left: narrow ? 44 : 56, right: spec.units.length > 1 ? (narrow ? 48 : 64) : 16, top: 30, bottom: 28 },
    // Inside the chart (a phone's screen is not much wider), latencies written as every duration is.
    tooltip: {
      trigger: 'axis',
      confine: true,
      ...(metric === 'latency' ? { valueFormatter: (v: unknown) => (typeof v === 'number' ? duration(v) : '–') } : {}),
    },
    // The tooltip's heading is the time of the bucket, written as every time in the UI is (format.ts `when`).
    xAxis: { ...timeAxis(narrow), axisPointer: { label: { formatter: (p: { value: number | string }) => when(p.value) } } },
    yAxis: spec.units.map((unit, i) => ({
      type: 'value',
      name: unit,
      position: i === 0 ? 'left' : 'right',
      nameTextStyle: { align: i === 0 ? 'left' : 'right' },
      minInterval: metric === 'latency' ? 0 : 1,
      splitLine: { show: i === 0 },
    })),
    series: [
      ...spec.series
        .filter((s) => shown(s.name))
        .map((s) => ({
          name: s.name,
          type: 'line',
          yAxisIndex: s.axis ?? 0,
          showSymbol: buckets.length < 60,
          connectNulls: false,
          color: s.color,
          data: buckets.map((b) => [b.t, b.point ? s.value(b.point) : s.gapWhenEmpty ? null : 0]),
        })),
      ...(previous
        ? spec.series
            .filter((s) => shown(`${s.name} (previous period)`))
            .map((s) => ({
              name: `${s.name} (previous period)`,
              type: 'line',
              yAxisIndex: s.axis ?? 0,
              showSymbol: false,
              connectNulls: false,
              color: s.color,
              lineStyle: { type: 'dashed', opacity: 0.55 },
              data: before.map((b) => [b.t + shift, b.point ? s.value(b.point) : s.gapWhenEmpty ? null : 0]),
            }))
        : []),
    ],
  };
}
