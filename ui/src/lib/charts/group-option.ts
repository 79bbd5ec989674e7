import type { Graph } from '../api/types.ts';
import { count } from '../format.ts';
import { fitShrinking, identityBox, pickLabels, pickLineLabels, type CanvasSize, type Footprint, type Point } from './canvas-fit.ts';
import type { ChartOption } from './echarts.ts';
import { forceLayout } from './force-layout.ts';
import { UNKNOWN_KEY, type GroupedGraph, type GroupLink, type SystemGroup } from './graph-groups.ts';
import {
  DEFAULT_CANVAS,
  EDGE_PAD,
  escapeHtml,
  flowLabelText,
  flowLineLabel,
  flowLink,
  fmt,
  graphSeriesBase,
  graphTooltip,
  GROUP_LABEL_PRIORITY,
  healthLine,
  labelPriority,
  NARROW,
  systemItem,
  rateSpan,
  rateText,
} from './graph-option.ts';
import type { HealthIndex } from './graph-view.ts';
import { groupLabel, groupLayout, groupSymbolSize } from './group-layout.ts';
import { palette, severityColor } from './palette.ts';

/** Past this many systems drawn on their own, only the focused, unhealthy and best connected ones are labelled. */
const LABEL_ALL_BELOW = 60;

function groupItem(g: SystemGroup, by: GroupedGraph['by'], symbolSize: number, at: Point | undefined, label: boolean) {
  const unknown = g.key === UNKNOWN_KEY;
  const h = g.health;
  return {
    ...(at ? { x: at.x, y: at.y } : {}),
    id: g.id,
    name: g.key,
    value: g.members.length,
    category: 3,
    symbol: 'roundRect',
    symbolSize,
    itemStyle: { color: unknown ? palette.unknown : palette.group, ...(h ? { borderColor: severityColor[h.severity], borderWidth: 4 } : {}) },
    label: { show: label, formatter: groupLabel(g), fontWeight: 'bold' },
    health: h?.severity ?? null,
    tip: () =>
      `<b>${escapeHtml(unknown ? groupLabel(g) : g.key)}</b><br/>${count(g.members.length, 'system')}${by === 'owner' && !g.key.startsWith('(') ? ' owned by this team' : unknown ? ' not in the catalog' : ''}, ${count(g.internal.length, 'flow')} between them<br/>click to draw its systems${healthLine(h)}`,
  };
}

/** How far a line between groups bows (ECharts `lineStyle.curveness`): less than a flow's, these lines are long. */
const GROUP_LINK_CURVENESS = 0.08;

function groupLink(l: GroupLink, name: (id: string) => string, graph: Graph, kindLabel: boolean) {
  const h = l.health;
  return {
    id: l.id,
    source: l.source,
    target: l.target,
    // Arrows on the lines that matter (an arrow is one more shape to draw, hundreds of lines are faint): both ways, one at each end.
    symbol: !h ? ['none', 'none'] : l.backward > 0 ? ['arrow', 'arrow'] : ['none', 'arrow'],
    lineStyle: h
      ? {
          color: severityColor[h.severity],
          width: h.severity === 'critical' || h.severity === 'high' ? 3.5 : 2.5,
          opacity: 0.9,
          curveness: GROUP_LINK_CURVENESS,
        }
      : { color: palette.documented, width: Math.min(6, 0.8 + Math.log2(l.flows.length)), opacity: 0.3, curveness: GROUP_LINK_CURVENESS },
    health: h?.severity ?? null,
    label: h ? { show: kindLabel, formatter: h.kind, fontSize: 10, color: severityColor[h.severity] } : { show: false },
    tip: () => {
      // Each flow's rate over its own counted part of the window (rateSpan), summed; the part stated is the longest.
      const span = rateSpan({ ...graph, edges: l.flows });
      const traces = l.flows.reduce((s, e) => s + (e.traces / rateSpan(graph, e.firstSeen).hours) * span.hours, 0);
      const undocumented = l.flows.filter((e) => e.mark === 'undocumented').length;
      return (
        `${escapeHtml(name(l.source))} → ${escapeHtml(name(l.target))}: ${count(l.forward, 'flow')}` +
        (l.backward ? `<br/>${escapeHtml(name(l.target))} → ${escapeHtml(name(l.source))}: ${count(l.backward, 'flow')}` : '') +
        `<br/>${undocumented ? `${fmt.format(undocumented)} undocumented · ` : ''}${rateText(traces, span)}${healthLine(h)}`
      );
    },
  };
}

export interface GroupedOptionSettings {
  health?: HealthIndex;
  /** The focused system: drawn larger and always labelled. */
  focus?: string;
  /** The canvas the graph is drawn on (px): everything is placed inside it. Default DEFAULT_CANVAS. */
  size?: CanvasSize;
}

