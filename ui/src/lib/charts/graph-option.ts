import type { Graph, GraphEdge, GraphNode } from '../api/types.ts';
import { count, duration } from '../format.ts';
import {
  fitShrinking,
  identityBox,
  LABEL_FONT,
  labelStyle,
  LINE_LABEL_FONT,
  pickLabels,
  pickLineLabels,
  stretchTo,
  type CanvasSize,
  type Footprint,
  type LineLabel,
  type Point,
} from './canvas-fit.ts';
import type { ChartOption } from './echarts.ts';
import { forceLayout } from './force-layout.ts';
import { groupKey, type GroupBy, type GroupedGraph, type GroupLink } from './graph-groups.ts';
import type { Health, HealthIndex } from './graph-view.ts';
import { palette, severityColor } from './palette.ts';

/** What a click on the graph selected: a system, a flow, a group of systems, or the line of flows between two groups. */
export type Selection =
  | { type: 'node'; node: GraphNode }
  | { type: 'edge'; edge: GraphEdge }
  | { type: 'group'; key: string; by: GroupBy; members: GraphNode[] }
  | { type: 'link'; link: GroupLink };

const retired = (lifecycle: string | null) => lifecycle === 'deprecated' || lifecycle === 'retired';

/** A system's category (0 system, 1 unknown, 2 deprecated) and symbol. */
export function nodeStyle(n: GraphNode) {
  if (!n.documented) return { category: 1, symbol: 'diamond' };
  if (retired(n.lifecycle)) return { category: 2, symbol: 'circle' };
  return { category: 0, symbol: 'circle' };
}

/** A flow's line: the colour of its worst open finding, else by its mark (documented, undocumented, deprecated, not observed). */
export function edgeStyle(e: GraphEdge, health: Health | undefined) {
  if (health) {
    const type = e.mark === 'undocumented' ? ('dashed' as const) : e.mark === 'deprecated' ? ('dotted' as const) : ('solid' as const);
    return { color: severityColor[health.severity], type, width: health.severity === 'critical' || health.severity === 'high' ? 3.5 : 2.5 };
  }
  if (e.mark === 'undocumented') return { color: palette.undocumented, type: 'dashed' as const, width: 2.5 };
  if (e.mark === 'deprecated') return { color: palette.deprecated, type: 'dotted' as const, width: 2.5 };
  if (!e.observed) return { color: palette.unobserved, type: 'dashed' as const, width: 1 };
  return { color: palette.documented, type: 'solid' as const, width: 1.5 };
}

/** Above this many systems the graph is laid out without animation and labels only what matters. */
export const LARGE_GRAPH = 120;

export interface GraphOptionSettings {
  /** Open findings per node and edge (healthIndex): colours, labels and tooltips. */
  health?: HealthIndex;
  /** The focused system: drawn larger and always labelled. */
  focus?: string;
  /** `force` (default: forceLayout; past LARGE_GRAPH systems placed by owner, clusterLayout) or `circular` (ECharts' circle, instant for any size). */
  layout?: 'force' | 'circular';
  /** The canvas the graph is drawn on (px): everything is placed inside it. Default DEFAULT_CANVAS. */
  size?: CanvasSize;
}

/**
 * Below this canvas width (px: a phone) lines carry no label (a finding's kind, traces per hour): they
 * piled onto the nodes. The line's colour still tells the finding's severity; a tap shows the rest.
 */
export const NARROW = 600;

/** Room (px) kept free at the canvas's edges: a line curving between two nodes near an edge, and its label, stay inside. */
export const EDGE_PAD = 14;

/** How far a line bows from straight (ECharts `lineStyle.curveness`): a→b and b→a bow to opposite sides. */
export const CURVENESS = 0.18;

/** The canvas assumed when its size is not known (the overview's graph on a desktop). */
export const DEFAULT_CANVAS: CanvasSize = { width: 1000, height: 560 };

const severityRank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 } as const;

