import type { FlowSeries, SeriesPoint } from '../api/types.ts';
import { duration, durationMs, num, when } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { palette } from './palette.ts';
import { tickLabel, timeTicks } from './time-ticks.ts';

const MINUTE = 60_000;

/**
 * Every bucket of the window, in order: an empty bucket has no traces (0) and no latency (a gap). The
 * buckets are laid every step from the start of `since`'s minute, as the API lays them
 * (api/schemas/graph.ts `FlowSeriesSchema`), up to the last that starts before `until` (one starting at
 * `until` is after the range, and the API reads nothing of it); `t` is a bucket's start (ms since the epoch).
 */
export function filledBuckets(series: FlowSeries): { t: number; point: SeriesPoint | undefined }[] {
  const step = durationMs(series.step);
  const byTime = new Map(series.points.map((p) => [Date.parse(p.t), p]));
  if (step <= 0) return [...byTime].map(([t, point]) => ({ t, point }));
  const start = Math.floor(Date.parse(series.since) / MINUTE) * MINUTE;
  const end = Date.parse(series.until);
  const out: { t: number; point: SeriesPoint | undefined }[] = [];
  for (let t = start; t < end && out.length < 5000; t += step) out.push({ t, point: byTime.get(t) });
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
  /**
   * 'bar': drawn as bars under the lines. Two lines on their own axes coincide when one is a multiple of
   * the other (every trace moving 2 records drew the records line exactly over the traces line).
   */
  shape?: 'line' | 'bar';
}