/**
 * The dependency graph drawn grouped (groupGraph) as an ECharts option: groups as rounded squares
 * sized by their systems and rimmed with their worst open finding, systems drawn on their own as
 * on the ungrouped graph, one line per pair of groups (wider for more flows, faint unless a flow on
 * it has an open finding, then coloured and labelled with its kind). Placed by groupLayout (grouped
 * by owner or kind) or forceLayout (only the unknown systems grouped), then fitted into the canvas
 * with every node and label inside it; labels that would overlap another label or node are shown on
 * hover only (pickLabels; group labels first). No animation.
 */
export function groupedOption(graph: Graph, grouped: GroupedGraph, settings: GroupedOptionSettings = {}): ChartOption {
  const size = settings.size ?? DEFAULT_CANVAS;
  const largest = Math.max(1, ...grouped.groups.map((g) => g.members.length));
  const most = Math.max(1, ...grouped.systems.map((n) => n.connections));
  const names = new Map<string, string>([
    ...grouped.groups.map((g) => [g.id, groupLabel(g)] as const),
    ...grouped.systems.map((n) => [n.id, n.label] as const),
  ]);
  const few = grouped.systems.length < LABEL_ALL_BELOW;
  const nodeHealth = (id: string) => settings.health?.nodes.get(id);
  const systemSize = (id: string, connections: number) => 10 + 16 * (connections / most) + (id === settings.focus ? 10 : 0);
  const footprints: Footprint[] = [
    // Group labels before those of most systems: they are the map of the estate.
    ...grouped.groups.map((g) => ({
      id: g.id,
      size: groupSymbolSize(g, largest),
      label: groupLabel(g),
      bold: true,
      priority: GROUP_LABEL_PRIORITY + g.members.length,
    })),
    ...grouped.systems.map((n) => {
      const h = nodeHealth(n.id);
      const labelled = few || n.id === settings.focus || h !== undefined || n.connections >= most * 0.5;
      return { id: n.id, size: systemSize(n.id, n.connections), label: labelled ? n.label : undefined, priority: labelPriority(n, h, settings.focus) };
    }),
  ];
  const laid = grouped.by === 'unknown' ? forceLayout(footprints, [...grouped.edges, ...grouped.links], size) : groupLayout(grouped, settings.focus, size);
  const positions = fitShrinking(footprints, laid, size, { maxScale: grouped.by === 'unknown' ? 1.2 : 2, pad: EDGE_PAD });
  const drawnSize = new Map(footprints.map((f) => [f.id, f.size]));
  const labelled = pickLabels(footprints, positions, size, settings.focus);
  const edgeHealth = (id: string) => settings.health?.edges.get(id);
  const kindLabel = size.width >= NARROW;
  // Line labels (a finding's kind) where they fit, flows' and group links' alike; the others on hover.
  const lineLabels = pickLineLabels(
    [
      ...grouped.edges.flatMap(
        (e) => flowLineLabel(e, edgeHealth(e.id), flowLabelText(e, edgeHealth(e.id), rateSpan(graph, e.firstSeen), false, kindLabel)) ?? [],
      ),
      ...grouped.links.flatMap((l) =>
        l.health && kindLabel
          ? [{ id: l.id, source: l.source, target: l.target, text: l.health.kind, priority: l.flows.length, curveness: GROUP_LINK_CURVENESS }]
          : [],
      ),
    ],
    footprints,
    positions,
    labelled,
    size,
  );
  return {
    animation: false,
    tooltip: graphTooltip(size),
    series: [
      {
        ...graphSeriesBase(positions, size),
        categories: [
          { name: 'System', itemStyle: { color: palette.system } },
          { name: 'Unknown system', symbol: 'diamond', itemStyle: { color: palette.unknown } },
          { name: 'Deprecated system', itemStyle: { color: palette.deprecated } },
          { name: 'Group of systems', symbol: 'roundRect', itemStyle: { color: palette.group } },
        ],
        edgeSymbolSize: 8,
        data: [
          ...grouped.groups.map((g) => groupItem(g, grouped.by, drawnSize.get(g.id)!, positions.get(g.id), labelled.has(g.id))),
          ...grouped.systems.map((n) =>
            systemItem(n, nodeHealth(n.id), { at: positions.get(n.id), symbolSize: drawnSize.get(n.id)!, label: labelled.has(n.id) }),
          ),
        ],
        links: [
          ...grouped.edges.map((e) => flowLink(e, edgeHealth(e.id), rateSpan(graph, e.firstSeen), false, kindLabel, lineLabels.has(e.id))),
          ...grouped.links.map((l) => groupLink(l, (id) => names.get(id) ?? id, graph, kindLabel && lineLabels.has(l.id))),
        ],
      },
    ],
  };
}