/**
 * Whose label is kept when two would overlap: the focused system, then systems with a critical or high
 * open finding, then groups (GROUP_LABEL_PRIORITY), then the other unhealthy systems, worst first, then the best connected.
 */
export function labelPriority(n: GraphNode, h: Health | undefined, focus: string | undefined): number {
  const rank = h ? severityRank[h.severity] : -1;
  return (n.id === focus ? 1e10 : 0) + (rank >= 3 ? 1e9 * (rank - 2) : (rank + 1) * 1e7) + n.connections;
}
/** A group's label priority (plus its systems): above systems with medium or low findings, below critical and high ones. */
export const GROUP_LABEL_PRIORITY = 1e8;

/**
 * What every drawing of the graph shares: positions in canvas px (fitToCanvas) mapped onto themselves
 * (identityBox), labels below the nodes cut at LABEL_MAX_WIDTH and shown on hover when there was no
 * room for them, line labels that would overlap another hidden.
 */
export function graphSeriesBase(positions: ReadonlyMap<string, Point>, size: CanvasSize) {
  return {
    type: 'graph',
    layout: 'none',
    roam: true,
    draggable: true,
    ...identityBox(positions.values(), size),
    edgeSymbol: ['none', 'arrow'],
    label: { show: true, position: 'bottom', fontSize: LABEL_FONT, color: '#1c2833', ...labelStyle },
    emphasis: { focus: 'adjacency', lineStyle: { width: 4 }, label: { show: true }, edgeLabel: { show: true } },
    lineStyle: { curveness: CURVENESS, opacity: 0.9 },
    // A finding's kind on a line: hidden where it would overlap another line's (on hover it shows).
    labelLayout: (p: { dataType?: string }) => (p.dataType === 'edge' ? { hideOverlap: true } : {}),
  };
}

export const fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
/** The time a count is divided by to make a rate: the part of the window Weft observed. */
export interface RateSpan {
  /** Hours of the window Weft observed (at least a minute): the window's, or less when Weft started within it. */
  hours: number;
  /** That part in words ("12 min", "5.5 h") when it is shorter than the window, else null (the whole window). */
  observed: string | null;
}

const spanText = (ms: number) =>
  ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : ms < 48 * 3_600_000 ? `${fmt.format(ms / 3_600_000)} h` : `${fmt.format(ms / 86_400_000)} days`;

/**
 * The part of the graph's window a count is divided by for a rate: min(window, until − from), at least a minute,
 * where `from` is the earlier of `pairing.observingSince` (when Weft started observing; `until` is the answer's now)
 * and `firstSeen` (the start of the first run counted: a flow's `firstSeen`, or the earliest of the graph's edges when
 * not given). Divided by the whole window, the 12 minutes since a fresh start counted as 24 hours (18.9 traces/h where
 * the flow page read ~1,800/h); divided by the time since Weft started only, runs sent after they ran (a gateway's
 * backlog, history sent to a new installation), which are counted in the minutes they ran, made 12 runs of the
 * 12 minutes before Weft started, received in its first 90 s, 478 traces/h instead of 60. A window that cannot be read
 * counts as 24 hours.
 */
export function rateSpan(
  g: Pick<Graph, 'since' | 'until'> & { pairing?: { observingSince: string | null }; edges?: ReadonlyArray<{ firstSeen?: string | null }> },
  firstSeen?: string | null,
): RateSpan {
  const until = Date.parse(g.until);
  const windowMs = until - Date.parse(g.since);
  if (!Number.isFinite(windowMs) || windowMs <= 0) return { hours: 24, observed: null };
  const observing = g.pairing?.observingSince ? Date.parse(g.pairing.observingSince) : NaN;
  const firsts = firstSeen !== undefined ? [firstSeen] : (g.edges ?? []).map((e) => e.firstSeen);
  const first = Math.min(...firsts.map((t) => (t ? Date.parse(t) : NaN)).filter(Number.isFinite));
  const from = Number.isFinite(observing) ? Math.min(observing, first) : NaN;
  const observedMs = Number.isFinite(from) ? Math.max(60_000, Math.min(windowMs, until - from)) : windowMs;
  return { hours: observedMs / 3_600_000, observed: observedMs < windowMs ? spanText(observedMs) : null };
}

