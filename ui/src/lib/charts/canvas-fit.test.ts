import { describe, expect, it } from 'vitest';
import {
  fitToCanvas,
  identityBox,
  LABEL_GAP,
  LABEL_LINE,
  LABEL_MAX_WIDTH,
  labelRect,
  labelWidth,
  lineLabelBoxes,
  pickLabels,
  pickLineLabels,
  stretchTo,
  type Footprint,
  type LineLabel,
  type Point,
} from './canvas-fit.ts';
import { forceLayout } from './force-layout.ts';

const phone = { width: 325, height: 560 };
const desktop = { width: 885, height: 560 };

/** Every footprint's symbol and label inside the canvas (px). */
function expectInside(items: Footprint[], at: Map<string, Point>, size: { width: number; height: number }) {
  for (const f of items) {
    const p = at.get(f.id)!;
    expect(p.x - f.size / 2, f.id).toBeGreaterThanOrEqual(0);
    expect(p.y - f.size / 2, f.id).toBeGreaterThanOrEqual(0);
    expect(p.x + f.size / 2, f.id).toBeLessThanOrEqual(size.width);
    expect(p.y + f.size / 2 + (f.label ? LABEL_GAP + LABEL_LINE : 0), f.id).toBeLessThanOrEqual(size.height);
    if (f.label) {
      const r = labelRect(f, p);
      expect(r.x0, f.id).toBeGreaterThanOrEqual(0);
      expect(r.x1, f.id).toBeLessThanOrEqual(size.width);
    }
  }
}

describe('fitting a layout into the canvas', () => {
  const items: Footprint[] = [
    { id: 'a', size: 20, label: 'contacts.growthhub.example', priority: 1 },
    { id: 'b', size: 40, label: 'ERP', priority: 2 },
    { id: 'c', size: 10, priority: 0 },
  ];

  it('keeps every symbol and label inside, whatever the layout units (a leaf far off the rest, a phone or a desktop)', () => {
    const far = new Map([
      ['a', { x: 5000, y: -300 }],
      ['b', { x: 0, y: 0 }],
      ['c', { x: 10, y: 12 }],
    ]);
    for (const size of [phone, desktop]) expectInside(items, fitToCanvas(items, far, size), size);
  });

  it('uses one scale for both axes and never more than maxScale', () => {
    const square = new Map([
      ['a', { x: 0, y: 0 }],
      ['b', { x: 100, y: 0 }],
      ['c', { x: 0, y: 100 }],
    ]);
    const at = fitToCanvas(items, square, desktop, { maxScale: 1 });
    expect(at.get('b')!.x - at.get('a')!.x).toBeCloseTo(100);
    expect(at.get('c')!.y - at.get('a')!.y).toBeCloseTo(100);
    const small = fitToCanvas(items, square, { width: 200, height: 400 }, { maxScale: 3 });
    expect(small.get('b')!.x - small.get('a')!.x).toBeCloseTo(small.get('c')!.y - small.get('a')!.y);
  });

  it('overestimates label widths and cuts them at LABEL_MAX_WIDTH', () => {
    expect(labelWidth('ERP')).toBeGreaterThan(3 * 7);
    expect(labelWidth('ERP', true)).toBeGreaterThan(labelWidth('ERP'));
    expect(labelWidth('x'.repeat(80))).toBe(LABEL_MAX_WIDTH);
  });

  it('maps positions in canvas px onto themselves (the series box is their bounding box, aspect kept)', () => {
    const box = identityBox(
      [
        { x: 100, y: 56 },
        { x: 542.5, y: 504 },
      ],
      desktop,
    );
    expect(box).toMatchObject({ left: '11.2994%', top: '10.0000%', width: '50.0000%', height: '80.0000%', preserveAspect: true });
    // One node: a 2 px box around it, as ECharts widens it.
    expect(identityBox([{ x: 100, y: 100 }], desktop)).toMatchObject({ width: `${(200 / 885).toFixed(4)}%` });
  });

  it('stretches a layout to the room a canvas leaves for node centres, never squeezing it', () => {
    const p = () =>
      new Map([
        ['a', { x: 0, y: 0 }],
        ['b', { x: 100, y: 100 }],
      ]);
    const tall = stretchTo(p(), phone);
    expect(tall.get('b')!.y / tall.get('b')!.x).toBeGreaterThan(2);
    expect(tall.get('b')!.x).toBe(100);
    const wide = stretchTo(p(), desktop);
    expect(wide.get('b')!.x / wide.get('b')!.y).toBeGreaterThan(1.3);
    expect(wide.get('b')!.y).toBe(100);
  });
});

