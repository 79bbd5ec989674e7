/** The chart's drawing area in CSS px (the overview's graph canvas). */
export interface CanvasSize {
  width: number;
  height: number;
}

/** Where a node is drawn, in layout units before fitToCanvas and in canvas px after. */
export interface Point {
  x: number;
  y: number;
}

/**
 * What a drawn node occupies around its position: its symbol (`size` px across, centred on the
 * position) and, when it has one, its label centred below the symbol (ECharts' `position: 'bottom'`).
 */
export interface Footprint {
  id: string;
  /** Symbol diameter (px). */
  size: number;
  /** The label's text; undefined for a node drawn without a label. */
  label?: string;
  bold?: boolean;
  /** Which label is kept when two would overlap: the higher. */
  priority: number;
}

/** Label font size (px) and the height of its line box. */
export const LABEL_FONT = 12;
export const LABEL_LINE = 16;
/** ECharts' default distance between a symbol and its label (px). */
export const LABEL_GAP = 5;
/** Longer labels are cut with an ellipsis (ECharts `overflow: 'truncate'`); the tooltip names the node in full. */
export const LABEL_MAX_WIDTH = 150;

/**
 * A text's width in px at `font` px, overestimated (0.62 em a character, 0.68 em bold: the wide end of the
 * sans-serif fonts a browser picks) so that what is reserved for it is never less than what is drawn.
 */
export function textWidth(text: string, font: number, bold = false): number {
  return Math.ceil(text.length * font * (bold ? 0.68 : 0.62)) + 2;
}

/** A node label's width in px (textWidth at LABEL_FONT), at most LABEL_MAX_WIDTH: longer ones are cut. */
export function labelWidth(text: string, bold = false): number {
  return Math.min(LABEL_MAX_WIDTH, textWidth(text, LABEL_FONT, bold));
}

/** The label's style for ECharts: cut past LABEL_MAX_WIDTH, with a white halo that keeps it legible where lines cross it. */
export const labelStyle = { width: LABEL_MAX_WIDTH, overflow: 'truncate' as const, textBorderColor: '#fff', textBorderWidth: 2 };