const lines: Record<Metric, { units: string[]; series: Line[] }> = {
  throughput: {
    units: ['traces', 'records'],
    series: [
      { name: 'traces', color: palette.throughput, value: (p) => p.traces },
      { name: 'records', color: palette.records, value: (p) => p.records, axis: 1, shape: 'bar' },
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
 * labels), on round local times (`timeTicks`); a new day reads as the rest of the UI writes dates
 * ("30 Nov"), not as ECharts' bare day number. `narrow` (a phone, about 390 px wide) asks for four
 * intervals at most (six otherwise), in a smaller font.
 */
function timeAxis(narrow: boolean, min: number, max: number): Record<string, unknown> {
  const ticks = timeTicks(min, max, narrow ? 4 : 6);
  return {
    type: 'time',
    // Exactly the range chosen: never widened to a bucket that starts before it, to the period before,
    // nor (containShape, on by default) to hold the bars at both ends whole.
    min,
    max,
    containShape: false,
    // Our own ticks (time-ticks.ts): across the first of a month ECharts drew that month's tick alone.
    axisTick: { customValues: ticks },
    axisLabel: {
      customValues: ticks,
      hideOverlap: true,
      // Clear of the y axes' bottom labels ("0"), which sit on the x axis line: a time label at either
      // end of the axis reached under them (the records axis' "0" and "07:30" overlapped on a phone).
      margin: 12,
      formatter: (value: number) => tickLabel(value),
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
  /** Drawn as a line, or as bars (records, under the traces line; the previous period's beside this one's). */
  shape: 'line' | 'bar';
  /** The axis it is read on, when the chart has two: 'left' or 'right'. */
  axis?: 'left' | 'right';
}

/** The lines `seriesOption` draws for `metric`, in its order: each line, then with `compare` each line's previous period (dashed). */
export function seriesLegend(metric: Metric, compare: boolean): LegendItem[] {
  const spec = lines[metric];
  const axis = (s: Line) => (spec.units.length > 1 ? { axis: s.axis === 1 ? ('right' as const) : ('left' as const) } : {});
  const now = spec.series.map((s) => ({ name: s.name, color: s.color, dashed: false, shape: s.shape ?? 'line', ...axis(s) }));
  return compare ? [...now, ...now.map((s) => ({ ...s, name: `${s.name} (previous period)`, dashed: true }))] : now;
}

/**
 * Whether `previous` is the period just before `series`, bucketed alike: it ends where `series` starts,
 * is as long, and has the same step. An answer for an earlier range (kept on screen while the new one
 * loads) is not, and is not drawn: shifted by another length its buckets would sit between these.
 */
export function isPeriodBefore(series: FlowSeries, previous: FlowSeries): boolean {
  const length = Date.parse(series.until) - Date.parse(series.since);
  return (
    previous.step === series.step &&
    Date.parse(previous.until) === Date.parse(series.since) &&
    Date.parse(previous.until) - Date.parse(previous.since) === length
  );
}

/**
 * The buckets of `previous` (the period just before `series`, see `isPeriodBefore`) moved onto
 * `series`: each drawn at its own time plus the range's length L, so that the previous period's minute
 * t − L is drawn at t. Both are laid from their first minute, so for a range of whole minutes they are
 * this range's buckets exactly (a range with seconds leaves them those seconds apart: the rollups are
 * per minute). Only buckets of the previous period are drawn: where it has none (before its start, past
 * its end) the dashed line has a gap, never a zero of its own.
 */
export function shiftedPrevious(series: FlowSeries, previous: FlowSeries): { t: number; point: SeriesPoint | undefined }[] {
  const length = Date.parse(series.until) - Date.parse(series.since);
  const start = Date.parse(previous.since);
  const end = Date.parse(previous.until);
  // The first bucket may start before `since` (it is its minute's); none starts after the period's end.
  return filledBuckets(previous)
    .filter((b) => b.t > start - MINUTE && b.t < end)
    .map((b) => ({ t: b.t + length, point: b.point }));
}

/** One line of a bucket's tooltip: a line's name, its colour, and its value there (null: no value, a gap). */
export interface TooltipRow {
  name: string;
  color: string;
  /** The previous period's value, drawn dashed. */
  dashed: boolean;
  value: number | null;
}

/** A line's value in a bucket (`point` undefined: an empty bucket): 0, or null (a gap) for a line with `gapWhenEmpty`. */
const valueOf = (s: Line, point: SeriesPoint | undefined) => (point ? s.value(point) : s.gapWhenEmpty ? null : 0);

/**
 * One line as ECharts draws it over `rows` (buckets at `t`, ms since the epoch). This range's: a solid
 * line over everything, or faint bars under the lines; the period before's (`before`): a dashed line
 * under this range's, or outlined dashed bars. The previous period's bar lies on this one's, not beside
 * it (`barGap: '-100%'`): beside, this period's first bar fell wholly before the axis.
 */
function drawnSeries(s: Line, rows: readonly { t: number; point: SeriesPoint | undefined }[], before: boolean, showSymbol: boolean) {
  const common = {
    name: before ? `${s.name} (previous period)` : s.name,
    yAxisIndex: s.axis ?? 0,
    color: s.color,
    data: rows.map((b) => [b.t, valueOf(s, b.point)]),
  };
  if (s.shape === 'bar')
    return {
      ...common,
      type: 'bar',
      // Under the lines, light enough for a line drawn over a bar to stay seen.
      z: 1,
      barMaxWidth: 14,
      barGap: '-100%',
      itemStyle: before ? { color: 'transparent', borderColor: s.color, borderType: 'dashed', borderWidth: 1 } : { opacity: 0.45 },
    };
  return {
    ...common,
    type: 'line',
    // This range's over the bars and the previous period's lines.
    z: before ? 2 : 3,
    showSymbol,
    connectNulls: false,
    lineStyle: before ? { type: 'dashed', opacity: 0.7 } : { width: 2 },
  };
}

/**
 * What the tooltip of the bucket drawn at `t` (ms since the epoch) lists: each line shown (not in
 * `hidden`) with this range's value there, then with `previous` (see `isPeriodBefore`) each line's
 * value in the period before, shifted onto `t` (`shiftedPrevious`). Read from the data, not from what
 * ECharts' pointer snapped to: a tap on a phone listed only the series nearest to it (the previous
 * period's, when its points sat seconds off this range's).
 */
export function bucketTooltip(series: FlowSeries, metric: Metric, previous: FlowSeries | undefined, t: number, hidden: readonly string[] = []): TooltipRow[] {
  const spec = lines[metric];
  const rows: TooltipRow[] = [];
  const now = filledBuckets(series).find((b) => b.t === t);
  if (now) for (const s of spec.series) if (!hidden.includes(s.name)) rows.push({ name: s.name, color: s.color, dashed: false, value: valueOf(s, now.point) });
  const before = previous && isPeriodBefore(series, previous) ? shiftedPrevious(series, previous).find((b) => b.t === t) : undefined;
  if (before)
    for (const s of spec.series) {
      const name = `${s.name} (previous period)`;
      if (!hidden.includes(name)) rows.push({ name, color: s.color, dashed: true, value: valueOf(s, before.point) });
    }
  return rows;
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** `bucketTooltip` as the tooltip's HTML: the bucket's time (format.ts `when`), then a line per row, a dashed mark for the period before. */
function tooltipHtml(t: number, rows: TooltipRow[], format: (v: number | null) => string): string {
  const mark = (r: TooltipRow) =>
    `<span style="display:inline-block;width:10px;height:0;margin-right:6px;vertical-align:middle;border-top:2px ${r.dashed ? 'dashed' : 'solid'} ${r.color}"></span>`;
  const line = (r: TooltipRow) => `<div>${mark(r)}${escapeHtml(r.name)}: <b>${escapeHtml(format(r.value))}</b></div>`;
  return `<div>${escapeHtml(when(t))}</div>${rows.map(line).join('')}`;
}

/**
 * One of the flow page's charts (throughput, errors or latency) over the filled buckets, its time axis
 * exactly [since, until] of the range. Throughput draws traces as a line over records as bars, each
 * on its own axis (left and right). With `previous` (the same flow over the period just before, see
 * `isPeriodBefore`; another range's answer is left out), each line gets a dashed twin shifted forward
 * by the range's length (`shiftedPrevious`), so the two periods sit on top of each other. Dragging across the
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
  const before = previous && isPeriodBefore(series, previous) ? shiftedPrevious(series, previous) : undefined;
  const shown = (name: string) => !hidden.includes(name);
  const two = spec.units.length > 1;
  const format = (v: unknown) => (typeof v !== 'number' ? '–' : metric === 'latency' ? duration(v) : num(v));
  /** The bucket a tooltip is for: this range's bucket nearest to where the axis pointer is (ECharts passes it as axisValue). */
  const bucketOf = (params: unknown): number | undefined => {
    const first = (Array.isArray(params) ? params[0] : params) as { axisValue?: unknown; value?: unknown } | undefined;
    const at = first?.axisValue ?? (Array.isArray(first?.value) ? first.value[0] : undefined);
    const t = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : NaN;
    if (Number.isNaN(t) || buckets.length === 0) return undefined;
    return buckets.reduce((best, b) => (Math.abs(b.t - t) < Math.abs(best - t) ? b.t : best), buckets[0].t);
  };
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
      // filterMode 'none': a bucket starting before the axis (the range's first minute, when the range
      // starts within it) is kept and its line clipped at the edge, not dropped with its traffic.
      feature: { dataZoom: { yAxisIndex: 'none', filterMode: 'none' } },
    },
    grid: { left: narrow ? 44 : 56, right: two ? (narrow ? 48 : 64) : 16, top: 30, bottom: 28 },
    // Inside the chart (a phone's screen is not much wider), latencies written as every duration is.
    tooltip: {
      trigger: 'axis',
      confine: true,
      ...(metric === 'latency' ? { valueFormatter: (v: unknown) => (typeof v === 'number' ? duration(v) : '–') } : {}),
      // Every line's value at the bucket, this range's and the period before's (see `bucketTooltip`).
      formatter: (params: unknown) => {
        const t = bucketOf(params);
        return t === undefined ? '' : tooltipHtml(t, bucketTooltip(series, metric, previous, t, hidden), format);
      },
    },
    // The tooltip's heading is the time of the bucket, written as every time in the UI is (format.ts `when`).
    xAxis: {
      ...timeAxis(narrow, Date.parse(series.since), Date.parse(series.until)),
      axisPointer: { label: { formatter: (p: { value: number | string }) => when(p.value) } },
    },
    // With two axes each is written in its series' colour, so which line is read on which side shows.
    yAxis: spec.units.map((unit, i) => {
      const color = two ? spec.series.find((s) => (s.axis ?? 0) === i)?.color : undefined;
      return {
        type: 'value',
        name: unit,
        position: i === 0 ? 'left' : 'right',
        nameTextStyle: { align: i === 0 ? 'left' : 'right', ...(color ? { color } : {}) },
        ...(color ? { axisLabel: { color } } : {}),
        minInterval: metric === 'latency' ? 0 : 1,
        splitLine: { show: i === 0 },
      };
    }),
    series: [
      ...spec.series.filter((s) => shown(s.name)).map((s) => drawnSeries(s, buckets, false, buckets.length < 60)),
      // The previous period: dashed. Its records are outlined bars over this period's (a dashed line of them
      // lay exactly on the previous traces' line, as records and traces did).
      ...(before ? spec.series.filter((s) => shown(`${s.name} (previous period)`)).map((s) => drawnSeries(s, before, true, false)) : []),
    ],
  };
}
