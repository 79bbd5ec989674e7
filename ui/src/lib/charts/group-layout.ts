import type { GraphNode } from '../api/types.ts';
import { count } from '../format.ts';
import { LABEL_GAP, LABEL_LINE, LABEL_MAX_WIDTH, labelWidth, stretchTo, type CanvasSize } from './canvas-fit.ts';
import { UNKNOWN_KEY, type GroupedGraph, type SystemGroup } from './graph-groups.ts';

/** A group node's diameter (px): 18 for one system, 48 for the largest group. */
export function groupSymbolSize(g: SystemGroup, largest: number): number {
  return 18 + 30 * Math.sqrt(g.members.length / Math.max(1, largest));
}

/** A group node's label: `sales (12)`, or `55 unknown systems`. */
export function groupLabel(g: SystemGroup): string {
  return g.key === UNKNOWN_KEY ? count(g.members.length, 'unknown system') : `${g.key} (${g.members.length})`;
}

/** Distance between neighbouring systems drawn on their own around a group's place (layout units ≈ px). */
const SPACING = 44;
const GOLDEN = 2.399963;
/** Ids in code-unit order: a stable tie-break, without the cost of a locale's collation. */
const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Positions of a grouped graph, without ECharts' simulation: each group key gets a place (a disc as
 * large as what is drawn there), places connected by more flows are pulled together and discs never
 * overlap (a small deterministic simulation over the places, O(places² · 120)), then spread sideways; a group's node sits
 * at the centre of its place, its systems drawn on their own on a sunflower spiral around it, most
 * connected first; the focused system and its neighbours drawn on their own have a place of their
 * own at the centre; the places are spread to the canvas's shape. A group's systems start outside its
 * node and the label below it. Deterministic: the same graph is always drawn the same way.
 * Returns drawn id (a group's `group:<key>` or a system's id) → position (layout units ≈ px, for fitToCanvas).
 */