/** "1,800 traces/h", and when Weft observed only part of the window, over which part: "1,800 traces/h (over the 12 min observed)". */
export const rateText = (traces: number, span: RateSpan, unit = ' traces/h') =>
  `${fmt.format(traces / span.hours)}${unit}${span.observed ? ` (over the ${span.observed} observed)` : ''}`;
/**
 * The graph's tooltip: each node and link carries its tooltip as a function (`tip`), written on hover
 * only: writing all of them up front (numbers formatted, names escaped) took ~80 ms for 700 lines.
 */
export const tooltipOf = (p: { data: { name?: string; tip?: () => string } }) => p.data.tip?.() ?? p.data.name ?? '';

/**
 * The graph's tooltip setting, for a canvas `size.width` px wide. A hover shows it, and so does a click
 * or a tap: a touch screen has no hover, and there a tap on a system or a flow is how its name (whose
 * label may be hidden to keep labels apart), figures and findings are read. Its lines wrap to the
 * canvas's width less a margin (at most 420 px), and it stays inside the canvas: ECharts writes it on one
 * line by default, and on a phone a flow's figures or a finding's title ran off the screen.
 */
export const graphTooltip = (size: CanvasSize) => ({
  trigger: 'item',
  triggerOn: 'mousemove|click',
  confine: true,
  formatter: tooltipOf,
  extraCssText: `white-space: normal; overflow-wrap: anywhere; max-width: ${Math.max(160, Math.min(420, size.width - 24))}px;`,
});

/** A tooltip's line for open findings: count, worst severity, the first titles. */
export const healthLine = (h: Health | undefined) =>
  h
    ? `<br/><b style="color:${severityColor[h.severity]}">${count(h.count, 'open finding')}, worst ${h.severity}</b><br/>${h.titles.map(escapeHtml).join('<br/>')}`
    : '';

/** The figures a flow's tooltip shows: throughput per hour over the part of the window observed (`rateSpan`), p95, error rate, records. */
export function edgeFigures(e: GraphEdge, span: RateSpan): string {
  if (!e.observed) return 'not observed in this window';
  return `${rateText(e.traces, span)} · p95 ${e.p95Ms === null ? 'no data' : duration(e.p95Ms)} · ${fmt.format(e.errorRate * 100)}% errors · ${count(e.records, 'record')}`;
}

/**
 * The dependency graph as an ECharts option: systems as nodes (unknown ones as red diamonds), flows
 * as arrows; a node or flow with open findings takes the colour of the worst one and its arrow is
 * labelled with that finding's kind. Placed by forceLayout (past LARGE_GRAPH systems by owner,
 * clusterLayout), then fitted into the canvas with every node and label inside it; labels that would
 * overlap another label or node are shown on hover only (pickLabels). No animation: drawn once.
 */
