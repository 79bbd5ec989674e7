import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBuiltUi, type BuiltUi } from '../test/built-ui.ts';
import { browserAvailable } from '../test/services.ts';
import type { Trace, TraceSpan } from './src/lib/api/types.ts';
import { palette } from './src/lib/charts/palette.ts';
import { demoEstate } from './src/lib/charts/testing/graph-fixtures.ts';

const PHONE = { width: 390, height: 844 };

/** A span of the trace below: `startMs` (its `offsetMs`) and `durationMs` relative to the trace's start. */
const span = (
  spanId: string,
  parentSpanId: string,
  depth: number,
  name: string,
  startMs: number,
  durationMs: number,
  over: Partial<TraceSpan> = {},
): TraceSpan => ({
  spanId,
  parentSpanId,
  name,
  kind: 'Client',
  service: 'customer-reconciliation',
  startMs: T0 + startMs,
  offsetMs: startMs,
  durationMs,
  status: 'Unset',
  statusMessage: '',
  attributes: { 'http.response.status_code': '200' },
  resource: { 'service.name': 'customer-reconciliation' },
  events: [],
  systems: [],
  depth,
  ...over,
});
const T0 = Date.parse('2026-11-30T07:00:00Z');
const LONG = 'GET https://crm.internal/api/v2/customers/{customerId}/addresses?include=billing,shipping';
const DOTTED = 'customer.reconciliation.batch.step.with.a.long.dotted.name.and.no.spaces';
/** Names, nesting and durations from ns to minutes: what a phone must show whole and written alike. */
const trace: Trace = {
  traceId: 'ab'.repeat(16),
  startMs: T0,
  endMs: T0 + 61_000,
  durationMs: 61_000,
  spans: [
    span('01', '', 0, 'nightly-customer-reconciliation', 0, 61_000),
    span('02', '01', 1, LONG, 1, 0.83412, { systems: ['crm'] }),
    span('03', '02', 2, 'SELECT', 1.2, 1.2),
    span('04', '03', 3, 'redis GET', 2.5, 0.0834),
    span('05', '04', 4, 'INSERT INTO erp.customer_addresses_staging (id, line1, city) VALUES ($1, $2, $3)', 3, 5.0613, { status: 'Error' }),
    span('06', '05', 5, DOTTED, 9, 0.000834),
    span('07', '06', 6, 'POST /api/v1/sync', 10, 12.34),
    span('08', '07', 7, 'wait-for-settlement', 30, 2510),
  ],
  truncated: false,
  reads: ['crm'],
  writes: [],
  services: ['customer-reconciliation'],
  externalUrl: null,
};

/** Every duration the UI writes (format.ts `duration`): three significant digits under a minute, whole units above. */
const ONE_FORMAT = /^(\d{3}|\d{2}\.\d|\d\.\d{2}) (ns|µs|ms|s)$|^\d+ (min|h|d)( \d+ (s|min|h))?$/;

const hasBrowser = browserAvailable();

interface Sized {
  scrollWidth: number;
  clientWidth: number;
}
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** The graph as drawn, in page px: its texts, system shapes and the middle of each flow's line. */
interface Drawn {
  texts: Array<Box & { text: string }>;
  nodes: Box[];
  edges: Array<{ x: number; y: number }>;
}
// Run in the page (the root tsconfig has no DOM types): written as text, as graph.int.test.ts does.
const measure = `(() => {
  const el = document.querySelector('[aria-label^="Dependency graph of"]');
  const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
  const fills = ${JSON.stringify([palette.system, palette.unknown, palette.deprecated])};
  return {
    texts: [...el.querySelectorAll('svg text')].filter((t) => t.textContent).map((t) => ({ ...box(t), text: t.textContent })),
    nodes: [...el.querySelectorAll('svg path')].filter((p) => fills.includes(p.getAttribute('fill'))).map(box).filter((b) => b.width >= 10 && Math.abs(b.width - b.height) < 2),
    edges: [...el.querySelectorAll('svg path')]
      .filter((p) => p.getAttribute('fill') === 'none' && p.getAttribute('stroke') && p.getTotalLength() > 80)
      .map((p) => { const m = p.getScreenCTM(); const at = p.getPointAtLength(p.getTotalLength() / 2); return { x: m.a * at.x + m.c * at.y + m.e, y: m.b * at.x + m.d * at.y + m.f }; }),
  };
})()`;
/** The chart's tooltips on screen (ECharts' div in the chart, hidden by visibility and opacity when not shown). */
const tooltips = `[...document.querySelectorAll('[aria-label^="Dependency graph of"] div[style*="z-index"]')]
  .filter((e) => { const c = getComputedStyle(e); return c.visibility !== 'hidden' && c.display !== 'none' && Number(c.opacity) > 0; })
  .map((e) => { const r = e.getBoundingClientRect(); return { text: e.innerText, left: r.left, right: r.right }; })`;