export function groupLayout(grouped: GroupedGraph, focus?: string, size: CanvasSize = { width: 1000, height: 560 }): Map<string, { x: number; y: number }> {
  const largest = Math.max(1, ...grouped.groups.map((g) => g.members.length));
  const places = new Map<string, { group?: SystemGroup; systems: GraphNode[]; r: number; offset: number; x: number; y: number }>();
  const place = (key: string) => {
    let p = places.get(key);
    if (!p) places.set(key, (p = { systems: [], r: 0, offset: 0, x: 0, y: 0 }));
    return p;
  };
  for (const g of grouped.groups) place(g.key).group = g;
  // The focused system has a place of its own, held at the centre, with its neighbours drawn on their own around it.
  const focusPlace = `\u0000focus`;
  const near = new Set(grouped.edges.flatMap((e) => (e.source === focus ? [e.target] : e.target === focus ? [e.source] : [])));
  const placeOf = (id: string) => (id === focus || near.has(id) ? focusPlace : (grouped.keyOf.get(id) ?? id));
  for (const n of grouped.systems) place(placeOf(n.id)).systems.push(n);
  for (const p of places.values()) {
    // Around the group's node and its label (centred below it): the farthest corner of that label.
    const half = p.group ? groupSymbolSize(p.group, largest) / 2 : 0;
    const inner = p.group ? Math.hypot(labelWidth(groupLabel(p.group), true) / 2, half + LABEL_GAP + LABEL_LINE) + 14 : 0;
    // The spiral starts outside the group's node (and its label).
    p.offset = Math.ceil((inner / SPACING) ** 2);
    p.r = Math.max(inner, SPACING * Math.sqrt(p.offset + p.systems.length)) + 16;
  }
  const ordered = [...places.entries()].sort((a, b) => Number(b[0] === focusPlace) - Number(a[0] === focusPlace) || b[1].r - a[1].r || byCode(a[0], b[0]));
  const pinned = ordered[0]?.[0] === focusPlace ? 0 : -1;
  const index = new Map(ordered.map(([key], i) => [key, i]));
  // Flat arrays: this runs before the first draw, often before the browser has optimised it.
  const count = ordered.length;
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  const r = Float64Array.from(ordered, ([, p]) => p.r);
  const spread = (1.2 * r.reduce((s, v) => s + v, 0)) / Math.max(1, count);
  // The canvas's shape (its room for node centres, as stretchTo reckons it): the places start on an ellipse
  // of that shape and are pulled in harder across its short side, so a phone gets a tall column of places
  // at a readable scale instead of a wide disc shrunk to fit (overlapping group nodes).
  const shape = Math.max(40, size.width - LABEL_MAX_WIDTH) / Math.max(40, size.height - 3 * LABEL_LINE);
  const [sx, sy] = [Math.min(1, Math.sqrt(shape)), Math.min(1, 1 / Math.sqrt(shape))];
  const [gx, gy] = [Math.max(1, 1 / shape), Math.max(1, shape)];
  for (let i = 0; i < count; i++) {
    x[i] = spread * Math.sqrt(i) * Math.cos(i * GOLDEN) * sx;
    y[i] = spread * Math.sqrt(i) * Math.sin(i * GOLDEN) * sy;
  }
  // Flows between places, summed per pair: the weights of the pull.
  const keyOfDrawn = (id: string) => (id.startsWith('group:') ? id.slice('group:'.length) : placeOf(id));
  const weights = new Map<number, number>();
  const add = (s: string, t: string, n: number) => {
    const a = index.get(keyOfDrawn(s));
    const b = index.get(keyOfDrawn(t));
    if (a === undefined || b === undefined || a === b) return;
    const k = a < b ? a * count + b : b * count + a;
    weights.set(k, (weights.get(k) ?? 0) + n);
  };
  for (const l of grouped.links) add(l.source, l.target, l.flows.length);
  for (const e of grouped.edges) add(e.source, e.target, 1);
  const pa = Int32Array.from(weights.keys(), (k) => Math.floor(k / count));
  const pb = Int32Array.from(weights.keys(), (k) => k % count);
  const pw = Float64Array.from(weights.values(), (w) => Math.min(1, Math.log2(1 + w) / 4));
  const steps = 120;
  for (let step = 0; step < steps; step++) {
    const heat = 1 - step / steps;
    for (let k = 0; k < pa.length; k++) {
      const a = pa[k];
      const b = pb[k];
      const dx = x[b] - x[a];
      const dy = y[b] - y[a];
      const d = Math.sqrt(dx * dx + dy * dy) || 1;
      const want = (r[a] + r[b]) * 1.3;
      if (d <= want) continue;
      const f = ((d - want) / d) * 0.02 * heat * pw[k];
      x[a] += dx * f;
      y[a] += dy * f;
      x[b] -= dx * f;
      y[b] -= dy * f;
    }
    for (let i = 0; i < count; i++) {
      x[i] *= 1 - Math.min(0.05, 0.01 * gx) * heat;
      y[i] *= 1 - Math.min(0.05, 0.01 * gy) * heat;
    }
    // Discs never overlap: pushed apart last, at full strength.
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        let dx = x[j] - x[i];
        let dy = y[j] - y[i];
        let d = Math.sqrt(dx * dx + dy * dy);
        if (d === 0) {
          dx = Math.cos(i + j);
          dy = Math.sin(i + j);
          d = 1;
        }
        const gap = r[i] + r[j] - d;
        if (gap <= 0) continue;
        // The pinned place does not move: the other takes the whole push.
        const pi = i === pinned ? 0 : j === pinned ? gap / d : gap / 2 / d;
        const pj = j === pinned ? 0 : i === pinned ? gap / d : gap / 2 / d;
        x[i] -= dx * pi;
        y[i] -= dy * pi;
        x[j] += dx * pj;
        y[j] += dy * pj;
      }
    }
    if (pinned === 0) x[0] = y[0] = 0;
  }
  // Spread the places to the canvas's shape (wider than tall on a desktop, taller on a phone): a stretch only moves discs apart.
  const centres = stretchTo(new Map(ordered.map(([key], i) => [key, { x: x[i], y: y[i] }])), size);
  const out = new Map<string, { x: number; y: number }>();
  ordered.forEach(([key, p]) => {
    p.x = centres.get(key)!.x;
    p.y = centres.get(key)!.y;
    if (p.group) out.set(p.group.id, { x: p.x, y: p.y });
    const sorted = [...p.systems].sort((a, b) => Number(b.id === focus) - Number(a.id === focus) || b.connections - a.connections || byCode(a.id, b.id));
    sorted.forEach((n, i) => {
      const k = i + p.offset;
      const d = SPACING * Math.sqrt(k);
      out.set(n.id, { x: p.x + d * Math.cos(k * GOLDEN), y: p.y + d * Math.sin(k * GOLDEN) });
    });
  });
  return out;
}
