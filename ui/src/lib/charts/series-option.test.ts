import { describe, expect, it } from 'vitest';
import type { FlowSeries } from '../api/types.ts';
import { when } from '../format.ts';
import { palette } from './palette.ts';
import { bucketTooltip, filledBuckets, isPeriodBefore, seriesLegend, seriesOption, shiftedPrevious, type Metric } from './series-option.ts';

const point = (t: string, traces: number, p95Ms: number) => ({
  t,
  traces,
  failedTraces: traces > 2 ? 1 : 0,
  records: traces * 10,
  p50Ms: p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms * 2,
});
const series: FlowSeries = {
  flow: 'customer-sync',
  source: 'crm',
  target: 'erp',
  since: '2026-01-01T10:00:00.000Z',
  until: '2026-01-01T10:05:00.000Z',
  step: '1m',
  points: [point('2026-01-01T10:01:00.000Z', 3, 120), point('2026-01-01T10:04:00.000Z', 1, 80)],
};

type Line = { name: string; data: [number, number | null][] };

describe('flow series charts', () => {
  // Regression: the window's end (10:05:00) got a bucket of its own, drawn as a drop to zero traffic at the
  // right edge, though that minute is after the range and the API reads nothing of it.
  it('fills every bucket of the window, so quiet minutes show as zero traffic, and none starting at its end', () => {
    const buckets = filledBuckets(series);
    expect(buckets.map((b) => new Date(b.t).toISOString().slice(11, 16))).toEqual(['10:00', '10:01', '10:02', '10:03', '10:04']);
    const traces = (seriesOption(series, 'throughput').series as Line[]).find((s) => s.name === 'traces')!;
    expect(traces.data.map(([, v]) => v)).toEqual([0, 3, 0, 0, 1]);
    // A window ending within a minute has that minute's bucket.
    expect(filledBuckets({ ...series, until: '2026-01-01T10:05:01.000Z' }).map((b) => new Date(b.t).toISOString().slice(11, 16))).toContain('10:05');
  });

  it('leaves latency gaps where nothing ran instead of drawing a fake zero', () => {
    const p95 = (seriesOption(series, 'latency').series as Line[]).find((s) => s.name === 'p95')!;
    expect(p95.data.map(([, v]) => v)).toEqual([null, 120, null, null, 80]);
  });

  // Regression: runs without a duration (OpenLineage without START) came back as 0 ms and drew a latency of zero.
  it('draws no latency for a bucket whose runs carry no duration (null), where it ran', () => {
    const lineage = { ...series, points: [{ ...point('2026-01-01T10:01:00.000Z', 3, 0), p50Ms: null, p95Ms: null, p99Ms: null }] };
    const p95 = (seriesOption(lineage, 'latency').series as Line[]).find((s) => s.name === 'p95')!;
    expect(p95.data.map(([, v]) => v)).toEqual([null, null, null, null, null]);
    const traces = (seriesOption(lineage, 'throughput').series as Line[]).find((s) => s.name === 'traces')!;
    expect(traces.data.map(([, v]) => v)).toEqual([0, 3, 0, 0, 0]);
  });

  it('asks for fewer, shorter time labels that never overlap on a phone', () => {
    const hour = { ...series, since: '2026-01-01T10:00:00.000Z', until: '2026-01-01T11:00:00.000Z' };
    const axis = (narrow: boolean) =>
      seriesOption(hour, 'throughput', undefined, { narrow }).xAxis as {
        axisLabel: { hideOverlap: boolean; customValues: number[]; formatter: (v: number) => string };
      };
    expect(axis(false).axisLabel.hideOverlap).toBe(true);
    expect(axis(true).axisLabel.customValues.length).toBeLessThan(axis(false).axisLabel.customValues.length);
    expect(axis(true).axisLabel.customValues.length).toBeGreaterThanOrEqual(3);
    expect(
      axis(true)
        .axisLabel.customValues.map(axis(true).axisLabel.formatter)
        .every((l) => /^\d{2}:\d{2}$|^\d{1,2} [A-Z][a-z]{2}/.test(l)),
    ).toBe(true);
  });

  // Regression: across the first of a month ECharts' time axis drew the month's tick alone, so a phone's hour
  // 23:50 – 00:50 on 1 December had one time label, "Dec 2026" (rendered here as ECharts draws it, in SVG).
  it('draws several time labels on a phone whatever boundary the range crosses (day, month, year)', async () => {
    const echarts = await import('echarts');
    for (const until of ['2026-12-01T00:50:00.000Z', '2027-01-01T00:20:00.000Z', '2026-11-30T12:50:00.000Z', '2026-12-01T00:00:00.000Z']) {
      const end = Date.parse(until);
      const hour = { ...series, since: new Date(end - 3_600_000).toISOString(), until, points: [point(new Date(end - 1_800_000).toISOString(), 3, 120)] };
      const option = seriesOption(hour, 'throughput', undefined, { narrow: true });
      const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 325, height: 220 });
      chart.setOption({ ...option, animation: false } as Parameters<typeof chart.setOption>[0]);
      const texts = [...chart.renderToSVGString().matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
      chart.dispose();
      const labels = (option.xAxis as { axisLabel: { customValues: number[]; formatter: (v: number) => string } }).axisLabel;
      const drawn = labels.customValues.map(labels.formatter).filter((l) => texts.includes(l));
      expect(drawn.length, `${until}: ${texts.join(' | ')}`).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps points that do not sit on the bucket grid', () => {
    const odd = { ...series, points: [...series.points, point('2026-01-01T10:02:30.000Z', 2, 50)] };
    expect(
      filledBuckets(odd)
        .filter((b) => b.point)
        .map((b) => b.point!.traces),
    ).toEqual([3, 2, 1]);
  });

  it('overlays the previous period, shifted onto this one, as dashed lines', () => {
    const previous: FlowSeries = {
      ...series,
      since: '2026-01-01T09:55:00.000Z',
      until: '2026-01-01T10:00:00.000Z',
      points: [point('2026-01-01T09:56:00.000Z', 7, 300)],
    };
    const lines = seriesOption(series, 'throughput', previous).series as (Line & { lineStyle?: { type: string } })[];
    const prev = lines.find((s) => s.name === 'traces (previous period)')!;
    expect(prev.lineStyle?.type).toBe('dashed');
    // 09:56 in the previous period sits at 10:01 of this one.
    expect(prev.data.find(([, v]) => v === 7)?.[0]).toBe(Date.parse('2026-01-01T10:01:00.000Z'));
    expect(lines.map((s) => s.name)).toEqual(['traces', 'records', 'traces (previous period)', 'records (previous period)']);
  });

  const previous: FlowSeries = {
    ...series,
    since: '2026-01-01T09:55:00.000Z',
    until: '2026-01-01T10:00:00.000Z',
    points: [point('2026-01-01T09:56:00.000Z', 7, 300)],
  };
  const metrics: Metric[] = ['throughput', 'errors', 'latency'];

  // Regression: in compare mode ECharts' legend (centred at the top, wrapping onto three rows on a
  // phone) was drawn over the axis names and the plot. The page draws the legend above the chart.
  it('draws no legend inside the chart: the grid keeps room for the axis names only, at any width', () => {
    for (const metric of metrics)
      for (const narrow of [false, true]) {
        const option = seriesOption(series, metric, previous, { narrow }) as { legend?: unknown; grid: { top: number }; yAxis: Array<{ name: string }> };
        expect(option.legend, `${metric} ${narrow ? 'narrow' : 'wide'}`).toBeUndefined();
        expect(option.grid.top).toBeLessThanOrEqual(32);
        expect(option.yAxis.map((a) => a.name).every(Boolean)).toBe(true);
      }
  });

  it("gives the page's legend one item per line drawn, in the chart's order and colours, dashed for the previous period", () => {
    for (const metric of metrics)
      for (const compare of [false, true]) {
        const lines = seriesOption(series, metric, compare ? previous : undefined).series as Array<
          Line & { type: string; color: string; lineStyle?: { type: string }; itemStyle?: { borderType?: string } }
        >;
        const legend = seriesLegend(metric, compare);
        expect(legend.map((l) => l.name)).toEqual(lines.map((l) => l.name));
        expect(legend.map((l) => l.color)).toEqual(lines.map((l) => l.color));
        expect(legend.map((l) => l.shape)).toEqual(lines.map((l) => l.type));
        expect(legend.map((l) => l.dashed)).toEqual(lines.map((l) => (l.lineStyle?.type ?? l.itemStyle?.borderType) === 'dashed'));
      }
  });

  it('leaves out the lines switched off in the legend, and only those', () => {
    const lines = seriesOption(series, 'throughput', previous, { hidden: ['records', 'traces (previous period)'] }).series as Line[];
    expect(lines.map((l) => l.name)).toEqual(['traces', 'records (previous period)']);
  });

  it('heads the tooltip with the bucket time written as everywhere in the UI, not as ECharts writes it', () => {
    const x = seriesOption(series, 'throughput').xAxis as {
      axisPointer: { label: { formatter: (p: { value: number }) => string } };
      axisLabel: { formatter: (v: number) => string };
    };
    const t = Date.parse('2026-01-01T10:01:00.000Z');
    expect(x.axisPointer.label.formatter({ value: t })).toBe(when(t));
    // A new day on the time axis reads "2 Jan", as dates do elsewhere, not ECharts' bare day number.
    expect(x.axisLabel.formatter(new Date(2026, 0, 2).getTime())).toBe('2 Jan');
  });

  // Regression: the latency chart's tooltip wrote ECharts' "2,561.34" where the page wrote "2.56 s", and on a
  // phone it could run past the screen's edge.
  it('writes latencies in the tooltip as every duration is, and keeps the tooltip inside the chart', () => {
    type Tip = { confine: boolean; valueFormatter?: (v: unknown) => string };
    const latency = seriesOption(series, 'latency').tooltip as Tip;
    expect(latency.confine).toBe(true);
    expect([2561.34, 0.834, null].map((v) => latency.valueFormatter!(v))).toEqual(['2.56 s', '834 µs', '–']);
    const throughput = seriesOption(series, 'throughput').tooltip as Tip;
    expect(throughput.confine).toBe(true);
    expect(throughput.valueFormatter).toBeUndefined();
  });
});

