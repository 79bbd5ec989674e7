import { describe, expect, it } from 'vitest';
import type { FlowSeries } from '../api/types.ts';
import { setChartOption } from './chart-update.ts';
import { echarts, type ChartOption } from './echarts.ts';
import { seriesOption } from './series-option.ts';

const hour = (traces: number): FlowSeries => ({
  flow: 'customer-sync',
  source: 'crm',
  target: 'erp',
  since: '2026-01-01T10:00:00.000Z',
  until: '2026-01-01T11:00:00.000Z',
  step: '1m',
  points: [{ t: '2026-01-01T10:20:00.000Z', traces, failedTraces: 0, records: traces * 10, p50Ms: 40, p95Ms: 80, p99Ms: 90 }],
});

/**
 * A flow chart as the page has it (EChart.svelte): drawn by `setChartOption`, drag-to-zoom switched on
 * after each option, and the ranges its drags selected (the `datazoom` events that carry one).
 */
function flowChart() {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 220 });
  let shown: ChartOption | undefined;
  const zooms: [number, number][] = [];
  chart.on('datazoom', (event) => {
    const b = (event as { batch?: { startValue?: number; endValue?: number }[] }).batch?.[0];
    if (typeof b?.startValue === 'number' && typeof b.endValue === 'number') zooms.push([b.startValue, b.endValue]);
  });
  const show = (option: ChartOption) => {
    setChartOption(chart, option, shown);
    shown = option;
    chart.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: true });
  };
  /** Presses at x0, moves in 8 steps to x1 (calling `midway` after the 4th), releases: pixels of the chart. */
  const drag = (x0: number, x1: number, midway?: () => void) => {
    const handler = chart.getZr().handler;
    const at = (x: number) => ({ offsetX: x, offsetY: 110, zrX: x, zrY: 110, event: { preventDefault() {} } });
    handler.trigger('mousedown', at(x0));
    for (let i = 1; i <= 8; i++) {
      handler.trigger('mousemove', at(x0 + ((x1 - x0) * i) / 8));
      if (i === 4) midway?.();
    }
    handler.trigger('mouseup', at(x1));
  };
  const timeAt = (x: number) => chart.convertFromPixel({ xAxisIndex: 0 }, x) as number;
  return { chart, zooms, show, drag, timeAt };
}

describe('a chart given a new option (setChartOption)', () => {
  // Regression: every option the flow page set (a refresh every 30 s, the period before arriving) left one
  // more drag handler on the chart; a drag then zoomed once for each, each but the first into a window
  // already zoomed: the page went to a narrower range than the one dragged across.
  it('zooms once, into the range dragged across, however many times its option was set before', () => {
    for (const updates of [0, 1, 2, 5]) {
      const c = flowChart();
      for (let i = 0; i <= updates; i++) c.show(seriesOption(hour(3 + i), 'throughput'));
      const [a, b] = [c.timeAt(200), c.timeAt(400)];
      c.drag(200, 400);
      expect(c.zooms.length, `${updates} updates`).toBe(1);
      expect(Math.abs(c.zooms[0][0] - a), `${updates} updates: start`).toBeLessThan(60_000);
      expect(Math.abs(c.zooms[0][1] - b), `${updates} updates: end`).toBeLessThan(60_000);
      c.chart.dispose();
    }
  });

  it('finishes a drag during which the option was set again (new data arriving), into the range dragged across', () => {
    for (const compare of [false, true]) {
      const c = flowChart();
      c.show(seriesOption(hour(3), 'throughput'));
      const [a, b] = [c.timeAt(150), c.timeAt(450)];
      const before: FlowSeries = { ...hour(1), since: '2026-01-01T09:00:00.000Z', until: '2026-01-01T10:00:00.000Z' };
      c.drag(150, 450, () => c.show(seriesOption(hour(4), 'throughput', compare ? before : undefined)));
      expect(c.zooms.length, `compare ${compare}`).toBe(1);
      expect(Math.abs(c.zooms[0][0] - a)).toBeLessThan(60_000);
      expect(Math.abs(c.zooms[0][1] - b)).toBeLessThan(60_000);
      c.chart.dispose();
    }
  });

  it('shows the whole range of each new option, not the window a drag selected on the one before', () => {
    const c = flowChart();
    c.show(seriesOption(hour(3), 'throughput'));
    c.drag(200, 400);
    const sixHours = { ...hour(3), since: '2026-01-01T05:00:00.000Z' };
    c.show(seriesOption(sixHours, 'throughput'));
    // The range's ends at the plot's edges (the grid's left and right: 56 and 64 px in from the chart's).
    const x = (iso: string) => c.chart.convertToPixel({ xAxisIndex: 0 }, Date.parse(iso)) as number;
    expect([x(sixHours.since), x(sixHours.until)]).toEqual([56, 600 - 64]);
    // And the next drag zooms within it.
    const [a, b] = [c.timeAt(100), c.timeAt(500)];
    c.drag(100, 500);
    expect(c.zooms.length).toBe(2);
    expect(Math.abs(c.zooms[1][0] - a)).toBeLessThan(60_000);
    expect(Math.abs(c.zooms[1][1] - b)).toBeLessThan(60_000);
    c.chart.dispose();
  });
});
