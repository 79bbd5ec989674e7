// Giving a chart a new option without losing the drag-to-zoom a person may be in the middle of.
import { echarts, type ChartOption } from './echarts.ts';

type Chart = ReturnType<typeof echarts.init>;

/**
 * Shows `next` on `chart`, which showed `previous` (undefined: nothing yet), as a whole new option:
 * no component of `previous` is kept (its series, axes, grid, tooltip), except the toolbox when both
 * have one; top-level settings (`animation`, colours) `next` leaves out are kept, as ECharts merges them.
 *
 * The toolbox carries drag-to-zoom (see series-option.ts). `setOption(next, { notMerge: true })`
 * created a new toolbox on every update, and ECharts (6.1) never disposes the old one's drag handler
 * (ToolboxView.dispose walks its features' HashMap as a plain object): each update left one more live
 * handler on the chart, and one drag then zoomed once per update the chart had had, each but the first
 * into a window already zoomed. Kept, the toolbox's one handler also finishes a drag that began before
 * the update (a refresh arriving mid-drag), on the axis now shown.
 *
 * The zoom window a drag selected is reset: each option states its whole time range, and the page
 * shows a selected range by setting a new option, never by ECharts' own zoom. The reset's `datazoom`
 * event has no `batch` (nothing a person selected).
 */
export function setChartOption(chart: Chart, next: ChartOption, previous: ChartOption | undefined): void {
  if (!next.toolbox || !previous?.toolbox) {
    chart.setOption(next, { notMerge: true });
    return;
  }
  // Every kind of component either option has is replaced by next's (none of a kind: removed), but the toolbox.
  const kinds = new Set([...Object.keys(previous), ...Object.keys(next)].filter((k) => k !== 'toolbox' && echarts.ComponentModel.hasClass(k)));
  chart.setOption(next, { replaceMerge: [...kinds] });
  chart.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
}
