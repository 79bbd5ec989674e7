/**
 * npm run bench:graph-ui — the overview's dependency graph in a real browser (Debian's chromium) with
 * a large estate: first render and a focus action, timed from the user's action until the graph's
 * chart shows the expected number of systems. The built UI is served as `weft start` serves it; the
 * API's graph, flows and findings answers are a generated estate (systems × flows), so only the UI is
 * measured. Past 150 systems the overview draws groups of systems (by owner); baseline in the same
 * run: the same page drawing every system (`/?group=none`, placed by owner on canvas: the overview
 * before groups). The focus view (one system and its neighbours, 43 here) is drawn system by system
 * in both.
 * Usage: tsx bench/graph-ui.ts [systems=500] [flows=2000] [runs=3]
 */
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { startBuiltUi } from '../test/built-ui.ts';

const systems = Number(process.argv[2] ?? 500);
const flowCount = Number(process.argv[3] ?? 2000);
const runs = Number(process.argv[4] ?? 3);

/** A reproducible estate: hubs (ERPs, brokers) with many flows, a long tail with few; 5% undocumented, 3% unhealthy. */
function estate() {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const nodes = Array.from({ length: systems }, (_, i) => ({
    id: `sys-${i}`,
    label: `system ${i}`,
    type: 'system',
    kind: ['crm', 'erp', 'billing', 'shop', 'wms'][i % 5],
    owner: `team-${i % 40}`,
    lifecycle: 'active',
    documented: i % 50 !== 49,
    connections: 0,
  }));
  const edges: Array<Record<string, unknown> & { id: string; source: string; target: string; flowId: string | null }> = [];
  const seen = new Set<string>();
  while (edges.length < flowCount) {
    const hub = rnd() < 0.4;
    const s = hub ? Math.floor(rnd() * 20) : Math.floor(rnd() * systems);
    const t = Math.floor(rnd() * systems);
    if (s === t || seen.has(`${s}-${t}`)) continue;
    seen.add(`${s}-${t}`);
    const id = `flow-${edges.length}`;
    nodes[s].connections++;
    nodes[t].connections++;
    const undocumented = rnd() < 0.05;
    edges.push({
      id,
      source: nodes[s].id,
      target: nodes[t].id,
      integrations: [`int-${edges.length % 300}`],
      domain: ['customer', 'order', 'invoice', 'product'][edges.length % 4],
      flowId: undocumented ? null : id,
      mark: undocumented ? 'undocumented' : 'documented',
      observed: true,
      traces: Math.floor(rnd() * 1000),
      records: Math.floor(rnd() * 10000),
      errorRate: rnd() * 0.05,
      p95Ms: Math.floor(rnd() * 2000),
      lastSeen: new Date().toISOString(),
    });
  }
  const findings = edges
    .filter((_, i) => i % 33 === 0)
    .map((e, i) => ({
      id: `f${i}`,
      kind: 'latency-slo-breach',
      key: e.id,
      severity: i % 2 ? 'high' : 'medium',
      title: `slow ${e.id}`,
      subject: { systems: [e.source, e.target], flows: e.flowId ? [e.flowId] : [], domains: [] },
      evidence: {},
      hint: '',
      status: 'open',
      firstSeen: '',
      lastSeen: '',
      resolvedAt: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
      note: '',
    }));
  const until = new Date();
  const graph = {
    since: new Date(until.getTime() - 86_400_000).toISOString(),
    until: until.toISOString(),
    nodes,
    edges,
    integrations: [],
    sprawl: { systems, edges: edges.length, connectionsPerSystem: {}, hubs: [], flowsPerDomain: {}, undocumentedEdges: 0, averageConnections: 0 },
  };
  return { graph, findings, flows: edges.map((e) => ({ id: e.flowId ?? e.id, owner: 'team-1', documented: !!e.flowId })) };
}

const data = estate();
/** Systems within one hop of sys-3 (what the focus view must show). */
const focusSize = new Set(['sys-3', ...data.graph.edges.flatMap((e) => (e.source === 'sys-3' ? [e.target] : e.target === 'sys-3' ? [e.source] : []))]).size;
const ui = await startBuiltUi();
const { base, browser } = ui;

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.route('**/api/v1/**', async (route) => {
    const url = new URL(route.request().url());
    const body = url.pathname.endsWith('/graph')
      ? data.graph
      : url.pathname.endsWith('/inventory/flows')
        ? { flows: data.flows }
        : url.pathname.endsWith('/findings')
          ? { findings: data.findings }
          : {};
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  });
  return page;
}

/**
 * Waits until the graph drew `systems` systems: its label names the count and the chart has finished
 * drawing (EChart's data-rendered counts ECharts' 'finished' events), measured inside the page.
 */
async function until(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const el = (
        globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }
      ).document.querySelector(`[aria-label^="Dependency graph of ${n} systems"]`);
      return !!el && Number(el.getAttribute('data-rendered') ?? '0') > 0;
    },
    count,
    { timeout: 120_000, polling: 10 },
  );
}

async function measure(everySystem: boolean): Promise<{ first: number; focus: number }> {
  const page = await newPage();
  const t0 = performance.now();
  await page.goto(`${base}/${everySystem ? '?group=none' : ''}`);
  await until(page, systems);
  const first = performance.now() - t0;
  const t1 = performance.now();
  await page.getByTestId('focus-select').selectOption('sys-3');
  await until(page, focusSize);
  const focus = performance.now() - t1;
  await page.close();
  return { first, focus };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadBefore = loadavg()[0];
const results = { grouped: [] as { first: number; focus: number }[], every: [] as { first: number; focus: number }[] };
for (let i = 0; i < runs; i++) {
  results.grouped.push(await measure(false));
  results.every.push(await measure(true));
}
const g = { first: median(results.grouped.map((r) => r.first)), focus: median(results.grouped.map((r) => r.focus)) };
const e = { first: median(results.every.map((r) => r.first)), focus: median(results.every.map((r) => r.focus)) };
console.log(
  `graph of ${systems} systems and ${flowCount} flows, chromium, median of ${runs} (load ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after)`,
);
console.log(`  weft overview (groups by owner)        first render ${Math.round(g.first)} ms   focus on a system ${Math.round(g.focus)} ms`);
console.log(`  baseline: every system drawn (canvas)  first render ${Math.round(e.first)} ms   focus on a system ${Math.round(e.focus)} ms`);
console.log(`  first render grouped: ${(g.first / e.first).toFixed(2)}x the every-system drawing`);
await ui.close();
