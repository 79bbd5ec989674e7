import { stretchTo, type CanvasSize, type Point } from './canvas-fit.ts';

/** A node to place: its id and its symbol's diameter (px). */
export interface ForceNode {
  id: string;
  size: number;
}

/** A line between two placed nodes (ids of ForceNodes; others are ignored). */
export interface ForceLink {
  source: string;
  target: string;
}

const GOLDEN = 2.399963;

/**
 * Positions for a graph of up to a few hundred drawn nodes, in px for a canvas of `size`: a
 * Fruchterman–Reingold simulation (every pair repels, k²/d; every line pulls, d²/k; a weak pull to
 * the centre keeps separate parts together; moves capped by a cooling temperature), with the
 * natural distance k chosen so the nodes share the canvas's area. Nodes start on a sunflower
 * spiral, best connected in the middle, and the simulation runs a fixed number of steps (`steps`, by
 * default 300 for a few dozen nodes down to 80 for a few hundred), so the same
 * graph is always drawn the same way (unlike ECharts' own force layout, which is random, animated
 * and lets leaves drift off the canvas). The result is stretched to the canvas's shape and is to be
 * passed through fitToCanvas. O(nodes² · steps), steps ≤ 600,000 / nodes².
 */
export function forceLayout(nodes: readonly ForceNode[], links: readonly ForceLink[], size: CanvasSize, steps?: number): Map<string, Point> {
  const n = nodes.length;
  // 300 steps for a few dozen nodes, fewer for more (at least 80): a focus view of 75 systems costs ~110 steps of 2,775 pairs.
  const rounds = steps ?? Math.round(Math.max(80, Math.min(300, 600_000 / (n * n || 1))));
  const out = new Map<string, Point>();
  if (n === 0) return out;
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const degree = new Float64Array(n);
  const pairs = new Set<number>();
  for (const l of links) {
    const a = index.get(l.source);
    const b = index.get(l.target);
    if (a === undefined || b === undefined || a === b) continue;
    pairs.add(a < b ? a * n + b : b * n + a);
  }
  const pa = Int32Array.from(pairs, (p) => Math.floor(p / n));
  const pb = Int32Array.from(pairs, (p) => p % n);
  for (let k = 0; k < pa.length; k++) (degree[pa[k]]++, degree[pb[k]]++);
  const r = Float64Array.from(nodes, (node) => node.size / 2);
  // Room for each node: the canvas's area shared out (less what labels and margins take), never closer than a label's width.
  const k = Math.max(56, Math.min(260, Math.sqrt((size.width * size.height * 0.5) / n)));
  const order = [...nodes.keys()].sort((a, b) => degree[b] - degree[a] || (nodes[a].id < nodes[b].id ? -1 : 1));
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  order.forEach((i, rank) => {
    const d = 0.5 * k * Math.sqrt(rank);
    x[i] = d * Math.cos(rank * GOLDEN);
    y[i] = d * Math.sin(rank * GOLDEN);
  });
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  const k2 = k * k;
  for (let step = 0; step < rounds; step++) {
    const heat = k * 0.6 * (1 - step / rounds) + 0.5;
    dx.fill(0);
    dy.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let ex = x[i] - x[j];
        let ey = y[i] - y[j];
        let d2 = ex * ex + ey * ey;
        if (d2 < 1e-6) {
          ex = Math.cos(i + j);
          ey = Math.sin(i + j);
          d2 = 1;
        }
        const d = Math.sqrt(d2);
        // Repulsion, stronger when two symbols would touch.
        const touch = r[i] + r[j] + 12;
        const f = (k2 / d + (d < touch ? (touch - d) * 4 : 0)) / d;
        dx[i] += ex * f;
        dy[i] += ey * f;
        dx[j] -= ex * f;
        dy[j] -= ey * f;
      }
    }
    for (let p = 0; p < pa.length; p++) {
      const a = pa[p];
      const b = pb[p];
      const ex = x[a] - x[b];
      const ey = y[a] - y[b];
      const d = Math.sqrt(ex * ex + ey * ey) || 1;
      const f = d / k;
      dx[a] -= ex * f;
      dy[a] -= ey * f;
      dx[b] += ex * f;
      dy[b] += ey * f;
    }
    for (let i = 0; i < n; i++) {
      dx[i] -= x[i] * 0.06;
      dy[i] -= y[i] * 0.06;
      const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
      if (d > 0) {
        const move = Math.min(d, heat) / d;
        x[i] += dx[i] * move;
        y[i] += dy[i] * move;
      }
    }
  }
  nodes.forEach((node, i) => out.set(node.id, { x: x[i], y: y[i] }));
  return stretchTo(out, size);
}