describe('flow series charts: the range and the period before', () => {
  type Drawn = { name: string; type: string; z: number; yAxisIndex: number; data: [number, number | null][]; lineStyle?: { type?: string } };
  const at = (iso: string) => Date.parse(iso);
  /** A range of 13 minutes with seconds, in 5-minute buckets: neither its start nor its length is on a 5-minute mark. */
  const range: FlowSeries = {
    ...series,
    since: '2026-01-01T10:03:27.000Z',
    until: '2026-01-01T10:16:27.000Z',
    step: '5m',
    points: [point('2026-01-01T10:03:00.000Z', 2, 100), point('2026-01-01T10:13:00.000Z', 4, 90)],
  };
  const before: FlowSeries = {
    ...range,
    since: '2026-01-01T09:50:27.000Z',
    until: '2026-01-01T10:03:27.000Z',
    points: [point('2026-01-01T09:50:00.000Z', 5, 300), point('2026-01-01T10:00:00.000Z', 1, 200)],
  };

  // Regression: in compare mode the axis began at the period before's first bucket, before `from`.
  it('spans the time axis over exactly the range chosen, with or without the period before', () => {
    for (const metric of ['throughput', 'errors', 'latency'] as const)
      for (const previous of [undefined, before]) {
        const x = seriesOption(range, metric, previous).xAxis as { min: number; max: number; containShape: boolean };
        expect([x.min, x.max], metric).toEqual([at(range.since), at(range.until)]);
        // Not widened to hold the records' bars at both ends.
        expect(x.containShape).toBe(false);
        // The first bucket (10:03, before 10:03:27) is drawn up to the axis, not filtered out with its traffic.
        const zoom = (seriesOption(range, metric, previous).toolbox as { feature: { dataZoom: { filterMode: string } } }).feature.dataZoom;
        expect(zoom.filterMode, metric).toBe('none');
      }
  });

  // Regression: 5-minute buckets were laid from the epoch, the first one (10:00) before the range's start.
  it("lays the buckets from the range's first minute, as the API does", () => {
    expect(filledBuckets(range).map((b) => new Date(b.t).toISOString().slice(11, 16))).toEqual(['10:03', '10:08', '10:13']);
  });

  // Regression: the dashed lines were laid on their own grid (from the epoch) and shifted by the length,
  // which for a range not a multiple of the step put them between this range's buckets, with zeros there.
  it("draws the previous period's minute t − L at t, on this range's buckets exactly, for a range of whole minutes", () => {
    const whole: FlowSeries = { ...range, since: '2026-01-01T10:03:00.000Z', until: '2026-01-01T10:16:00.000Z' };
    const prior: FlowSeries = { ...before, since: '2026-01-01T09:50:00.000Z', until: '2026-01-01T10:03:00.000Z' };
    const length = 13 * 60_000;
    const lines = seriesOption(whole, 'throughput', prior).series as Drawn[];
    const traces = lines.find((s) => s.name === 'traces')!;
    const dashed = lines.find((s) => s.name === 'traces (previous period)')!;
    expect(dashed.data.map(([t]) => t)).toEqual(traces.data.map(([t]) => t));
    expect(dashed.data).toEqual([
      [at('2026-01-01T09:50:00.000Z') + length, 5],
      [at('2026-01-01T09:55:00.000Z') + length, 0],
      [at('2026-01-01T10:00:00.000Z') + length, 1],
    ]);
    // Latency: where the period before ran nothing, a gap, not a zero.
    const p95 = (seriesOption(whole, 'latency', prior).series as Drawn[]).find((s) => s.name === 'p95 (previous period)')!;
    expect(p95.data.map(([, v]) => v)).toEqual([300, null, 200]);
  });

  // Regression: on a phone a tap on the chart showed only the previous period's value (ECharts listed the
  // series whose point was nearest the tap, and the dashed points sat 26 s off this range's).
  it("lists this range's value and the period before's for a bucket, in the tooltip, wherever the pointer snapped", () => {
    const whole: FlowSeries = {
      ...range,
      step: '1m',
      since: '2026-01-01T10:44:00.000Z',
      until: '2026-01-01T10:47:00.000Z',
      points: [point('2026-01-01T10:45:00.000Z', 30, 100)],
    };
    const prior: FlowSeries = {
      ...whole,
      since: '2026-01-01T10:41:00.000Z',
      until: '2026-01-01T10:44:00.000Z',
      points: [point('2026-01-01T10:42:00.000Z', 3, 50)],
    };
    const t = at('2026-01-01T10:45:00.000Z');
    expect(bucketTooltip(whole, 'throughput', prior, t)).toEqual([
      { name: 'traces', color: palette.throughput, dashed: false, value: 30 },
      { name: 'records', color: palette.records, dashed: false, value: 300 },
      { name: 'traces (previous period)', color: palette.throughput, dashed: true, value: 3 },
      { name: 'records (previous period)', color: palette.records, dashed: true, value: 30 },
    ]);
    expect(bucketTooltip(whole, 'latency', prior, at('2026-01-01T10:44:00.000Z'), ['p50', 'p50 (previous period)'])).toEqual([
      { name: 'p95', color: palette.p95, dashed: false, value: null },
      { name: 'p95 (previous period)', color: palette.p95, dashed: true, value: null },
    ]);
    // The chart's tooltip writes them all, even when ECharts hands it the previous period's point alone, a little off the bucket.
    const tip = seriesOption(whole, 'throughput', prior).tooltip as { formatter: (p: unknown) => string };
    const html = tip.formatter([{ seriesName: 'traces (previous period)', axisValue: t + 20_000, value: [t, 3] }]);
    expect(html).toContain(when(t));
    expect(html).toMatch(/traces: <b>30<\/b>/);
    expect(html).toMatch(/traces \(previous period\): <b>3<\/b>/);
    expect(html).toMatch(/records: <b>300<\/b>/);
  });

  it('shifts the period before by exactly the length of a range with seconds, and draws none of it outside its own buckets', () => {
    const shifted = shiftedPrevious(range, before);
    const length = at(range.until) - at(range.since);
    expect(shifted.map((b) => b.t - length)).toEqual(filledBuckets(before).map((b) => b.t));
    expect(shifted.map((b) => b.point?.traces ?? 0)).toEqual([5, 0, 1]);
  });

  // Regression: while a new range loaded, the period before the earlier range was shifted by the new length.
  it('draws no dashed line from an answer that is not the period just before this range, bucketed alike', () => {
    expect(isPeriodBefore(range, before)).toBe(true);
    const others: FlowSeries[] = [
      { ...before, since: '2026-01-01T09:40:27.000Z' },
      { ...before, since: '2026-01-01T09:49:27.000Z', until: '2026-01-01T10:02:27.000Z' },
      { ...before, step: '1m' },
    ];
    for (const other of others) {
      expect(isPeriodBefore(range, other)).toBe(false);
      const names = (seriesOption(range, 'throughput', other).series as Drawn[]).map((s) => s.name);
      expect(names).toEqual(['traces', 'records']);
    }
  });

  // Regression: every trace moving 2 records drew the records line, on its own axis, exactly over the traces
  // line (and the previous period's records over its traces).
  it('draws records as bars under the traces line, each on its own axis written in its colour', () => {
    const option = seriesOption(range, 'throughput', before) as {
      series: Drawn[];
      yAxis: Array<{ name: string; position: string; nameTextStyle: { color?: string }; axisLabel?: { color?: string } }>;
    };
    const [traces, records] = option.series;
    expect([traces.name, traces.type, traces.yAxisIndex]).toEqual(['traces', 'line', 0]);
    expect([records.name, records.type, records.yAxisIndex]).toEqual(['records', 'bar', 1]);
    expect(traces.z).toBeGreaterThan(records.z);
    // The previous period's records on this period's bars, not beside them (beside, the first fell off the axis).
    for (const bar of option.series.filter((s) => s.type === 'bar')) expect((bar as Drawn & { barGap?: string }).barGap, bar.name).toBe('-100%');
    for (const dashed of option.series.filter((s) => s.lineStyle?.type === 'dashed')) expect(traces.z).toBeGreaterThan(dashed.z);
    // Of the previous period, only the traces are a line: its records are bars beside this period's.
    expect(option.series.filter((s) => s.type === 'line').map((s) => s.name)).toEqual(['traces', 'traces (previous period)']);
    expect(option.yAxis.map((a) => [a.name, a.position, a.nameTextStyle.color, a.axisLabel?.color])).toEqual([
      ['traces', 'left', palette.throughput, palette.throughput],
      ['records', 'right', palette.records, palette.records],
    ]);
    expect(seriesLegend('throughput', true).map((l) => [l.name, l.shape, l.axis])).toEqual([
      ['traces', 'line', 'left'],
      ['records', 'bar', 'right'],
      ['traces (previous period)', 'line', 'left'],
      ['records (previous period)', 'bar', 'right'],
    ]);
  });
});
