import * as echarts from 'echarts';
import type { Chart } from '../model.ts';

/** Renders a chart server-side with ECharts' SVG renderer; returns the SVG text. */
export function chartToSvg(chart: Chart, width = 500): string {
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: chart.height ?? 200 });
  try {
    instance.setOption({ animation: false, textStyle: { fontFamily: 'Helvetica', fontSize: 9 }, ...chart.option });
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}