interface Extent {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** How far a node's symbol and label reach from its position (px). */
function extent(f: Footprint): Extent {
  const r = f.size / 2;
  if (f.label === undefined) return { left: r, right: r, top: r, bottom: r };
  const half = labelWidth(f.label, f.bold) / 2;
  return { left: Math.max(r, half), right: Math.max(r, half), top: r, bottom: r + LABEL_GAP + LABEL_LINE };
}

/** One axis of a fit: where each node is, how far it reaches before and after that, the room it has (lo…hi). */
interface Axis {
  at: Float64Array;
  before: Float64Array;
  after: Float64Array;
  lo: number;
  hi: number;
}

function axis(at: number[], before: number[], after: number[], lo: number, hi: number): Axis {
  // A node wider than the canvas (a long label on a narrow phone) is fitted as if it just fitted: the scale stays above 0.
  const cap = Math.max(0, (hi - lo) / 2 - 1);
  const clamp = (v: number) => Math.min(v, cap);
  return { at: Float64Array.from(at), before: Float64Array.from(before, clamp), after: Float64Array.from(after, clamp), lo, hi };
}

/** The offsets at scale s that keep every node of the axis inside: from…to (empty when from > to). */
function room(a: Axis, s: number): { from: number; to: number } {
  let from = -Infinity;
  let to = Infinity;
  for (let i = 0; i < a.at.length; i++) {
    from = Math.max(from, a.lo + a.before[i] - s * a.at[i]);
    to = Math.min(to, a.hi - a.after[i] - s * a.at[i]);
  }
  return { from, to };
}

/** The largest scale ≤ max at which the axis fits (bisection; scale 0 always fits). */
function largestScale(a: Axis, max: number): number {
  const fits = (s: number) => {
    const r = room(a, s);
    return r.from <= r.to;
  };
  if (fits(max)) return max;
  let good = 0;
  let bad = max;
  for (let k = 0; k < 40; k++) {
    const mid = (good + bad) / 2;
    if (fits(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/**
 * Scales and moves a layout (one uniform scale, at most `maxScale`) so that every node's symbol and
 * label lie inside the canvas, `pad` px from its edges, as large as that allows, and centred; positions
 * come back in canvas px, with the scale used. Items without a position are left out. O(items · 40).
 */
export function fitToCanvas(
  items: readonly Footprint[],
  positions: ReadonlyMap<string, Point>,
  size: CanvasSize,
  { maxScale = 1, pad = 6 }: { maxScale?: number; pad?: number } = {},
): Map<string, Point> & { scale: number } {
  const placed = items.filter((f) => positions.has(f.id));
  const out = Object.assign(new Map<string, Point>(), { scale: 1 });
  if (placed.length === 0) return out;
  const ext = placed.map(extent);
  const ax = axis(
    placed.map((f) => positions.get(f.id)!.x),
    ext.map((e) => e.left),
    ext.map((e) => e.right),
    pad,
    size.width - pad,
  );
  const ay = axis(
    placed.map((f) => positions.get(f.id)!.y),
    ext.map((e) => e.top),
    ext.map((e) => e.bottom),
    pad,
    size.height - pad,
  );
  // One scale for both axes: a circle stays a circle, a group's spiral stays round.
  const s = Math.min(largestScale(ax, maxScale), largestScale(ay, maxScale));
  const rx = room(ax, s);
  const ry = room(ay, s);
  const ox = (rx.from + rx.to) / 2;
  const oy = (ry.from + ry.to) / 2;
  placed.forEach((f, i) => out.set(f.id, { x: s * ax.at[i] + ox, y: s * ay.at[i] + oy }));
  out.scale = s;
  return out;
}

/** Symbols are never drawn smaller than this share of their size. */
const MIN_SHRINK = 0.45;

/**
 * fitToCanvas, with the symbols drawn smaller (down to MIN_SHRINK of their size) by as much as the
 * layout had to be shrunk to fit: symbols are sized in px, so a layout drawn at a third of its size on
 * a phone kept full-size symbols on top of each other. Changes the footprints' sizes in place.
 */
export function fitShrinking(items: Footprint[], positions: ReadonlyMap<string, Point>, size: CanvasSize, options: { maxScale?: number; pad?: number } = {}) {
  const first = fitToCanvas(items, positions, size, options);
  const shrink = Math.max(MIN_SHRINK, Math.min(1, first.scale));
  if (shrink === 1) return first;
  for (const f of items) f.size *= shrink;
  return fitToCanvas(items, positions, size, options);
}

/** How far (px) around a label no other node's centre may lie. */
const COVER_MARGIN = 4;

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
const meets = (a: Rect, b: Rect) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** A node's label box in canvas px (centred below its symbol). */
export function labelRect(f: Footprint, at: Point): Rect {
  const half = labelWidth(f.label ?? '', f.bold) / 2;
  const y0 = at.y + f.size / 2 + LABEL_GAP;
  return { x0: at.x - half, y0, x1: at.x + half, y1: y0 + LABEL_LINE };
}

/**
 * The nodes whose labels are drawn: highest priority first, a label is kept when it stays inside the
 * canvas, overlaps no kept label and covers no other node's centre (it may graze a symbol's edge);
 * so labels never pile up, and the others show on hover. `always` (the focused system) is labelled
 * whatever it covers. Positions in canvas px (fitToCanvas). O(labels · (labels + nodes)).
 */
export function pickLabels(items: readonly Footprint[], positions: ReadonlyMap<string, Point>, size: CanvasSize, always?: string): Set<string> {
  const kept: Rect[] = [];
  const shown = new Set<string>();
  const order = items.filter((f) => f.label !== undefined && positions.has(f.id)).sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
  // With a margin of COVER_MARGIN: the drawn text (and its halo) reaches a little past the box reserved for it.
  const covers = (r: Rect, self: string) => {
    for (const [id, p] of positions)
      if (id !== self && p.x > r.x0 - COVER_MARGIN && p.x < r.x1 + COVER_MARGIN && p.y > r.y0 - COVER_MARGIN && p.y < r.y1 + COVER_MARGIN) return true;
    return false;
  };
  for (const f of order) {
    const r = labelRect(f, positions.get(f.id)!);
    if (f.id !== always) {
      if (r.x0 < 0 || r.y0 < 0 || r.x1 > size.width || r.y1 > size.height) continue;
      if (kept.some((k) => meets(k, r))) continue;
      if (covers(r, f.id)) continue;
    }
    kept.push(r);
    shown.add(f.id);
  }
  return shown;
}

/** A line's label candidate: its ends (node ids), its text, how much it matters (higher first) and how its line bows (ECharts `curveness`). */
export interface LineLabel {
  id: string;
  source: string;
  target: string;
  text: string;
  priority: number;
  curveness: number;
}

/** A line label's font size (px), as flowLink draws it. */
export const LINE_LABEL_FONT = 10;
/** How far (px) a drawn line label may lie from the box reserved for it: ECharts' `edgeLabel.distance` (5) and the text's halo. */
const LINE_LABEL_SLACK = 8;

/**
 * Where ECharts draws a line label (`position: 'middle'`): the middle of the quadratic curve between
 * the two nodes, whose control point is the ends' midpoint moved across the line by `curveness` × its
 * length (echarts/lib/chart/graph/simpleLayoutHelper.js), rotated along the line. As boxes in canvas
 * px: squares of the text's height laid along it, so a label on a diagonal line reserves the band it
 * covers, not the whole box around it (which hid labels that had room).
 */
export function lineLabelBoxes(from: Point, to: Point, text: string, curveness: number): Rect[] {
  const cx = (from.x + to.x) / 2 + 0.5 * curveness * (to.y - from.y);
  const cy = (from.y + to.y) / 2 + 0.5 * curveness * (from.x - to.x);
  // Not cut: ECharts draws a line label whole.
  const w = textWidth(text, LINE_LABEL_FONT);
  const h = LINE_LABEL_FONT + 4;
  const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  const [ux, uy] = [(to.x - from.x) / length, (to.y - from.y) / length];
  const steps = Math.max(1, Math.ceil(w / h));
  const boxes: Rect[] = [];
  for (let i = 0; i < steps; i++) {
    const along = -w / 2 + (w * (i + 0.5)) / steps;
    const [x, y] = [cx + ux * along, cy + uy * along];
    boxes.push({ x0: x - h / 2, y0: y - h / 2, x1: x + h / 2, y1: y + h / 2 });
  }
  return boxes;
}

/**
 * The lines whose labels are drawn: highest priority first, a label is kept when it stays inside the
 * canvas and meets no kept line label, no drawn node label (`nodeLabels`: ids whose labels pickLabels
 * kept) and no node's symbol; the others show on hover. ECharts' own `hideOverlap` does not reach
 * graph line labels, and traffic figures piled up between close systems. O(labels · (labels + nodes)).
 */
export function pickLineLabels(
  lines: readonly LineLabel[],
  nodes: readonly Footprint[],
  positions: ReadonlyMap<string, Point>,
  nodeLabels: ReadonlySet<string>,
  size: CanvasSize,
): Set<string> {
  const blocked: Rect[] = [];
  for (const f of nodes) {
    const at = positions.get(f.id);
    if (!at) continue;
    const r = f.size / 2 + COVER_MARGIN;
    blocked.push({ x0: at.x - r, y0: at.y - r, x1: at.x + r, y1: at.y + r });
    if (nodeLabels.has(f.id)) blocked.push(labelRect(f, at));
  }
  const shown = new Set<string>();
  const order = [...lines].sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
  for (const l of order) {
    const from = positions.get(l.source);
    const to = positions.get(l.target);
    if (!from || !to) continue;
    const boxes = lineLabelBoxes(from, to, l.text, l.curveness);
    // ECharts draws the text beside the line, `edgeLabel.distance` (5 px) off it, on either side: inside the canvas by that much more.
    const m = LINE_LABEL_SLACK;
    if (boxes.some((r) => r.x0 < m || r.y0 < m || r.x1 > size.width - m || r.y1 > size.height - m)) continue;
    if (boxes.some((r) => blocked.some((b) => meets(b, r)))) continue;
    blocked.push(...boxes);
    shown.add(l.id);
  }
  return shown;
}

/**
 * The graph series' box for positions already in canvas px: exactly their bounding box, so ECharts'
 * fit maps them onto themselves (scale 1). As percentages with `preserveAspect`, so a resized chart
 * scales the drawing evenly until the next layout.
 */
export function identityBox(positions: Iterable<Point>, size: CanvasSize) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of positions) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  if (!Number.isFinite(x0)) return { left: 0, top: 0, width: '100%', height: '100%', preserveAspect: true };
  // ECharts widens a zero-width box by 1 on each side: so does this box.
  if (x1 - x0 < 2) [x0, x1] = [(x0 + x1) / 2 - 1, (x0 + x1) / 2 + 1];
  if (y1 - y0 < 2) [y0, y1] = [(y0 + y1) / 2 - 1, (y0 + y1) / 2 + 1];
  const pct = (v: number, of: number) => `${((100 * v) / of).toFixed(4)}%`;
  return { left: pct(x0, size.width), top: pct(y0, size.height), width: pct(x1 - x0, size.width), height: pct(y1 - y0, size.height), preserveAspect: true };
}

/**
 * Stretches a layout along one axis (never squeezes: stretching only moves nodes apart) until it is as
 * wide for its height as the canvas's room for node centres (less a label's width across, a label's
 * height down): on a phone that is three times taller than wide, not the canvas's 1.6.
 */
export function stretchTo(positions: Map<string, Point>, size: CanvasSize): Map<string, Point> {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of positions.values()) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  const w = x1 - x0;
  const h = y1 - y0;
  if (!(w > 0 && h > 0)) return positions;
  const want = Math.max(40, size.width - LABEL_MAX_WIDTH) / Math.max(40, size.height - 3 * LABEL_LINE);
  const sx = Math.max(1, (want * h) / w);
  const sy = Math.max(1, w / want / h);
  for (const p of positions.values()) {
    p.x *= sx;
    p.y *= sy;
  }
  return positions;
}