describe('choosing labels', () => {
  it('keeps the higher priority of two overlapping labels, never a label over another node, always the focused one', () => {
    const items: Footprint[] = [
      { id: 'a', size: 10, label: 'Billing platform', priority: 10 },
      { id: 'b', size: 10, label: 'Central ERP', priority: 5 },
      { id: 'c', size: 10, label: 'Warehouse', priority: 8 },
      { id: 'd', size: 10, label: 'Shop', priority: 1 },
      { id: 'e', size: 10, label: 'Edge of the canvas', priority: 0 },
    ];
    const at = new Map([
      // a and b side by side: their labels overlap, a's is kept.
      ['a', { x: 200, y: 100 }],
      ['b', { x: 230, y: 100 }],
      // d just below c: c's label would lie over d, so only d's is drawn.
      ['c', { x: 500, y: 100 }],
      ['d', { x: 500, y: 120 }],
      ['e', { x: 795, y: 400 }],
    ]);
    const size = { width: 800, height: 500 };
    expect([...pickLabels(items, at, size)].sort()).toEqual(['a', 'd']);
    expect([...pickLabels(items, at, size, 'c')].sort()).toEqual(['a', 'c', 'd']);
  });

  it('leaves no two labels overlapping, sixty hosts around one hub on a phone', () => {
    const items: Footprint[] = [
      { id: 'crm', size: 40, label: 'CRM', priority: 100 },
      ...Array.from({ length: 60 }, (_, i) => ({ id: `h${i}`, size: 12, label: `host-${i}.example`, priority: 1 })),
    ];
    const links = items.slice(1).map((f) => ({ source: 'crm', target: f.id }));
    const at = fitToCanvas(items, forceLayout(items, links, phone), phone);
    expectInside(items, at, phone);
    const shown = [...pickLabels(items, at, phone)].map((id) =>
      labelRect(
        items.find((f) => f.id === id)!,
        at.get(id)!,
      ),
    );
    expect(shown.length).toBeGreaterThan(5);
    for (let i = 0; i < shown.length; i++)
      for (let j = i + 1; j < shown.length; j++) {
        const a = shown[i];
        const b = shown[j];
        expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1).toBe(false);
      }
  });
});

describe('force layout', () => {
  const nodes = Array.from({ length: 14 }, (_, i) => ({ id: `n${i}`, size: 20, priority: 0 }));
  const links = nodes.slice(1).map((n, i) => ({ source: `n${i % 4}`, target: n.id }));

  it('is deterministic: the same graph is drawn the same way', () => {
    expect([...forceLayout(nodes, links, desktop)]).toEqual([...forceLayout(nodes, links, desktop)]);
  });

  it('keeps symbols apart and linked nodes nearer than unlinked ones', () => {
    const at = fitToCanvas(nodes, forceLayout(nodes, links, desktop), desktop);
    const d = (a: string, b: string) => Math.hypot(at.get(a)!.x - at.get(b)!.x, at.get(a)!.y - at.get(b)!.y);
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) expect(d(`n${i}`, `n${j}`)).toBeGreaterThan(20);
    const linked = links.map((l) => d(l.source, l.target));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const all = nodes.flatMap((a, i) => nodes.slice(i + 1).map((b) => d(a.id, b.id)));
    expect(mean(linked)).toBeLessThan(mean(all));
  });

  it('places a lone node, and none', () => {
    expect(forceLayout([{ id: 'a', size: 10 }], [], phone).get('a')).toEqual({ x: 0, y: 0 });
    expect(forceLayout([], [], phone).size).toBe(0);
  });
});