export function graphOption(graph: Graph, settings: GraphOptionSettings = {}): ChartOption {
  const size = settings.size ?? DEFAULT_CANVAS;
  const most = Math.max(1, ...graph.nodes.map((n) => n.connections));
  const large = graph.nodes.length > LARGE_GRAPH;
  const circular = settings.layout === 'circular';
  const nodeHealth = (id: string) => settings.health?.nodes.get(id);
  const edgeHealth = (id: string) => settings.health?.edges.get(id);
  const symbolSize = (n: GraphNode) => (large ? 8 : 18) + (large ? 14 : 22) * (n.connections / most) + (n.id === settings.focus ? 10 : 0);
  const candidate = (n: GraphNode) => !large || n.id === settings.focus || nodeHealth(n.id) !== undefined || n.connections >= Math.max(3, most * 0.5);
  const footprints: Footprint[] = graph.nodes.map((n) => ({
    id: n.id,
    size: symbolSize(n),
    label: candidate(n) ? n.label : undefined,
    priority: labelPriority(n, nodeHealth(n.id), settings.focus),
  }));
  // A simulation costs O(systems²) a step: above LARGE_GRAPH systems they are placed by owner instead (clusterLayout).
  const laid = circular ? undefined : large ? stretchTo(clusterLayout(graph.nodes), size) : forceLayout(footprints, graph.edges, size);
  const positions = laid && fitShrinking(footprints, laid, size, { maxScale: large ? 2 : 1.2, pad: EDGE_PAD });
  const drawnSize = new Map(footprints.map((f) => [f.id, f.size]));
  const labelled = positions ? pickLabels(footprints, positions, size, settings.focus) : undefined;
  const categories = [
    { name: 'System', itemStyle: { color: palette.system } },
    { name: 'Unknown system', symbol: 'diamond', itemStyle: { color: palette.unknown } },
    { name: 'Deprecated system', itemStyle: { color: palette.deprecated } },
  ];
  const data = graph.nodes.map((n) =>
    systemItem(n, nodeHealth(n.id), { at: positions?.get(n.id), symbolSize: drawnSize.get(n.id)!, label: labelled ? labelled.has(n.id) : candidate(n) }),
  );
  // Traces per hour on every line of a small graph, where there is room for them (not on a phone).
  const traffic = !large && graph.edges.length <= 40 && size.width >= NARROW;
  const kindLabel = size.width >= NARROW;
  const lineLabels =
    positions && labelled
      ? pickLineLabels(
          graph.edges.flatMap(
            (e) => flowLineLabel(e, edgeHealth(e.id), flowLabelText(e, edgeHealth(e.id), rateSpan(graph, e.firstSeen), traffic, kindLabel)) ?? [],
          ),
          footprints,
          positions,
          labelled,
          size,
        )
      : undefined;
  const links = graph.edges.map((e) =>
    flowLink(e, edgeHealth(e.id), rateSpan(graph, e.firstSeen), traffic, kindLabel, lineLabels ? lineLabels.has(e.id) : undefined),
  );
  const tooltip = graphTooltip(size);
  if (!positions) {
    // ECharts' circle: inside the series' box, labels rotated outwards (room left for them all round).
    const base = graphSeriesBase(new Map(), size);
    return {
      animation: false,
      tooltip,
      series: [
        {
          ...base,
          layout: 'circular',
          circular: { rotateLabel: true },
          top: 72,
          bottom: 72,
          left: 96,
          right: 96,
          width: undefined,
          height: undefined,
          categories,
          edgeSymbolSize: 9,
          data,
          links,
        },
      ],
    };
  }
  return { animation: false, tooltip, series: [{ ...graphSeriesBase(positions, size), categories, edgeSymbolSize: 9, data, links }] };
}

/**
 * A system as an ECharts graph node: its category and symbol, the colour of its worst open finding
 * as a rim, a tooltip with its kind, owner, connections and findings. `at`: a fixed position.
 */
export function systemItem(n: GraphNode, h: Health | undefined, how: { at?: { x: number; y: number }; symbolSize: number; label: boolean }) {
  return {
    ...(how.at ? { x: how.at.x, y: how.at.y } : {}),
    id: n.id,
    name: n.label,
    value: n.connections,
    symbolSize: how.symbolSize,
    ...nodeStyle(n),
    ...(h ? { itemStyle: { borderColor: severityColor[h.severity], borderWidth: 4 } } : {}),
    label: { show: how.label },
    health: h?.severity ?? null,
    tip: () =>
      `<b>${escapeHtml(n.label)}</b><br/>${escapeHtml(n.documented ? `${n.kind}, owner ${n.owner ?? 'none'}` : 'not in the catalog')}<br/>${count(n.connections, 'connection')}${healthLine(h)}`,
  };
}

