import { describe, expect, it } from 'vitest';
import type { FlowSeries } from '../api/types.ts';
import { when } from '../format.ts';
import { filledBuckets, seriesLegend, seriesOption, type Metric } from './series-option.ts';

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
  it('fills every bucket of the window, so quiet minutes show as zero traffic', () => {
    const buckets = filledBuckets(series);
    expect(buckets.map((b) => new Date(b.t).toISOString().slice(11, 16))).toEqual(['10:00', '10:01', '10:02', '10:03', '10:04', '10:05']);
    const traces = (seriesOption(series, 'throughput').series as Line[]).find((s) => s.name === 'traces')!;
    expect(traces.data.map(([, v]) => v)).toEqual([0, 3, 0, 0, 1, 0]);
  });

  it('leaves latency gaps where nothing ran instead of drawing a fake zero', () => {
    const p95 = (seriesOption(series, 'latency').series as Line[]).find((s) => s.name === 'p95')!;
    expect(p95.data.map(([, v]) => v)).toEqual([null, 120, null, null, 80, null]);
  });

  // Regression: runs without a duration (OpenLineage without START) came back as 0 ms and drew a latency of zero.
  it('draws no latency for a bucket whose runs carry no duration (null), where it ran', () => {
    const lineage = { ...series, points: [{ ...point('2026-01-01T10:01:00.000Z', 3, 0), p50Ms: null, p95Ms: null, p99Ms: null }] };
    const p95 = (seriesOption(lineage, 'latency').series as Line[]).find((s) => s.name === 'p95')!;
    expect(p95.data.map(([, v]) => v)).toEqual([null, null, null, null, null, null]);
    const traces = (seriesOption(lineage, 'throughput').series as Line[]).find((s) => s.name === 'traces')!;
    expect(traces.data.map(([, v]) => v)).toEqual([0, 3, 0, 0, 0, 0]);
  });

  it('asks for fewer, shorter time labels that never overlap on a phone', () => {
    const axis = (narrow: boolean) =>
      seriesOption(series, 'throughput', undefined, { narrow }).xAxis as {
        splitNumber: number;
        axisLabel: { hideOverlap: boolean; formatter?: Record<string, string> };
      };
    expect(axis(false).axisLabel.hideOverlap).toBe(true);
    expect(axis(true).splitNumber).toBeLessThan(axis(false).splitNumber);
    expect(axis(true).axisLabel.formatter?.minute).toBe('{HH}:{mm}');
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
        const lines = seriesOption(series, metric, compare ? previous : undefined).series as Array<Line & { color: string; lineStyle?: { type: string } }>;
        const legend = seriesLegend(metric, compare);
        expect(legend.map((l) => l.name)).toEqual(lines.map((l) => l.name));
        expect(legend.map((l) => l.color)).toEqual(lines.map((l) => l.color));
        expect(legend.map((l) => l.dashed)).toEqual(lines.map((l) => l.lineStyle?.type === 'dashed'));
      }
  });

  it('leaves out the lines switched off in the legend, and only those', () => {
    const lines = seriesOption(series, 'throughput', previous, { hidden: ['records', 'traces (previous period)'] }).series as Line[];
    expect(lines.map((l) => l.name)).toEqual(['traces', 'records (previous period)']);
  });

  it('heads the tooltip with the bucket time written as everywhere in the UI, not as ECharts writes it', () => {
    const x = seriesOption(series, 'throughput').xAxis as {
      axisPointer: { label: { formatter: (p: { value: number }) => string } };
      axisLabel: { formatter: Record<string, string> };
    };
    const t = Date.parse('2026-01-01T10:01:00.000Z');
    expect(x.axisPointer.label.formatter({ value: t })).toBe(when(t));
    // A new day on the time axis reads "1 Jan", as dates do elsewhere, not ECharts' bare day number.
    expect(x.axisLabel.formatter.day).toBe('{d} {MMM}');
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