/**
 * The trace view and the dependency graph on a phone (390 px, a touch screen: no hover), in Debian's
 * chromium with touch emulation: the built UI served as `weft start` serves it, the API answered from
 * fixtures (the trace above, the demo estate's graph with its findings' real titles).
 */
describe.skipIf(!hasBrowser)('on a phone (390 px, touch)', () => {
  let ui: BuiltUi;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    ui = await startBuiltUi();
    ({ base, browser } = ui);
  });
  afterAll(async () => {
    await ui?.close();
  });

  async function phone(path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const estate = demoEstate();
    // The demo's findings say more than the fixture's short titles: a phone must show them whole.
    for (const f of estate.findings)
      f.title = `pii data (customer) moves ${f.subject.systems.join(' → ')} on a flow that is undocumented, and nobody owns it (${f.kind})`;
    await page.route('**/api/v1/**', async (route) => {
      const url = new URL(route.request().url());
      const body = url.pathname.startsWith('/api/v1/traces/')
        ? trace
        : url.pathname.endsWith('/graph')
          ? estate.graph
          : url.pathname.endsWith('/inventory/flows')
            ? { flows: estate.graph.edges.filter((e) => e.flowId).map((e) => ({ id: e.flowId, owner: 'icoe', documented: true })) }
            : url.pathname.endsWith('/findings')
              ? { findings: estate.findings }
              : {};
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    });
    await page.goto(`${base}${path}`);
    return page;
  }

  // Regression: at 390 px the waterfall cut every span name to its service ("fulfillment-o…"), and wrote
  // "5.061 ms" beside "2.51 s" and "0.834 ms".
  it("shows every span's whole name and its duration written as every duration is, and opens a tapped span under its row", async () => {
    const page = await phone(`/traces/${trace.traceId}`);
    const rows = page.getByTestId('span-row');
    await expect.poll(() => rows.count()).toBe(trace.spans.length);
    for (const [i, s] of trace.spans.entries()) {
      const name = rows.nth(i).locator('.name');
      expect(await name.innerText()).toBe(s.name);
      // Whole: nothing cut by an ellipsis, and inside the screen.
      const [scroll, client] = await name.evaluate((e) => [(e as unknown as Sized).scrollWidth, (e as unknown as Sized).clientWidth]);
      expect(scroll, `"${s.name}" is cut`).toBeLessThanOrEqual(client);
      const box = (await name.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `"${s.name}" runs off the screen`).toBeLessThanOrEqual(PHONE.width);
    }
    expect(await rows.locator('.dur').allInnerTexts()).toEqual(['1 min 1 s', '834 µs', '1.20 ms', '83.4 µs', '5.06 ms', '834 ns', '12.3 ms', '2.51 s']);
    for (const d of await rows.locator('.dur').allInnerTexts()) expect(d).toMatch(ONE_FORMAT);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);

    // A tap opens the span's details right under its row (the side panel would be below every span).
    await rows.nth(1).tap();
    const detail = page.getByTestId('span-detail');
    await expect.poll(() => detail.count()).toBe(1);
    expect(await detail.locator('h2').innerText()).toBe(LONG);
    const [rowBox, detailBox] = [(await rows.nth(1).boundingBox())!, (await detail.boundingBox())!];
    expect(detailBox.y).toBeGreaterThanOrEqual(rowBox.y + rowBox.height - 1);
    expect(detailBox.y).toBeLessThan(rowBox.y + rowBox.height + 20);
    expect(await detail.innerText()).toMatch(/duration\s+834 µs/);
    expect(await rows.nth(1).getAttribute('aria-expanded')).toBe('true');
    // A second tap closes it.
    await rows.nth(1).tap();
    await expect.poll(() => detail.count()).toBe(0);
    await page.context().close();
  });

  // Regression: node and flow labels hidden to keep labels apart, and a flow's finding, came on hover only
  // in intent, and the tooltip a tap brought up was one line wide, its figures and titles off the screen.
  it('shows the tooltip of a tapped system or flow, whole and on the screen, and hides it on a tap elsewhere', async () => {
    const page = await phone('/');
    const chart = page.getByRole('img', { name: /^Dependency graph of/ });
    await expect.poll(() => chart.getAttribute('data-rendered')).toMatch(/^[1-9]/);
    await chart.scrollIntoViewIfNeeded();
    const drawn = (await page.evaluate(measure)) as Drawn;
    // Systems whose label is not drawn (another label was in the way): the tap is how their name is read.
    const unlabelled = drawn.nodes.filter(
      (n) => !drawn.texts.some((t) => Math.abs(t.x + t.width / 2 - (n.x + n.width / 2)) < 40 && t.y >= n.y && t.y - (n.y + n.height) < 12),
    );
    expect(unlabelled.length, 'the demo at 390 px has systems without a label').toBeGreaterThan(0);
    const shown = async () => (await page.evaluate(tooltips)) as Array<{ text: string; left: number; right: number }>;
    const names = new Set(demoEstate().graph.nodes.map((n) => n.label));
    // Inside the screen once it has moved to the tap (ECharts slides it there).
    const onScreen = (what: string) =>
      expect
        .poll(
          async () => {
            const [t] = await shown();
            return t !== undefined && t.left >= 0 && t.right <= PHONE.width;
          },
          { message: `the tooltip of ${what} stays on the screen` },
        )
        .toBe(true);
    let namedUnlabelled = 0;
    let flows = 0;
    for (const n of unlabelled) {
      const [x, y] = [n.x + n.width / 2, n.y + n.height / 2];
      await page.touchscreen.tap(x, y);
      await expect.poll(async () => (await shown()).length, { message: `a tap on the system at ${x},${y} shows a tooltip` }).toBe(1);
      await onScreen(`the system at ${x},${y}`);
      const [t] = await shown();
      if ([...names].some((name) => t.text.startsWith(name))) namedUnlabelled++;
      // The page does not move under the finger: nothing widens it, and it stays where it was.
      expect(await page.evaluate('document.documentElement.scrollWidth'), 'the page scrolls sideways after a tap').toBeLessThanOrEqual(PHONE.width);
      expect(new URL(page.url()).pathname, 'the tap opened another page').toBe('/');
    }
    // A line is thin: a tap on the middle of one may miss it (then the tooltip of what it hit, or none, shows).
    const box = (await chart.boundingBox())!;
    const tapOutside = async () => {
      await page.touchscreen.tap(box.x + 4, box.y + 4);
      await expect.poll(async () => (await shown()).length, { message: 'a tap on the empty canvas hides the tooltip' }).toBe(0);
    };
    for (const e of drawn.edges.slice(0, 8)) {
      await tapOutside();
      await page.touchscreen.tap(e.x, e.y);
      const hit = await page.waitForFunction(`${tooltips}.length > 0`, undefined, { timeout: 2000 }).then(
        () => true,
        () => false,
      );
      if (!hit) continue;
      await onScreen(`the line at ${e.x},${e.y}`);
      expect(await page.evaluate('document.documentElement.scrollWidth'), 'the page scrolls sideways after a tap').toBeLessThanOrEqual(PHONE.width);
      if ((await shown())[0].text.includes('→')) flows++;
    }
    expect(namedUnlabelled, 'a tap names a system whose label is not drawn').toBeGreaterThan(0);
    expect(flows, 'a tap on a flow shows its figures').toBeGreaterThan(0);
    await tapOutside();
    await page.context().close();
  });
});
