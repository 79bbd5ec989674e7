import type { Graph, GraphEdge, GraphNode } from '../api/types.ts';
import type { ChartOption } from './echarts.ts';
import { palette } from './palette.ts';

export type Selection = { type: 'node'; node: GraphNode } | { type: 'edge'; edge: GraphEdge };

const retired = (lifecycle: string) => lifecycle === 'deprecated' || lifecycle === 'retired';

function nodeStyle(n: GraphNode) {
  if (!n.documented) return { category: 1, symbol: 'diamond' };
  if (retired(n.lifecycle)) return { category: 2, symbol: 'circle' };
  return { category: 0, symbol: 'circle' };
}

function edgeStyle(e: GraphEdge) {
  if (e.mark === 'undocumented') return { color: palette.undocumented, type: 'dashed' as const, width: 2.5 };
  if (e.mark === 'deprecated') return { color: palette.deprecated, type: 'dotted' as const, width: 2.5 };
  if (!e.observed) return { color: palette.unobserved, type: 'dashed' as const, width: 1 };
  return { color: palette.documented, type: 'solid' as const, width: 1.5 };
}

/** The dependency graph as an ECharts option: systems as nodes (unknown ones as red diamonds), flows as arrows. */
export function graphOption(graph: Graph): ChartOption {
  const most = Math.max(1, ...graph.nodes.map((n) => n.connections));
  return {
    animationDuration: 300,
    tooltip: {
      confine: true,
      formatter: (p: { dataType: string; data: { name?: string; tip?: string } }) => p.data.tip ?? p.data.name ?? '',
    },
    legend: [{ data: ['System', 'Unknown system', 'Deprecated system'], bottom: 0, selectedMode: false }],
    series: [
      {
        type: 'graph',
        layout: 'force',
        roam: true,
        draggable: true,
        force: { repulsion: 420, edgeLength: [90, 190], gravity: 0.08, layoutAnimation: true },
        categories: [
          { name: 'System', itemStyle: { color: palette.system } },
          { name: 'Unknown system', symbol: 'diamond', itemStyle: { color: palette.unknown } },
          { name: 'Deprecated system', itemStyle: { color: palette.deprecated } },
        ],
        top: 24,
        bottom: 48,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 9,
        label: { show: true, position: 'bottom', fontSize: 12, color: '#1c2833' },
        emphasis: { focus: 'adjacency', lineStyle: { width: 4 } },
        lineStyle: { curveness: 0.18, opacity: 0.9 },
        data: graph.nodes.map((n) => ({
          id: n.id,
          name: n.label,
          value: n.connections,
          symbolSize: 18 + 22 * (n.connections / most),
          ...nodeStyle(n),
          tip: `<b>${escapeHtml(n.label)}</b><br/>${escapeHtml(n.documented ? `${n.kind}, owner ${n.owner ?? 'none'}` : 'not in the catalog')}<br/>${n.connections} connection(s)`,
        })),
        links: graph.edges.map((e) => ({
          id: e.id,
          source: e.source,
          target: e.target,
          lineStyle: edgeStyle(e),
          tip: `${escapeHtml(e.source)} → ${escapeHtml(e.target)}<br/>${e.mark}${e.observed ? '' : ', not observed'} · ${escapeHtml(e.domain || 'no domain')}<br/>${e.traces} traces`,
        })),
      },
    ],
  };
}

/** Which node or edge an ECharts click on the graph hit. */
export function selectionOf(graph: Graph, dataType: string, id: string): Selection | undefined {
  if (dataType === 'node') {
    const node = graph.nodes.find((n) => n.id === id);
    return node && { type: 'node', node };
  }
  if (dataType === 'edge') {
    const edge = graph.edges.find((e) => e.id === id);
    return edge && { type: 'edge', edge };
  }
  return undefined;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