/** The label a flow's line carries when there is room: its worst open finding's kind (when `kindLabel`), else, when `traffic`, its traces per hour. */
export function flowLabelText(e: GraphEdge, h: Health | undefined, span: RateSpan, traffic: boolean, kindLabel = true): string | undefined {
  if (h) return kindLabel ? h.kind : undefined;
  return traffic && e.observed ? `${fmt.format(e.traces / span.hours)}/h` : undefined;
}

/**
 * A flow's line label candidate for pickLineLabels (undefined when it carries none): worst finding
 * first, then the busiest.
 */
export function flowLineLabel(e: GraphEdge, h: Health | undefined, text: string | undefined): LineLabel | undefined {
  if (text === undefined) return undefined;
  return { id: e.id, source: e.source, target: e.target, text, priority: (h ? 1e12 * (severityRank[h.severity] + 1) : 0) + e.traces, curveness: CURVENESS };
}

/**
 * A flow as an ECharts graph link: styled by edgeStyle, labelled with its worst open finding's kind
 * (or, when `traffic`, with its traces per hour; flowLabelText) unless `shown` says its label has no
 * room (pickLineLabels), a tooltip with its figures.
 */
export function flowLink(e: GraphEdge, h: Health | undefined, span: RateSpan, traffic: boolean, kindLabel = true, shown?: boolean) {
  const text = flowLabelText(e, h, span, traffic, kindLabel);
  const show = text !== undefined && shown !== false;
  return {
    id: e.id,
    source: e.source,
    target: e.target,
    lineStyle: edgeStyle(e, h),
    health: h?.severity ?? null,
    label: h
      ? { show, formatter: h.kind, fontSize: LINE_LABEL_FONT, color: severityColor[h.severity] }
      : { show, formatter: `${fmt.format(e.traces / span.hours)}/h`, fontSize: LINE_LABEL_FONT, color: '#5d6d7e' },
    tip: () =>
      `${escapeHtml(e.source)} → ${escapeHtml(e.target)}<br/>${e.mark} · ${escapeHtml(e.domain || 'no domain')}<br/>${edgeFigures(e, span)}${healthLine(h)}`,
  };
}

/**
 * What an ECharts click on the graph hit: a system or a flow, or (drawn grouped) a group — all its
 * systems, expanded or not — or the line between two groups.
 */
export function selectionOf(graph: Graph, dataType: string, id: string, grouped?: GroupedGraph): Selection | undefined {
  if (dataType === 'node' && grouped && id.startsWith('group:')) {
    const key = id.slice('group:'.length);
    return { type: 'group', key, by: grouped.by, members: graph.nodes.filter((n) => groupKey(n, grouped.by) === key) };
  }
  if (dataType === 'edge' && grouped && id.startsWith('link:')) {
    const link = grouped.links.find((l) => l.id === id);
    return link && { type: 'link', link };
  }
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

/**
 * Positions for a large graph without a simulation, O(systems): systems grouped by owner (unowned and
 * unknown systems in groups of their own), each group on a small circle with its most connected
 * systems nearest the centre, the groups on a large circle. Readable at a glance (a team's systems
 * sit together) and instant; the focus view of a few systems uses the force layout again.
 */
export function clusterLayout(nodes: readonly GraphNode[]): Map<string, { x: number; y: number }> {
  const groups = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    const key = n.documented ? (n.owner ?? '(no owner)') : '(unknown systems)';
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const ordered = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const out = new Map<string, { x: number; y: number }>();
  const ringRadius = 40 * Math.sqrt(nodes.length);
  ordered.forEach(([, members], g) => {
    const angle = (2 * Math.PI * g) / ordered.length;
    const cx = ordered.length === 1 ? 0 : ringRadius * Math.cos(angle);
    const cy = ordered.length === 1 ? 0 : ringRadius * Math.sin(angle);
    const sorted = [...members].sort((a, b) => b.connections - a.connections || a.id.localeCompare(b.id));
    sorted.forEach((n, i) => {
      // A sunflower spiral: even spacing inside the group whatever its size.
      const r = 14 * Math.sqrt(i);
      const a = i * 2.399963;
      out.set(n.id, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) });
    });
  });
  return out;
}
