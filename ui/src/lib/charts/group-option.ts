import type { Graph } from '../api/types.ts';
import type { ChartOption } from './echarts.ts';
import type { GroupedGraph, GroupLink, SystemGroup } from './graph-groups.ts';
import { escapeHtml, flowLink, fmt, healthLine, systemItem, tooltipOf, windowHours } from './graph-option.ts';
import type { HealthIndex } from './graph-view.ts';
import { groupLayout, groupSymbolSize } from './group-layout.ts';
import { palette, severityColor } from './palette.ts';

/** Past this many systems drawn on their own, only the focused, unhealthy and best connected ones are labelled. */
const LABEL_ALL_BELOW = 60;

const plural = (n: number, what: string) => `${fmt.format(n)} ${what}${n === 1 ? '' : 's'}`;

function groupItem(g: SystemGroup, by: GroupedGraph['by'], largest: number, at: { x: number; y: number } | undefined) {
  const unknown = g.key === '(unknown systems)';
  const h = g.health;
  return {
    ...(at ? { x: at.x, y: at.y } : {}),
    id: g.id,
    name: g.key,
    value: g.members.length,
    category: 3,
    symbol: 'roundRect',
    symbolSize: groupSymbolSize(g, largest),
    itemStyle: { color: unknown ? palette.unknown : palette.group, ...(h ? { borderColor: severityColor[h.severity], borderWidth: 4 } : {}) },
    label: { show: true, formatter: `${g.key} (${g.members.length})`, fontWeight: 'bold' },
    health: h?.severity ?? null,
    tip: () =>
      `<b>${escapeHtml(g.key)}</b><br/>${plural(g.members.length, 'system')}${by === 'owner' && !g.key.startsWith('(') ? ' owned by this team' : ''}, ${plural(g.internal.length, 'flow')} between them<br/>click to draw its systems${healthLine(h)}`,
  };
}

function groupLink(l: GroupLink, name: (id: string) => string, hours: number) {
  const h = l.health;
  return {
    id: l.id,
    source: l.source,
    target: l.target,
    // Arrows on the lines that matter (an arrow is one more shape to draw, hundreds of lines are faint): both ways, one at each end.
    symbol: !h ? ['none', 'none'] : l.backward > 0 ? ['arrow', 'arrow'] : ['none', 'arrow'],
    lineStyle: h
      ? { color: severityColor[h.severity], width: h.severity === 'critical' || h.severity === 'high' ? 3.5 : 2.5, opacity: 0.9, curveness: 0.08 }
      : { color: palette.documented, width: Math.min(6, 0.8 + Math.log2(l.flows.length)), opacity: 0.3, curveness: 0.08 },
    health: h?.severity ?? null,
    label: h ? { show: true, formatter: h.kind, fontSize: 10, color: severityColor[h.severity] } : { show: false },
    tip: () => {
      const traces = l.flows.reduce((s, e) => s + e.traces, 0);
      const undocumented = l.flows.filter((e) => e.mark === 'undocumented').length;
      return (
        `${escapeHtml(name(l.source))} → ${escapeHtml(name(l.target))}: ${plural(l.forward, 'flow')}` +
        (l.backward ? `<br/>${escapeHtml(name(l.target))} → ${escapeHtml(name(l.source))}: ${plural(l.backward, 'flow')}` : '') +
        `<br/>${undocumented ? `${fmt.format(undocumented)} undocumented · ` : ''}${fmt.format(traces / hours)} traces/h${healthLine(h)}`
      );
    },
  };
}

export interface GroupedOptionSettings {
  health?: HealthIndex;
  /** The focused system: drawn larger and always labelled. */
  focus?: string;
}

/**
 * The dependency graph drawn grouped (groupGraph) as an ECharts option: groups as rounded squares
 * sized by their systems and rimmed with their worst open finding, systems drawn on their own as
 * on the ungrouped graph, one line per pair of groups (wider for more flows, faint unless a flow on
 * it has an open finding, then coloured and labelled with its kind). Placed by groupLayout, no
 * simulation and no animation.
 */
export function groupedOption(graph: Graph, grouped: GroupedGraph, settings: GroupedOptionSettings = {}): ChartOption {
  const positions = groupLayout(grouped, settings.focus);
  const largest = Math.max(1, ...grouped.groups.map((g) => g.members.length));
  const most = Math.max(1, ...grouped.systems.map((n) => n.connections));
  const hours = windowHours(graph);
  const names = new Map<string, string>([...grouped.groups.map((g) => [g.id, g.key] as const), ...grouped.systems.map((n) => [n.id, n.label] as const)]);
  const few = grouped.systems.length < LABEL_ALL_BELOW;
  return {
    animation: false,
    tooltip: {
      confine: true,
      formatter: tooltipOf,
    },
    legend: [{ data: ['System', 'Unknown system', 'Deprecated system', 'Group of systems'], bottom: 0, selectedMode: false }],
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        draggable: true,
        categories: [
          { name: 'System', itemStyle: { color: palette.system } },
          { name: 'Unknown system', symbol: 'diamond', itemStyle: { color: palette.unknown } },
          { name: 'Deprecated system', itemStyle: { color: palette.deprecated } },
          { name: 'Group of systems', symbol: 'roundRect', itemStyle: { color: palette.group } },
        ],
        // Room for the labels of the systems at the edges.
        top: 24,
        bottom: 48,
        left: 72,
        right: 72,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 8,
        label: { show: true, position: 'bottom', fontSize: 12, color: '#1c2833' },
        emphasis: { focus: 'adjacency', lineStyle: { width: 4 } },
        lineStyle: { curveness: 0.18, opacity: 0.9 },
        data: [
          ...grouped.groups.map((g) => groupItem(g, grouped.by, largest, positions.get(g.id))),
          ...grouped.systems.map((n) => {
            const h = settings.health?.nodes.get(n.id);
            return systemItem(n, h, {
              at: positions.get(n.id),
              symbolSize: 10 + 16 * (n.connections / most) + (n.id === settings.focus ? 10 : 0),
              label: few || n.id === settings.focus || h !== undefined || n.connections >= most * 0.5,
            });
          }),
        ],
        links: [
          ...grouped.edges.map((e) => flowLink(e, settings.health?.edges.get(e.id), hours, false)),
          ...grouped.links.map((l) => groupLink(l, (id) => names.get(id) ?? id, hours)),
        ],
      },
    ],
  };
}