// Regression: traffic figures ("6.3/h", "16.5/h", "4.3/h") piled up on lines between close systems and
// one sat on a system's label; ECharts' hideOverlap does not reach a graph's line labels.
describe('pickLineLabels', () => {
  const size = { width: 800, height: 500 };
  const node = (id: string, label?: string): Footprint => ({ id, size: 20, label, priority: 0 });
  const line = (id: string, source: string, target: string, priority: number, text = '21.8/h'): LineLabel => ({
    id,
    source,
    target,
    text,
    priority,
    curveness: 0.18,
  });

  it('puts a label where ECharts draws it: the middle of the curve, bowed by curveness across the line', () => {
    const box = (rs: { x0: number; y0: number; x1: number; y1: number }[]) => ({
      x0: Math.min(...rs.map((r) => r.x0)),
      y0: Math.min(...rs.map((r) => r.y0)),
      x1: Math.max(...rs.map((r) => r.x1)),
      y1: Math.max(...rs.map((r) => r.y1)),
    });
    const r = box(lineLabelBoxes({ x: 0, y: 0 }, { x: 200, y: 0 }, 'abc', 0.18));
    // The curve's middle: the ends' midpoint moved by half of curveness × length, to the side ECharts bows it.
    expect((r.x0 + r.x1) / 2).toBeCloseTo(100);
    expect((r.y0 + r.y1) / 2).toBeCloseTo(-18);
    // A vertical line's label runs along it: taller than wide.
    const v = box(lineLabelBoxes({ x: 0, y: 0 }, { x: 0, y: 200 }, 'abcdef', 0));
    expect(v.y1 - v.y0).toBeGreaterThan(v.x1 - v.x0);
    // A diagonal one reserves a band along the line, not the square around it: the corners stay free.
    const d = lineLabelBoxes({ x: 0, y: 0 }, { x: 200, y: 200 }, 'regulated-data-exposure', 0);
    const corner = { x: 100 + 40, y: 100 - 40 };
    expect(d.some((b) => corner.x > b.x0 && corner.x < b.x1 && corner.y > b.y0 && corner.y < b.y1)).toBe(false);
  });

  it('keeps the more important of two labels that would overlap, and every label clear of nodes and node labels', () => {
    const nodes = [node('a', 'CRM'), node('b', 'ERP'), node('c', 'Billing platform'), node('d')];
    const at = new Map([
      ['a', { x: 100, y: 100 }],
      ['b', { x: 100, y: 300 }],
      ['c', { x: 400, y: 100 }],
      ['d', { x: 400, y: 300 }],
    ]);
    const lines = [
      line('ab', 'a', 'b', 5),
      // Parallel and almost on top of a→b: its label would sit on a→b's.
      line('ab2', 'a', 'b', 1, '4.3/h'),
      line('cd', 'c', 'd', 3),
      // Its middle is node d's label's neighbourhood only when d is labelled: d has no label here.
      line('bd', 'b', 'd', 2),
    ];
    const shown = pickLineLabels(lines, nodes, at, new Set(['a', 'b', 'c']), size);
    expect([...shown].sort()).toEqual(['ab', 'bd', 'cd']);
    // A line whose middle lies on a system: its label is not drawn.
    const over = pickLineLabels([line('ac', 'a', 'c', 9)], [...nodes, node('m')], new Map([...at, ['m', { x: 250, y: 73 }]]), new Set(), size);
    expect(over.size).toBe(0);
  });

  // Regression: a rate label on a line near the top edge was drawn 4.5 px above the canvas (ECharts
  // draws it a few px off the line).
  it('drops a label that would come within a few px of the canvas edge', () => {
    const at = new Map([
      ['a', { x: 100, y: 12 }],
      ['b', { x: 300, y: 12 }],
    ]);
    expect(
      pickLineLabels([{ id: 'ab', source: 'a', target: 'b', text: '1,821.5/h', priority: 1, curveness: 0 }], [node('a'), node('b')], at, new Set(), size).size,
    ).toBe(0);
    const lower = new Map([
      ['a', { x: 100, y: 40 }],
      ['b', { x: 300, y: 40 }],
    ]);
    expect(
      pickLineLabels([{ id: 'ab', source: 'a', target: 'b', text: '1,821.5/h', priority: 1, curveness: 0 }], [node('a'), node('b')], lower, new Set(), size)
        .size,
    ).toBe(1);
  });

  it('drops a label that would leave the canvas', () => {
    const at = new Map([
      ['a', { x: 5, y: 5 }],
      ['b', { x: 5, y: 60 }],
    ]);
    expect(pickLineLabels([line('ab', 'a', 'b', 1, 'a long finding kind')], [node('a'), node('b')], at, new Set(), size).size).toBe(0);
  });
});
